/** What `runnel start` prints once the platform is up: the key, and commands that work when pasted. */
export interface BannerInfo {
  readonly controlPlaneUrl: string;
  readonly apiKey: string;
  readonly dataDir: string;
  readonly ports: { readonly rtmp: number; readonly http: number; readonly api: number };
}

export function platformBanner(b: BannerInfo): string {
  const api = b.controlPlaneUrl;
  const node = `http://127.0.0.1:${b.ports.http}`;
  return `
Runnel is running.

  control plane   ${api}   (API reference: ${api}/v1/openapi.json)
  media node      rtmp://127.0.0.1:${b.ports.rtmp}   ${node}   SRS API http://127.0.0.1:${b.ports.api}/api/v1/summaries
  data            ${b.dataDir}

API key of the default tenant (kept in the data directory; treat it as a password):

  export RUNNEL_API_KEY=${b.apiKey}

Create a stream (the answer holds its id, stream_key and playback_ids):

  curl -s ${api}/v1/live-streams -H "authorization: Bearer $RUNNEL_API_KEY" \\
    -H 'content-type: application/json' -d '{"name":"my first stream"}'

Get its publish URL (allocates the node):

  curl -s -X POST ${api}/v1/live-streams/$STREAM_ID/publish-urls -H "authorization: Bearer $RUNNEL_API_KEY"

Publish with ffmpeg:

  ffmpeg -re -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440 \\
    -c:v libx264 -preset veryfast -tune zerolatency -g 60 -c:a aac -f flv rtmp://127.0.0.1:${b.ports.rtmp}/live/$STREAM_KEY

or OBS: Settings > Stream > Service "Custom", Server rtmp://127.0.0.1:${b.ports.rtmp}/live, Stream Key $STREAM_KEY.

Play (the playback id, never the key):

  ffplay ${node}/live/$PLAYBACK_ID.flv            (HTTP-FLV, low latency)
  ffplay ${api}/hls/$PLAYBACK_ID/index.m3u8   (HLS, from the first segment on)
  curl -s ${api}/v1/live-streams/$STREAM_ID/playback-urls -H "authorization: Bearer $RUNNEL_API_KEY"

Ctrl-C stops everything.
`;
}
