import type { BoxWriter } from './box-writer.ts';
import { OBJECT_TYPE_AAC, STREAM_TYPE_AUDIO, writeEsDescriptor } from './esds.ts';

/**
 * The one sample description of a track (`stsd`, ISO/IEC 14496-12 8.5.2):
 * `avc1` + `avcC` (ISO/IEC 14496-15 5.4.2.1), `hvc1` + `hvcC` (14496-15
 * 8.4.1; hvc1 = parameter sets in the record, what Safari requires), `mp4a`
 * + `esds` (ISO/IEC 14496-14 5.6.1) for AAC.
 */
export type Mp4VideoCodec = 'h264' | 'hevc';
export type Mp4AudioCodec = 'aac';

export interface Mp4VideoEntry {
  readonly kind: 'video';
  readonly codec: Mp4VideoCodec;
  /** AVCDecoderConfigurationRecord / HEVCDecoderConfigurationRecord, as the FLV sequence header carries it. */
  readonly config: Uint8Array;
  readonly width: number;
  readonly height: number;
}

export interface Mp4AudioEntry {
  readonly kind: 'audio';
  readonly codec: Mp4AudioCodec;
  /** AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1), as the FLV AAC sequence header carries it. */
  readonly config: Uint8Array;
  readonly sampleRate: number;
  readonly channels: number;
}

export type Mp4SampleEntry = Mp4VideoEntry | Mp4AudioEntry;

const SAMPLE_ENTRY_TYPE: Record<Mp4VideoCodec | Mp4AudioCodec, { entry: string; config: string }> = {
  h264: { entry: 'avc1', config: 'avcC' },
  hevc: { entry: 'hvc1', config: 'hvcC' },
  aac: { entry: 'mp4a', config: 'esds' },
};

/** 72 dpi as 16.16 fixed point (14496-12 12.1.3.2: "0x00480000; // 72 dpi"). */
const DPI_72 = 0x00480000;

/** Writes `stsd` with one entry. `esId` is the track id (what FFmpeg writes as ES_ID). */
export function writeStsd(w: BoxWriter, e: Mp4SampleEntry, esId: number): void {
  w.fullBox('stsd', 0, 0, () => {
    w.u32(1);
    if (e.kind === 'video') writeVisualEntry(w, e);
    else writeAudioEntry(w, e, esId);
  });
}

/** 14496-12 8.5.2.2 SampleEntry: reserved(6) + data_reference_index. */
function sampleEntryHead(w: BoxWriter): void {
  w.zeros(6);
  w.u16(1);
}

/** 14496-12 12.1.3.2 VisualSampleEntry. */
function writeVisualEntry(w: BoxWriter, e: Mp4VideoEntry): void {
  const t = SAMPLE_ENTRY_TYPE[e.codec];
  w.box(t.entry, () => {
    sampleEntryHead(w);
    w.zeros(16); // pre_defined, reserved, pre_defined[3]
    w.u16(e.width);
    w.u16(e.height);
    w.u32(DPI_72);
    w.u32(DPI_72);
    w.u32(0); // reserved
    w.u16(1); // frame_count
    w.zeros(32); // compressorname: empty Pascal string
    w.u16(0x0018); // depth: colour, no alpha
    w.i16(-1); // pre_defined
    w.box(t.config, () => w.raw(e.config));
  });
}

/** 14496-12 12.2.3.2 AudioSampleEntry (version 0) with an esds. */
function writeAudioEntry(w: BoxWriter, e: Mp4AudioEntry, esId: number): void {
  w.box('mp4a', () => {
    sampleEntryHead(w);
    w.zeros(8); // reserved
    w.u16(e.channels);
    w.u16(16); // samplesize
    w.u16(0); // pre_defined
    w.u16(0); // reserved
    // samplerate is 16.16 fixed point; rates above 65535 do not fit (FFmpeg writes 0, decoders use the ASC)
    w.u32(e.sampleRate <= 0xffff ? e.sampleRate * 0x10000 : 0);
    w.fullBox('esds', 0, 0, () =>
      writeEsDescriptor(w, {
        esId,
        objectTypeIndication: OBJECT_TYPE_AAC,
        streamType: STREAM_TYPE_AUDIO,
        bufferSizeDB: 0,
        maxBitrate: 0,
        avgBitrate: 0,
        decoderSpecificInfo: e.config,
      }),
    );
  });
}
