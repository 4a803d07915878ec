/**
 * Client script (inside app.js) that turns media figures from `/v1` into
 * short text: bitrates, codecs with frame size, file sizes. Shared by the
 * stream list, the stream page and the operator view; tested on its own in
 * media-format.test.ts (it touches no DOM).
 */
export const MEDIA_FORMAT_JS = `
function fmtKbps(kbps) {
  if (kbps >= 1e6) return (kbps / 1e6).toFixed(kbps >= 1e7 ? 0 : 1) + ' Gb/s';
  if (kbps >= 1000) return (kbps / 1000).toFixed(kbps >= 1e4 ? 0 : 1) + ' Mb/s';
  return Math.round(kbps) + ' kb/s';
}
/** A live stream's \`live\` (or a session): "H264 1280×720 · AAC"; '—' before the node described it. */
function fmtCodecs(x) {
  if (!x) return '—';
  var parts = [];
  if (x.video) parts.push(x.video.codec + (x.video.width && x.video.height ? ' ' + x.video.width + '×' + x.video.height : ''));
  if (x.audio) parts.push(x.audio.codec);
  return parts.length ? parts.join(' · ') : '—';
}
/** The ingest bitrate of a live stream's \`live\`; '—' when unknown. */
function fmtBitrate(live) { return live && typeof live.bitrate_kbps === 'number' ? fmtKbps(live.bitrate_kbps) : '—'; }
function fmtBytes(n) {
  if (typeof n !== 'number') return '—';
  if (n >= 1e9) return (n / 1e9).toFixed(1) + ' GB';
  if (n >= 1e6) return (n / 1e6).toFixed(1) + ' MB';
  if (n >= 1e3) return (n / 1e3).toFixed(1) + ' kB';
  return n + ' B';
}
`;
