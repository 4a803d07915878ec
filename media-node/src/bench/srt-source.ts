import { ensureSourceFile, testPatternArgs, type SourceFile, type SourceSpec } from './source-file.ts';

/**
 * The SRT publish benchmark stream (issue 5: "CPU per 5 Mbps SRT publish"):
 * 1920x1080 at 25 fps, 4800 kbit/s video capped by maxrate/bufsize so every
 * second carries about the same bytes, AAC-LC 128 kbit/s; about 5 Mbit/s as
 * FLV and a little more once muxed to MPEG-TS (188-byte packets, PES
 * headers, PAT/PMT). A keyframe every 2 s and exactly 250 frames, so the
 * loop point falls on the GOP cadence. Encoded once to FLV (the RTMP
 * publishers' input), then copied once into MPEG-TS (the SRT publishers').
 */
export const SRT_PUBLISH_SOURCE: SourceSpec = {
  fileName: 'source-v1-1920x1080-5000k.flv',
  encodeArgs: testPatternArgs('1920x1080', 4800, 128),
  describe: (kbps) => `${kbps} kbit/s (as FLV) H.264 1920x1080 25 fps + AAC 128 kbit/s, keyframe every 2 s`,
};

/** The same media as `flv`, copied (not re-encoded) into MPEG-TS, cached beside it. */
export function tsCopySpec(flv: SourceFile, fileName: string): SourceSpec {
  return {
    fileName,
    encodeArgs: ['-i', flv.path, '-c', 'copy', '-f', 'mpegts'],
    describe: (kbps) => `${kbps} kbit/s as MPEG-TS`,
  };
}

export interface SrtSources {
  /** What RTMP publishers send. */
  readonly flv: SourceFile;
  /** What SRT publishers send, and the rate an SRT player should receive. */
  readonly ts: SourceFile;
}

/** A source as FLV and as MPEG-TS (each encoded or copied once, cached in `cacheDir`). */
export async function ensureSrtSources(cacheDir: string | undefined, spec: SourceSpec): Promise<SrtSources> {
  const flv = await ensureSourceFile(cacheDir, spec);
  const ts = await ensureSourceFile(cacheDir, tsCopySpec(flv, spec.fileName.replace(/\.flv$/, '.ts')));
  return { flv, ts };
}
