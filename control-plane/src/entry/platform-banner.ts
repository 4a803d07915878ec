/**
 * What `runnel start` prints once the platform is up: the key, and commands
 * that work when pasted into a POSIX shell, in order. Every publish needs a
 * stream key the API issued (the node asks the control plane), so the
 * commands create a stream and publish with its key; no `live/livestream`
 * example, which the platform would refuse. JSON is read with `node -p`
 * because Node is the one tool sure to be there.
 */
export interface BannerInfo {
  readonly controlPlaneUrl: string;
  readonly apiKey: string;
  readonly dataDir: string;
  readonly ports: { readonly rtmp: number; readonly http: number; readonly api: number };
}

/** `node -p` printing one expression of the JSON in `"$VAR"`. */
const fromJson = (variable: string, expr: string) => `$(node -p 'const j = JSON.parse(process.argv[1]); ${expr}' "$${variable}")`;

/** The first paste: the key, a new stream, its publish URL; one command per line. */
export function setupCommands(b: BannerInfo): string[] {
  const api = b.controlPlaneUrl;
  return [
    `export RUNNEL_API_KEY=${b.apiKey}`,
    `STREAM=$(curl -s ${api}/v1/live-streams -H "authorization: Bearer $RUNNEL_API_KEY" -H 'content-type: application/json' -d '{"name":"my first stream"}')`,
    `STREAM_ID=${fromJson('STREAM', 'j.data.id')}`,
    `PLAYBACK_ID=${fromJson('STREAM', 'j.data.playback_ids[0].id')}`,
    `PUBLISH=$(curl -s -X POST "${api}/v1/live-streams/$STREAM_ID/publish-urls" -H "authorization: Bearer $RUNNEL_API_KEY")`,
    `RTMP_URL=${fromJson('PUBLISH', 'j.data.rtmp.url.replace(/\\/$/, "") + "/" + j.data.rtmp.stream_key')}`,
    `echo "stream $STREAM_ID: publish to $RTMP_URL, play $PLAYBACK_ID"`,
  ];
}

export function platformBanner(b: BannerInfo): string {
  const api = b.controlPlaneUrl;
  const node = `http://127.0.0.1:${b.ports.http}`;
  const indent = (lines: readonly string[]) => lines.map((l) => `  ${l}`).join('\n');
  return `
Runnel is running.

  dashboard       ${api}/   (sign up there; the first account is the admin)
  control plane   ${api}   (API reference: ${api}/v1/openapi.json)
  media node      rtmp://127.0.0.1:${b.ports.rtmp}   ${node}   SRS API http://127.0.0.1:${b.ports.api}/api/v1/summaries
  data            ${b.dataDir}

The API key of the default tenant is below (kept in the data directory; treat it as a password).
Paste these lines into a shell: they create a stream and get its publish URL with its stream key
(the platform refuses a publish without a key it issued).

${indent(setupCommands(b))}

Then, in the same shell, publish a test picture with ffmpeg:

  ffmpeg -re -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine=frequency=440 \\
    -c:v libx264 -preset veryfast -tune zerolatency -g 60 -c:a aac -f flv "$RTMP_URL"

or with OBS: Settings > Stream > Service "Custom", Server and Stream Key as printed by

  node -p 'const r = JSON.parse(process.argv[1]).data.rtmp; "Server " + r.url + "   Stream Key " + r.stream_key' "$PUBLISH"

Play it (under the playback id; the stream key never names a stream):

  ffplay "${node}/live/$PLAYBACK_ID.flv"          (HTTP-FLV, low latency)
  ffplay "${api}/hls/$PLAYBACK_ID/index.m3u8"     (HLS, from the first segment on)
  curl -s "${api}/v1/live-streams/$STREAM_ID/playback-urls" -H "authorization: Bearer $RUNNEL_API_KEY"

Ctrl-C stops everything.
`;
}
