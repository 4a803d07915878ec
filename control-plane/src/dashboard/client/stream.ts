/**
 * One stream: status polled from GET /v1/live-streams/{id}; publish settings
 * from POST .../publish-urls (which allocates a node, as for API users);
 * playback URLs; a live preview (mpegts.js for HTTP-FLV once connected,
 * hls.js for HLS once active) with a playback token for signed ids; rename,
 * enable/disable, rotate key and delete behind confirmations; sessions
 * (with codecs) and recordings (play and download links when in a bucket).
 */
export const STREAM_JS = `
var loadedScripts = {};
function loadScript(src) {
  loadedScripts[src] = loadedScripts[src] || new Promise(function (resolve, reject) {
    var s = document.createElement('script');
    s.src = src; s.onload = resolve;
    s.onerror = function () { delete loadedScripts[src]; reject(new Error('Could not load the player (' + src + ').')); };
    document.head.appendChild(s);
  });
  return loadedScripts[src];
}
function ffmpegLine(target) {
  return 'ffmpeg -re -i input.mp4 -c:v libx264 -preset veryfast -tune zerolatency -g 50 -c:a aac -b:a 128k -f flv "' + target + '"';
}
function initStream() {
  var id = document.body.dataset.streamId;
  var base = '/v1/live-streams/' + id;
  var stream = null, playback = null, engine = 'flv', player = null, sessions = [];
  var video = $('#preview');

  function renderHead() {
    document.title = stream.name + ' · Runnel';
    $('#stream-name-h').textContent = stream.name;
    var badge = $('#status');
    badge.textContent = stream.status; badge.dataset.status = stream.status;
    var current = sessions.filter(function (x) { return x.id === stream.current_session_id && !x.ended_at; })[0];
    var parts = [];
    if (!stream.enabled) parts.push('disabled: publishing is refused');
    if (current) parts.push('since ' + fmtTime(current.started_at) + (current.protocol ? ' over ' + current.protocol.toUpperCase() : ''));
    if (stream.node_id) parts.push('node ' + stream.node_id);
    if (stream.live && stream.live.stats_at) parts.push(fmtBitrate(stream.live) + ' · ' + fmtCodecs(stream.live));
    $('#status-detail').textContent = parts.join(' · ');
    $('#toggle-enabled').textContent = stream.enabled ? 'Disable…' : 'Enable';
    if (document.activeElement !== $('#rename-name')) $('#rename-name').value = stream.name;
  }

  function renderPublish(urls, note) {
    var box = $('#publish');
    box.replaceChildren();
    $('#publish-note').textContent = note || '';
    if (!urls) return;
    var rtmpTarget = urls.rtmp.url.replace(/\\/+$/, '') + '/' + urls.rtmp.stream_key;
    box.appendChild(el('h3', { text: 'OBS and other RTMP encoders' }));
    box.appendChild(field('rtmp-server', 'Server', urls.rtmp.url));
    box.appendChild(field('rtmp-key', 'Stream key', urls.rtmp.stream_key, { masked: MASK }));
    box.appendChild(el('h3', { text: 'ffmpeg' }));
    box.appendChild(field('ffmpeg', 'Command line', ffmpegLine(rtmpTarget), { masked: ffmpegLine(urls.rtmp.url.replace(/\\/+$/, '') + '/' + MASK), multiline: true }));
    if (urls.srt) {
      var q = '?streamid=' + encodeURIComponent(urls.srt.streamid) + '&passphrase=' + encodeURIComponent(urls.srt.passphrase);
      box.appendChild(el('h3', { text: 'SRT' }));
      box.appendChild(field('srt-url', 'SRT URL (with stream id and passphrase)', urls.srt.url + q, { masked: urls.srt.url + '?streamid=' + MASK }));
      box.appendChild(field('srt-streamid', 'Stream id', urls.srt.streamid, { masked: MASK }));
      box.appendChild(field('srt-passphrase', 'Passphrase', urls.srt.passphrase, { masked: MASK }));
    }
    if (urls.whip) {
      box.appendChild(el('h3', { text: 'WebRTC (WHIP)' }));
      box.appendChild(field('whip-url', 'WHIP URL', urls.whip.url));
      box.appendChild(field('whip-token', 'Bearer token', urls.whip.token, { masked: MASK }));
    }
  }

  function renderPlayback() {
    var box = $('#playback');
    box.replaceChildren();
    if (playback.token_required) box.appendChild(el('p', { class: 'muted', text: 'Signed playback: players need ?token= from POST ' + base + '/playback-tokens.' }));
    box.appendChild(field('play-hls', 'HLS', playback.hls.url));
    if (playback.flv) box.appendChild(field('play-flv', 'HTTP-FLV (low latency)', playback.flv.url));
    if (playback.whep) box.appendChild(field('play-whep', 'WHEP (WebRTC)', playback.whep.url));
    if (!playback.flv) box.appendChild(el('p', { class: 'muted', text: 'Low-latency URLs appear once the stream has a media node (when publish settings are shown).' }));
    var embed = '<video id="runnel-player" controls muted playsinline></video>\\n'
      + '<script src="' + location.origin + '/dashboard/assets/hls.js"></' + 'script>\\n'
      + '<script>\\n  var v = document.getElementById("runnel-player"), u = "' + playback.hls.url + '";\\n'
      + '  if (window.Hls && Hls.isSupported()) { var h = new Hls(); h.loadSource(u); h.attachMedia(v); } else { v.src = u; }\\n</' + 'script>';
    box.appendChild(field('embed', 'Embed snippet', embed, { multiline: true }));
  }

  function loadUrls() {
    var pub = api('POST', base + '/publish-urls', {}).then(function (r) { renderPublish(r.data); }, function (err) {
      var note = err.code === 'stream_disabled' ? 'The stream is disabled: enable it to get publish settings.'
        : err.code === 'no_node_available' ? 'No media node is available right now; publish settings appear when one is.' : err.message;
      renderPublish(null, note);
    });
    return pub.then(function () { return api('GET', base + '/playback-urls'); }).then(function (r) { playback = r.data; renderPlayback(); });
  }

  function stopPreview(note) {
    if (player) { try { player.destroy(); } catch (e) { /* already gone */ } player = null; }
    video.removeAttribute('src');
    delete video.dataset.engine;
    $('#preview-note').textContent = note;
  }
  function previewUrl(u) {
    if (!playback.token_required) return Promise.resolve(u);
    return api('POST', base + '/playback-tokens', {}).then(function (r) { return u + (u.indexOf('?') < 0 ? '?' : '&') + 'token=' + encodeURIComponent(r.data.token); });
  }
  function startPreview() {
    var live = stream.status === 'connected' || stream.status === 'active';
    if (!live || !playback) { if (player) stopPreview('The stream is not live.'); else $('#preview-note').textContent = 'The preview starts when the stream is live.'; return; }
    if (player && player.engine === engine) return;
    if (engine === 'hls' && stream.status !== 'active') { stopPreview('HLS starts once the first segment is written (status active).'); return; }
    if (engine === 'flv' && !playback.flv) { stopPreview('HTTP-FLV needs the stream\\'s media node; try HLS.'); return; }
    stopPreview('Starting the preview…');
    var want = engine;
    var pending = { engine: want, destroy: function () { this.cancelled = true; } };
    player = pending;
    var src = want === 'flv' ? playback.flv.url : playback.hls.url;
    previewUrl(src).then(function (url) {
      return loadScript('/dashboard/assets/' + (want === 'flv' ? 'mpegts.js' : 'hls.js')).then(function () {
        if (pending.cancelled) return;
        var p;
        if (want === 'flv') {
          if (!window.mpegts || !mpegts.isSupported()) throw new Error('This browser cannot play HTTP-FLV (no Media Source Extensions); try HLS.');
          var m = mpegts.createPlayer({ type: 'flv', isLive: true, url: url }, { enableStashBuffer: false, liveBufferLatencyChasing: true });
          m.attachMediaElement(video); m.load();
          m.on(mpegts.Events.ERROR, function (t, d) { $('#preview-note').textContent = 'Preview error: ' + t + ' ' + d; });
          p = { engine: 'flv', destroy: function () { m.destroy(); } };
          video.dataset.engine = 'mpegts.js';
        } else if (window.Hls && Hls.isSupported()) {
          var h = new Hls();
          h.on(Hls.Events.ERROR, function (e, d) { if (d.fatal) $('#preview-note').textContent = 'Preview error: ' + d.type + ' ' + d.details; });
          h.loadSource(url); h.attachMedia(video);
          p = { engine: 'hls', destroy: function () { h.destroy(); } };
          video.dataset.engine = 'hls.js';
        } else {
          video.src = url;
          p = { engine: 'hls', destroy: function () { video.removeAttribute('src'); video.load(); } };
          video.dataset.engine = 'native-hls';
        }
        player = p;
        $('#preview-note').textContent = 'Previewing ' + (want === 'flv' ? 'HTTP-FLV' : 'HLS') + ' (muted).';
        var r = video.play(); if (r && r.catch) r.catch(function () { /* autoplay refused: controls remain */ });
      });
    }).catch(function (err) { if (player === pending) player = null; $('#preview-note').textContent = err.message; });
  }
  document.querySelectorAll('.segmented button').forEach(function (b) {
    b.addEventListener('click', function () {
      engine = b.dataset.engine;
      document.querySelectorAll('.segmented button').forEach(function (x) { x.setAttribute('aria-pressed', String(x === b)); });
      startPreview();
    });
  });

  function renderSessions() {
    var tbody = $('#sessions tbody');
    tbody.replaceChildren();
    sessions.forEach(function (x) {
      tbody.appendChild(el('tr', {}, el('td', { text: fmtTime(x.started_at) }), el('td', { text: x.ended_at ? fmtTime(x.ended_at) : 'live' }),
        el('td', { text: fmtDuration(x.duration_ms) }), el('td', { text: x.protocol || '—' }), el('td', { text: fmtCodecs(x) }), el('td', { text: x.client_ip }),
        el('td', { text: x.end_reason || '—' })));
    });
    $('#sessions-empty').hidden = sessions.length > 0;
    $('#sessions').hidden = sessions.length === 0;
  }
  function loadSessions() {
    return api('GET', base + '/sessions?limit=20').then(function (r) { sessions = r.data; renderSessions(); });
  }

  /**
   * Recordings (GET .../recordings): a file in a bucket behind a CDN has a URL; one on this machine's disk
   * (runnel start) is served by the API at file_path (same cookie); otherwise the page says where it is.
   */
  var recordingsKey = '';
  function renderRecordings(list) {
    var key = JSON.stringify(list.map(function (x) { return x.id; }));
    if (key === recordingsKey) return;
    recordingsKey = key;
    var tbody = $('#recordings tbody');
    tbody.replaceChildren();
    list.forEach(function (x) {
      var href = x.url || x.file_path;
      var where = href
        ? el('span', { class: 'links' },
          el('a', { href: href, target: '_blank', rel: 'noopener', 'data-action': 'play', text: 'Play' }), ' ',
          el('a', { href: href, download: '', 'data-action': 'download', text: 'Download' }))
        : el('span', { class: 'muted', title: x.storage_key, text: 'On node ' + x.node_id + ': ' + x.storage_key });
      tbody.appendChild(el('tr', { 'data-id': x.id }, el('td', { text: fmtTime(x.created_at) }), el('td', { text: x.format ? x.format.toUpperCase() : '—' }),
        el('td', { text: typeof x.duration_ms === 'number' ? fmtDuration(x.duration_ms) : '—' }), el('td', { text: fmtBytes(x.bytes) }), el('td', {}, where)));
    });
    $('#recordings-empty').hidden = list.length > 0;
    $('#recordings').hidden = list.length === 0;
  }
  function loadRecordings() {
    return api('GET', base + '/recordings?limit=20').then(function (r) { renderRecordings(r.data); });
  }

  var lastKey = '';
  function refresh() {
    return api('GET', base).then(function (r) {
      var before = stream;
      stream = r.data;
      var key = [stream.status, stream.current_session_id, stream.node_id, stream.enabled].join('|');
      var changed = key !== lastKey;
      lastKey = key;
      // recordings arrive after the files are closed (and uploaded), not with a status change: ask each poll
      var chain = Promise.all([changed ? loadSessions() : null, loadRecordings()]);
      if (before && (before.node_id !== stream.node_id || before.enabled !== stream.enabled)) chain = chain.then(loadUrls);
      return chain.then(function () { renderHead(); startPreview(); });
    });
  }
  api('GET', base).then(function (r) { stream = r.data; lastKey = [stream.status, stream.current_session_id, stream.node_id, stream.enabled].join('|'); })
    .then(function () { return Promise.all([loadUrls(), loadSessions(), loadRecordings()]); })
    .then(function () { renderHead(); startPreview(); poll(refresh, POLL_MS); })
    .catch(function (err) { showError(err.status === 404 ? new Error('No such live stream.') : err); });

  $('#rename').addEventListener('submit', function (e) {
    e.preventDefault();
    clearMessages();
    api('PATCH', base, { name: $('#rename-name').value.trim() }).then(function (r) { stream = r.data; renderHead(); flash('Renamed.'); }, showError);
  });
  $('#toggle-enabled').addEventListener('click', function () {
    clearMessages();
    var go = stream.enabled
      ? confirmDialog('Disable ' + stream.name + '?', 'Anyone publishing to this stream is disconnected now, and new publishes are refused until you enable it again.', 'Disable stream')
      : Promise.resolve(true);
    go.then(function (ok) {
      if (!ok) return;
      return api('POST', base + (stream.enabled ? '/disable' : '/enable')).then(function (r) {
        stream = r.data; renderHead(); flash(stream.enabled ? 'Enabled.' : 'Disabled: publishers were disconnected.');
        return loadUrls();
      });
    }).catch(showError);
  });
  $('#rotate').addEventListener('click', function () {
    clearMessages();
    confirmDialog('Rotate the stream key?', 'A new stream key replaces the current one at once. Anyone publishing with the current key is disconnected now, and encoders must be updated with the new key before they can publish again.', 'Rotate key and cut publishers')
      .then(function (ok) {
        if (!ok) return;
        return api('POST', base + '/rotate-keys').then(function (r) {
          stream = r.data; renderHead();
          flash('Stream key rotated. Publishers using the old key were disconnected; update your encoder with the new key.');
          return loadUrls();
        });
      }).catch(showError);
  });
  $('#delete').addEventListener('click', function () {
    clearMessages();
    confirmDialog('Delete ' + stream.name + '?', 'The stream, its keys and its playback id are deleted; anyone publishing is disconnected. This cannot be undone.', 'Delete stream')
      .then(function (ok) {
        if (!ok) return;
        return api('DELETE', base).then(function () { location.href = '/dashboard/'; });
      }).catch(showError);
  });
}
`;
