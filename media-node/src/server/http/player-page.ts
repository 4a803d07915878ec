import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The built-in player page at `/players/?url=...`: an `.m3u8` URL plays with
 * hls.js, anything else (`/app/stream.flv` over HTTP or ws://) with mpegts.js.
 * Both come from npm and are served by the node itself at `/players/hls.js`
 * and `/players/mpegts.js` (never from a third-party CDN); the page loads
 * only the one it needs. Native HLS (`video.src = url`) is the fallback for
 * browsers without Media Source Extensions (iOS Safari): Chrome answers
 * "maybe" to canPlayType('application/vnd.apple.mpegurl') too, and hls.js's
 * README recommends `Hls.isSupported()` first for that reason. The engine in
 * use is in the video element's `data-engine` (tests read it). The empty
 * icon link spares every page view a `/favicon.ico` 404.
 */
export function playerPageHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Runnel player</title>
<link rel="icon" href="data:,">
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
  <label for="url">Stream URL (.flv over HTTP or ws://, or .m3u8)</label>
  <input id="url" name="url" value="">
  <button type="submit">Play</button>
</form>
<video id="v" controls muted autoplay playsinline></video>
<div id="status" role="status" aria-live="polite"></div>
<script>
  const params = new URLSearchParams(location.search);
  const input = document.getElementById('url');
  const video = document.getElementById('v');
  const status = document.getElementById('status');
  input.value = params.get('url') || (location.origin + '/live/livestream.flv');
  const loaded = {};
  function loadScript(src) {
    loaded[src] = loaded[src] || new Promise((resolve, reject) => {
      const s = document.createElement('script');
      s.src = src;
      s.onload = resolve;
      s.onerror = () => reject(new Error('could not load ' + src));
      document.head.appendChild(s);
    });
    return loaded[src];
  }
  let stop = () => {};
  function started(engine, url, teardown) {
    stop = teardown;
    video.dataset.engine = engine;
    status.textContent = 'Playing ' + url + ' with ' + engine;
    const p = video.play();
    if (p && p.catch) p.catch(() => {});
  }
  function fail(text) { status.textContent = 'Error: ' + text; }
  function isHls(url) {
    try { return new URL(url, location.href).pathname.endsWith('.m3u8'); } catch (e) { return false; }
  }
  async function playHls(url) {
    await loadScript('/players/hls.js');
    if (window.Hls && Hls.isSupported()) {
      const hls = new Hls();
      hls.on(Hls.Events.ERROR, (e, d) => { if (d.fatal) fail(d.type + ' ' + d.details); });
      hls.loadSource(url);
      hls.attachMedia(video);
      started('hls.js', url, () => hls.destroy());
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      video.src = url;
      started('native-hls', url, () => { video.removeAttribute('src'); video.load(); });
    } else {
      fail('this browser cannot play HLS (no Media Source Extensions, no native HLS).');
    }
  }
  async function playFlv(url) {
    await loadScript('/players/mpegts.js');
    if (!window.mpegts || !mpegts.isSupported()) { fail('this browser cannot play FLV (no Media Source Extensions).'); return; }
    const player = mpegts.createPlayer({ type: 'flv', isLive: true, url }, { enableStashBuffer: false, liveBufferLatencyChasing: true });
    player.attachMediaElement(video);
    player.on(mpegts.Events.ERROR, (t, d) => fail(t + ' ' + d));
    player.load();
    const ws = url.startsWith('ws://') || url.startsWith('wss://');
    started(ws ? 'mpegts.js (WebSocket)' : 'mpegts.js', url, () => player.destroy());
  }
  function play(url) {
    stop();
    stop = () => {};
    delete video.dataset.engine;
    (isHls(url) ? playHls(url) : playFlv(url)).catch((e) => fail(e.message));
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

let hlsJs: Buffer | null = null;

/** The hls.js browser bundle (minified UMD, defines `window.Hls`) from the installed npm package (read once). */
export function hlsBundle(): Buffer {
  hlsJs ??= readFileSync(createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js'));
  return hlsJs;
}
