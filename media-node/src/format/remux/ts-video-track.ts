import { ProtocolError } from '@runnel/shared';
import { encodeAvcConfig } from '../../codec/h264/avc-config.ts';
import { avcConfigFromParameterSets } from '../../codec/h264/avc-config-from-sps.ts';
import { AVC_NALU, avcNaluType } from '../../codec/h264/nalu-type.ts';
import { encodeHevcConfig } from '../../codec/hevc/hevc-config.ts';
import { hevcConfigFromParameterSets } from '../../codec/hevc/hevc-config-from-sps.ts';
import { HEVC_NALU, hevcNaluType, isHevcIrap } from '../../codec/hevc/nalu-type.ts';
import { splitAnnexB } from '../../codec/nalu/annexb.ts';
import { avcFrameBody, avcSequenceHeaderBody, exCodedFramesBody, exSequenceStartBody } from '../flv/video-data.ts';

/** What one Annex B access unit becomes in FLV: maybe a new sequence header, then the frame. */
export interface FlvVideoOut {
  /** A VIDEODATA sequence header body, when the parameter sets are new or changed. */
  readonly sequenceHeader: Uint8Array | null;
  /** The VIDEODATA frame body, or null while no configuration is known yet. */
  readonly frame: Uint8Array | null;
  readonly keyframe: boolean;
}

/**
 * Parameter sets one access unit may carry before we stop collecting: a
 * stream has a few (one VPS/SPS/PPS each, sometimes one per layer); more in a
 * single frame is not a real encoder.
 */
const MAX_PARAMETER_SETS = 8;

interface Rules {
  readonly type: (nal: Uint8Array) => number;
  readonly aud: number;
  readonly vps: number | null;
  readonly sps: number;
  readonly pps: number;
  readonly isKey: (type: number) => boolean;
  readonly config: (vps: Uint8Array[], sps: Uint8Array[], pps: Uint8Array[]) => Uint8Array;
  readonly frameBody: (avcc: Uint8Array, keyframe: boolean, cts: number) => Uint8Array;
}

const H264: Rules = {
  type: avcNaluType,
  aud: AVC_NALU.AUD,
  vps: null,
  sps: AVC_NALU.SPS,
  pps: AVC_NALU.PPS,
  isKey: (t) => t === AVC_NALU.IDR,
  config: (_vps, sps, pps) => avcSequenceHeaderBody(encodeAvcConfig(avcConfigFromParameterSets(sps, pps))),
  frameBody: avcFrameBody,
};

const HEVC: Rules = {
  type: hevcNaluType,
  aud: HEVC_NALU.AUD,
  vps: HEVC_NALU.VPS,
  sps: HEVC_NALU.SPS,
  pps: HEVC_NALU.PPS,
  isKey: isHevcIrap,
  // Enhanced RTMP: HEVC has no legacy FLV form every peer reads.
  config: (vps, sps, pps) => exSequenceStartBody('hevc', encodeHevcConfig(hevcConfigFromParameterSets(vps, sps, pps))),
  frameBody: (avcc, keyframe, cts) => exCodedFramesBody('hevc', avcc, keyframe, cts),
};

/**
 * One H.264 or HEVC elementary stream from MPEG-TS (or any Annex B source)
 * turned into FLV VIDEODATA: access unit delimiters dropped, parameter sets
 * taken out of the frames into a sequence header (a new one whenever they
 * change, so a resolution switch reaches players), the rest written AVCC with
 * 4-byte lengths. Frames before the first complete set of parameter sets
 * cannot be decoded by anyone and are not emitted (`frame: null`).
 */
export class TsVideoTrack {
  private readonly rules: Rules;
  private current: Uint8Array | null = null;

  constructor(codec: 'h264' | 'hevc') {
    this.rules = codec === 'h264' ? H264 : HEVC;
  }

  /** Forget the configuration (a new publish session). */
  reset(): void {
    this.current = null;
  }

  /** One access unit (a PES payload); `cts` = PTS - DTS in ms. Throws ProtocolError on a malformed unit or parameter set. */
  accessUnit(annexB: Uint8Array, cts: number): FlvVideoOut {
    const r = this.rules;
    const nalus = splitAnnexB(annexB);
    const vps: Uint8Array[] = [];
    const sps: Uint8Array[] = [];
    const pps: Uint8Array[] = [];
    const rest: Uint8Array[] = [];
    let keyframe = false;
    let size = 0;
    for (const nal of nalus) {
      const t = r.type(nal);
      if (t === r.aud) continue;
      const list = t === r.sps ? sps : t === r.pps ? pps : t === r.vps ? vps : null;
      if (list !== null) {
        if (list.length >= MAX_PARAMETER_SETS) throw new ProtocolError('ts_too_many_parameter_sets', `more than ${MAX_PARAMETER_SETS} parameter sets of type ${t} in one access unit`);
        list.push(nal);
        continue;
      }
      if (r.isKey(t)) keyframe = true;
      rest.push(nal);
      size += 4 + nal.length;
    }
    let sequenceHeader: Uint8Array | null = null;
    if (sps.length > 0 && pps.length > 0 && (r.vps === null || vps.length > 0)) {
      const config = r.config(vps, sps, pps);
      if (this.current === null || !sameBytes(this.current, config)) {
        this.current = config;
        sequenceHeader = config;
      }
    }
    if (this.current === null || rest.length === 0) return { sequenceHeader, frame: null, keyframe };
    const avcc = new Uint8Array(size);
    const view = new DataView(avcc.buffer);
    let pos = 0;
    for (const nal of rest) {
      view.setUint32(pos, nal.length);
      avcc.set(nal, pos + 4);
      pos += 4 + nal.length;
    }
    return { sequenceHeader, frame: r.frameBody(avcc, keyframe, cts), keyframe };
  }
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
