import { ProtocolError } from '@runnel/shared';
import { decodeAsc } from '../codec/aac/audio-specific-config.ts';
import { describeAac, describeAvc, describeHevc } from '../codec/describe.ts';
import { decodeAvcConfig } from '../codec/h264/avc-config.ts';
import { decodeHevcConfig } from '../codec/hevc/hevc-config.ts';
import { decodeAudioData } from '../format/flv/audio-data.ts';
import { decodeVideoData } from '../format/flv/video-data.ts';
import type { MediaMessage } from '../hub/media-message.ts';
import type { Source } from '../hub/source.ts';

/**
 * Fill a source's codec descriptions (SRS `/api/v1/streams` video/audio
 * objects) from a sequence header that just went through it. A header that
 * does not parse leaves the codec name the hub found and returns the error's
 * code, so the ingest can count it (bad-inputs row 36: the frame still flows,
 * nothing crashes).
 */
export function updateStreamInfo(source: Source, msg: MediaMessage): string | null {
  if (!msg.sequenceHeader || msg.kind === 'data') return null;
  try {
    if (msg.kind === 'video') {
      const v = decodeVideoData(msg.payload);
      if (!('packetType' in v) || v.packetType !== 'sequence-header') return null;
      if (v.codec === 'h264') source.info.video = toVideo(describeAvc(decodeAvcConfig(v.data)));
      else if (v.codec === 'hevc') source.info.video = toVideo(describeHevc(decodeHevcConfig(v.data)));
    } else {
      const a = decodeAudioData(msg.payload);
      if (a.packetType !== 'sequence-header') return null;
      if (a.codec === 'aac') {
        const d = describeAac(decodeAsc(a.data));
        source.info.audio = { codec: d.codec, sampleRate: d.sample_rate, channels: d.channel, profile: d.profile ?? undefined };
      }
    }
    return null;
  } catch (e) {
    if (e instanceof ProtocolError) return e.code;
    throw e;
  }
}

function toVideo(d: ReturnType<typeof describeAvc>): Source['info']['video'] {
  return { codec: d.codec, profile: d.profile ?? undefined, level: d.level ?? undefined, width: d.width, height: d.height };
}
