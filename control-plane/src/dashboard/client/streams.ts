/**
 * The stream list: rows from GET /v1/live-streams, refreshed every few
 * seconds in place (cells change, rows and focus stay), and the create form.
 * Live rows show since when, the ingest bitrate and the codecs the node
 * reported in its latest heartbeat (the stream's \`live\`).
 */
export const STREAMS_JS = `
function statusBadge(status) { return el('span', { class: 'badge', 'data-status': status, text: status }); }
function initStreams() {
  var tbody = $('#streams tbody');
  var rows = new Map();
  function isLive(s) { return s.status === 'connected' || s.status === 'active'; }
  /** \`live\` is the current session's start and the node's latest figures (heartbeats); null when not live. */
  function sinceText(s) { return isLive(s) && s.live ? fmtTime(s.live.since) : '—'; }
  function cells(s) {
    return [
      el('a', { href: '/dashboard/streams/' + s.id, text: s.name }),
      statusBadge(s.status),
      sinceText(s),
      isLive(s) ? fmtBitrate(s.live) : '—',
      isLive(s) ? fmtCodecs(s.live) : '—',
      s.enabled ? 'Yes' : 'Disabled',
      s.node_id || '—',
      fmtTime(s.created_at),
    ];
  }
  function render(list) {
    var seen = new Set();
    list.forEach(function (s, i) {
      seen.add(s.id);
      var key = JSON.stringify(cells(s).slice(1).map(function (c) { return typeof c === 'string' ? c : c.textContent; }).concat([s.name]));
      var row = rows.get(s.id);
      if (!row) {
        row = el('tr', { 'data-id': s.id });
        cells(s).forEach(function (c, j) { row.appendChild(j === 0 ? el('th', { scope: 'row' }, c) : el('td', {}, c)); });
        rows.set(s.id, row);
      } else if (row.dataset.key !== key) {
        var fresh = cells(s);
        for (var j = 1; j < fresh.length; j++) row.children[j].replaceChildren(fresh[j]);
        row.children[0].firstChild.textContent = s.name;
      }
      row.dataset.key = key;
      row.dataset.status = s.status;
      if (tbody.children[i] !== row) tbody.insertBefore(row, tbody.children[i] || null);
    });
    rows.forEach(function (row, id) { if (!seen.has(id)) { row.remove(); rows.delete(id); } });
    $('#streams-empty').hidden = list.length > 0;
    $('#streams').hidden = list.length === 0;
  }
  function refresh() {
    return api('GET', '/v1/live-streams?limit=100').then(function (r) {
      render(r.data);
      $('#streams-more').hidden = !r.next_cursor;
      $('#refreshed').textContent = 'Status as of ' + new Date().toLocaleTimeString() + ', refreshing every 3 s';
    });
  }
  refresh().catch(showError);
  poll(refresh, POLL_MS);
  $('#create-stream').addEventListener('submit', function (e) {
    e.preventDefault();
    clearMessages();
    var name = $('#stream-name').value.trim();
    if (!name) { showError('Give the stream a name.'); $('#stream-name').focus(); return; }
    api('POST', '/v1/live-streams', { name: name, playback_policy: $('#stream-policy').value, recording: { mode: $('#stream-recording').value } })
      .then(function (r) { location.href = '/dashboard/streams/' + r.data.id; }, showError);
  });
}
`;
