import { RUNNEL_APP } from '@runnel/shared/hook-api';
import type { LiveStreamRow, MediaNodeRow } from '../db/schema.ts';

/**
 * The URLs a tenant hands to broadcasters and players. Publish URLs carry
 * the stream key (a secret); playback URLs carry only the playback id, the
 * name the node publishes under once the hook admitted the key.
 * Shapes follow the peers users know (hosted-apis.md 2.4): one object per
 * protocol, SRT streamid in SRS's `#!::r=app/stream,m=publish` form
 * (srs.md section 4).
 */

export interface PublishUrls {
  /** OBS "Server" + "Stream Key"; ffmpeg: `${url}/${stream_key}`. */
  readonly rtmp: { readonly url: string; readonly stream_key: string };
  readonly srt: { readonly url: string; readonly streamid: string; readonly passphrase: string } | null;
  /** WHIP (RFC 9725): POST the SDP offer to `url` with `Authorization: Bearer <token>`. */
  readonly whip: { readonly url: string; readonly token: string } | null;
}

export interface PlaybackUrls {
  readonly playback_id: string;
  readonly policy: LiveStreamRow['playbackPolicy'];
  /** True for signed playback ids: append `?token=` from the playback token endpoint. */
  readonly token_required: boolean;
  readonly hls: { readonly url: string };
  /** Low-latency outputs on the stream's node; null until a node is assigned. */
  readonly flv: { readonly url: string } | null;
  readonly rtmp: { readonly url: string } | null;
  readonly whep: { readonly url: string } | null;
}

const base = (url: string): string => url.replace(/\/+$/, '');

export function publishUrls(stream: LiveStreamRow, node: MediaNodeRow): PublishUrls {
  return {
    rtmp: { url: `${base(node.rtmpUrl)}/${RUNNEL_APP}`, stream_key: stream.streamKey },
    srt:
      node.srtUrl === null
        ? null
        : { url: base(node.srtUrl), streamid: `#!::r=${RUNNEL_APP}/${stream.streamKey},m=publish`, passphrase: stream.srtPassphrase },
    whip: node.webrtcUrl === null ? null : { url: `${base(node.webrtcUrl)}/rtc/v1/whip/?app=${RUNNEL_APP}`, token: stream.streamKey },
  };
}

export function playbackUrls(stream: LiveStreamRow, node: MediaNodeRow | null, hlsBaseUrl: string): PlaybackUrls {
  const id = stream.playbackId;
  return {
    playback_id: id,
    policy: stream.playbackPolicy,
    token_required: stream.playbackPolicy === 'signed',
    hls: { url: `${base(hlsBaseUrl)}/${id}/index.m3u8` },
    flv: node === null ? null : { url: `${base(node.httpUrl)}/${RUNNEL_APP}/${id}.flv` },
    rtmp: node === null ? null : { url: `${base(node.rtmpUrl)}/${RUNNEL_APP}/${id}` },
    whep: node?.webrtcUrl == null ? null : { url: `${base(node.webrtcUrl)}/rtc/v1/whep/?app=${RUNNEL_APP}&stream=${id}` },
  };
}
