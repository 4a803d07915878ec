import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The built-in player page at `/players/`: plays `/app/stream.flv` (HTTP-FLV
 * or WS-FLV) with mpegts.js, which comes from npm and is served by the node
 * itself at `/players/mpegts.js` (never from a third-party CDN).
 */
export function playerPageHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Runnel player</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 1rem; background: #111; color: #eee; }
  form { display: flex; gap: .5rem; flex-wrap: wrap; margin-bottom: 1rem; }
  input { flex: 1 1 20rem; padding: .4rem; font-size: 1rem; }
  button { padding: .4rem 1rem; font-size: 1rem; }
  video { width: 100%; max-width: 960px; background: #000; }
  #status { margin-top: .5rem; color: #aaa; }
</style>
</head>
<body>
<h1>Runnel player</h1>
<form id="f">
  <label for="url">Stream URL (.flv over HTTP or ws://)</label>
  <input id="url" name="url" value="">
  <button type="submit">Play</button>
</form>
<video id="v" controls muted autoplay playsinline></video>
<div id="status" role="status" aria-live="polite"></div>
<script src="/players/mpegts.js"></script>
<script>
  const params = new URLSearchParams(location.search);
  const input = document.getElementById('url');
  const status = document.getElementById('status');
  input.value = params.get('url') || (location.origin + '/live/livestream.flv');
  let player = null;
  function play(url) {
    if (player) { player.destroy(); player = null; }
    if (!window.mpegts || !mpegts.isSupported()) { status.textContent = 'This browser cannot play FLV (no Media Source Extensions).'; return; }
    const isWs = url.startsWith('ws://') || url.startsWith('wss://');
    player = mpegts.createPlayer({ type: 'flv', isLive: true, url }, { enableStashBuffer: false, liveBufferLatencyChasing: true });
    player.attachMediaElement(document.getElementById('v'));
    player.on(mpegts.Events.ERROR, (t, d) => { status.textContent = 'Error: ' + t + ' ' + d; });
    player.load();
    const p = player.play();
    if (p && p.catch) p.catch(() => {});
    status.textContent = 'Playing ' + url + (isWs ? ' (WebSocket)' : '');
  }
  document.getElementById('f').addEventListener('submit', (e) => { e.preventDefault(); play(input.value); });
  if (params.get('autoplay') !== '0') play(input.value);
</script>
</body>
</html>
`;
}

let mpegtsJs: Buffer | null = null;

/** The mpegts.js browser bundle from the installed npm package (read once). */
export function mpegtsBundle(): Buffer {
  if (mpegtsJs === null) {
    const pkg = createRequire(import.meta.url).resolve('mpegts.js/package.json');
    mpegtsJs = readFileSync(join(dirname(pkg), 'dist', 'mpegts.js'));
  }
  return mpegtsJs;
}
