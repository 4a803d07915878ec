import { ProtocolError } from '@runnel/shared';
import { BitReader } from '../bit-reader.ts';
import { BitWriter } from '../bit-writer.ts';
import { AAC_EXPLICIT_FREQUENCY_INDEX, AAC_OBJECT, AAC_SAMPLE_RATES, aacFrequencyIndex } from './tables.ts';

/**
 * Largest explicit sampling frequency we accept. The 24-bit field could say
 * 16.7 MHz; no AAC encoder goes past 96 kHz (Table 1.18), so 192 kHz leaves
 * room and refuses only garbage.
 */
export const MAX_AAC_SAMPLE_RATE = 192000;

/** syncExtensionType values (ISO/IEC 14496-3 1.6.2.1): backward-compatible SBR, then PS. */
const SYNC_EXTENSION_SBR = 0x2b7;
const SYNC_EXTENSION_PS = 0x548;

/** Object types whose config continues with GASpecificConfig (ISO/IEC 14496-3 1.6.2.1, 4.4.1). */
const GA_OBJECT_TYPES = new Set([1, 2, 3, 4, 6, 7]);

/** AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1): the FLV/RTMP AAC sequence header body. */
export interface AudioSpecificConfig {
  /**
   * The audio object type as coded first: 2 for AAC LC; 5 (SBR, HE-AAC) or
   * 29 (PS, HE-AAC v2) when SBR is signalled explicitly, then `sbr` holds
   * the core object type and the output rate.
   */
  readonly objectType: number;
  /** Table 1.18 index, or 15 when the rate is coded explicitly. */
  readonly frequencyIndex: number;
  /** The (core) sampling frequency. */
  readonly sampleRate: number;
  /** Table 1.19: 1..7 (0, a program_config_element, is refused). */
  readonly channelConfiguration: number;
  /** Explicit (hierarchical) SBR/PS signaling, present iff objectType is 5 or 29. */
  readonly sbr?: { readonly coreObjectType: number; readonly frequencyIndex: number; readonly sampleRate: number };
  /** GASpecificConfig (ISO/IEC 14496-3 4.4.1) of the GA object types 1-4, 6, 7. */
  readonly ga?: {
    /** 960-sample frames instead of 1024. */
    readonly frameLengthFlag: boolean;
    /** coreCoderDelay when dependsOnCoreCoder is set. */
    readonly coreCoderDelay?: number;
    readonly extensionFlag: boolean;
    /** layerNr of AAC scalable (objectType 6). */
    readonly layerNr?: number;
  };
  /** Backward-compatible extension signaling (syncExtensionType 0x2b7), as FFmpeg writes it. */
  readonly syncExtension?: {
    readonly objectType: number;
    readonly sbr: boolean;
    readonly frequencyIndex?: number;
    readonly sampleRate?: number;
    /** Only coded when 12 more bits follow; undefined when absent. */
    readonly ps?: boolean;
  };
}

/**
 * Decodes an AudioSpecificConfig. Refuses (bad-inputs row 40) a config shorter
 * than its mandatory fields (a 1-byte config, index 15 without the 24-bit
 * rate), the reserved indexes 13/14, channelConfiguration 0 (a program config
 * element, which no RTMP publisher sends) and object type 0.
 *
 * @example
 * const asc = decodeAsc(tag.subarray(2)); // after the FLV SoundFormat byte and AACPacketType
 */
export function decodeAsc(data: Uint8Array): AudioSpecificConfig {
  if (data.length < 2) throw new ProtocolError('aac_config_truncated', `AudioSpecificConfig of ${data.length} bytes`);
  const r = new BitReader(data);
  const objectType = readObjectType(r);
  if (objectType === 0) throw new ProtocolError('aac_object_type', 'audio object type 0 (null)');
  const [frequencyIndex, sampleRate] = readFrequency(r);
  const channelConfiguration = r.u(4);
  if (channelConfiguration === 0 || channelConfiguration > 7) {
    throw new ProtocolError('aac_channel_config', `channelConfiguration ${channelConfiguration} is not supported`);
  }
  const out: { -readonly [K in keyof AudioSpecificConfig]: AudioSpecificConfig[K] } = { objectType, frequencyIndex, sampleRate, channelConfiguration };
  let core = objectType;
  if (objectType === AAC_OBJECT.SBR || objectType === AAC_OBJECT.PS) {
    const [extIndex, extRate] = readFrequency(r);
    core = readObjectType(r);
    if (!GA_OBJECT_TYPES.has(core)) throw new ProtocolError('aac_object_type', `SBR over object type ${core}`);
    out.sbr = { coreObjectType: core, frequencyIndex: extIndex, sampleRate: extRate };
  }
  if (!GA_OBJECT_TYPES.has(core)) return out;
  const frameLengthFlag = r.flag();
  const coreCoderDelay = r.flag() ? r.u(14) : undefined;
  const extensionFlag = r.flag();
  const layerNr = core === 6 ? r.u(3) : undefined;
  // The GA object types have no extension fields before extensionFlag3 (4.4.1).
  if (extensionFlag) r.skip(1);
  out.ga = { frameLengthFlag, extensionFlag, ...(coreCoderDelay !== undefined ? { coreCoderDelay } : {}), ...(layerNr !== undefined ? { layerNr } : {}) };
  if (!out.sbr && r.bitsLeft >= 16 && r.u(11) === SYNC_EXTENSION_SBR) {
    const extType = readObjectType(r);
    if (extType === AAC_OBJECT.SBR) {
      const sbr = r.flag();
      if (!sbr) {
        out.syncExtension = { objectType: extType, sbr };
      } else {
        const [extIndex, extRate] = readFrequency(r);
        const ps = r.bitsLeft >= 12 && r.u(11) === SYNC_EXTENSION_PS ? r.flag() : undefined;
        out.syncExtension = { objectType: extType, sbr, frequencyIndex: extIndex, sampleRate: extRate, ...(ps !== undefined ? { ps } : {}) };
      }
    }
  }
  return out;
}

/** Encodes the config; the inverse of `decodeAsc` (trailing bytes are not kept). */
export function encodeAsc(c: AudioSpecificConfig): Uint8Array {
  if (c.channelConfiguration < 1 || c.channelConfiguration > 7) throw new ProtocolError('aac_channel_config', `channelConfiguration ${c.channelConfiguration}`);
  const w = new BitWriter();
  writeObjectType(w, c.objectType);
  writeFrequency(w, c.frequencyIndex, c.sampleRate);
  w.u(4, c.channelConfiguration);
  if (c.sbr) {
    writeFrequency(w, c.sbr.frequencyIndex, c.sbr.sampleRate);
    writeObjectType(w, c.sbr.coreObjectType);
  }
  if (c.ga) {
    w.flag(c.ga.frameLengthFlag);
    w.flag(c.ga.coreCoderDelay !== undefined);
    if (c.ga.coreCoderDelay !== undefined) w.u(14, c.ga.coreCoderDelay);
    w.flag(c.ga.extensionFlag);
    if (c.ga.layerNr !== undefined) w.u(3, c.ga.layerNr);
    if (c.ga.extensionFlag) w.u(1, 0);
  }
  const x = c.syncExtension;
  if (x) {
    w.u(11, SYNC_EXTENSION_SBR);
    writeObjectType(w, x.objectType);
    w.flag(x.sbr);
    if (x.sbr) {
      writeFrequency(w, x.frequencyIndex ?? aacFrequencyIndex(x.sampleRate ?? 0), x.sampleRate ?? 0);
      if (x.ps !== undefined) {
        w.u(11, SYNC_EXTENSION_PS);
        w.flag(x.ps);
      }
    }
  }
  return w.finish();
}

/**
 * A minimal AAC LC (or other GA type) config for a rate and channel count,
 * e.g. for an ADTS or RTP stream turned into FLV.
 */
export function makeAsc(objectType: number, sampleRate: number, channelConfiguration: number): AudioSpecificConfig {
  return {
    objectType,
    frequencyIndex: aacFrequencyIndex(sampleRate),
    sampleRate,
    channelConfiguration,
    ga: { frameLengthFlag: false, extensionFlag: false },
  };
}

/** ISO/IEC 14496-3 1.6.2.1 GetAudioObjectType(): 5 bits, 31 escapes to 32 + 6 bits. */
function readObjectType(r: BitReader): number {
  const t = r.u(5);
  return t === 31 ? 32 + r.u(6) : t;
}

function writeObjectType(w: BitWriter, t: number): void {
  if (!Number.isInteger(t) || t < 1 || t === 31 || t > 95) throw new ProtocolError('aac_object_type', `audio object type ${t}`);
  if (t > 31) {
    w.u(5, 31);
    w.u(6, t - 32);
  } else {
    w.u(5, t);
  }
}

function readFrequency(r: BitReader): [number, number] {
  const index = r.u(4);
  if (index === AAC_EXPLICIT_FREQUENCY_INDEX) {
    const rate = r.u(24);
    if (rate === 0 || rate > MAX_AAC_SAMPLE_RATE) throw new ProtocolError('aac_sample_rate', `explicit sampling frequency ${rate}`);
    return [index, rate];
  }
  const rate = AAC_SAMPLE_RATES[index];
  if (rate === undefined) throw new ProtocolError('aac_sample_rate', `reserved samplingFrequencyIndex ${index}`);
  return [index, rate];
}

function writeFrequency(w: BitWriter, index: number, rate: number): void {
  if (index === 13 || index === 14 || index < 0 || index > 15) throw new ProtocolError('aac_sample_rate', `samplingFrequencyIndex ${index}`);
  w.u(4, index);
  if (index === AAC_EXPLICIT_FREQUENCY_INDEX) w.u(24, rate);
}
