/**
 * The operator view: GET /admin/nodes every few seconds (the same JSON an
 * operator's script gets with the admin token), one row per node, updated
 * in place. Heartbeat ages are computed against the answer's `as_of`, so a
 * browser with a wrong clock still shows how late a node is.
 */
export const NODES_JS = `
function fmtPercent(share) { return Math.round(share * 100) + ' %'; }
function fmtAge(ms) { return ms < 1000 ? 'just now' : fmtDuration(ms) + ' ago'; }
/** The node's figures, one per column of the table head. */
function nodeCells(n, asOf) {
  var beat = Date.parse(asOf) - Date.parse(n.last_heartbeat_at);
  return [
    el('span', {}, el('span', { class: 'node-id', text: n.id }), n.version ? el('span', { class: 'muted block', text: 'v' + n.version }) : null),
    n.region,
    el('span', {}, el('span', { class: 'badge', 'data-health': n.health, text: n.health }),
      el('span', { class: 'muted block', title: 'Last heartbeat ' + fmtTime(n.last_heartbeat_at) + '; one every ' + Math.round(n.heartbeat_interval_ms / 1000) + ' s', text: 'beat ' + fmtAge(beat) })),
    el('span', { class: 'load' }, el('meter', { min: '0', max: '1', low: '0.6', high: '0.85', optimum: '0', value: String(Math.min(n.load_score, 1)), 'aria-label': 'Load of ' + n.id }), ' ' + fmtPercent(n.load_score)),
    n.load.streams + ' / ' + n.capacity.max_streams,
    fmtKbps(n.load.bitrate_in_kbps),
    fmtKbps(n.load.bitrate_out_kbps) + ' of ' + fmtKbps(n.capacity.max_egress_kbps),
    String(n.load.clients),
    fmtPercent(n.load.cpu),
  ];
}
/** The live streams on a node, for the full-width row under its figures. */
function nodeLive(n) {
  if (!n.live_stream_count) return el('span', { class: 'muted', text: 'No live streams' });
  var list = el('ul', { class: 'live-list', 'aria-label': 'Live streams on ' + n.id });
  n.live_streams.forEach(function (s) {
    var since = s.started_at ? ' since ' + fmtTime(s.started_at) : '';
    list.appendChild(el('li', { 'data-stream-id': s.id },
      el('span', { class: 'badge', 'data-status': s.status, text: s.status }), ' ',
      el('strong', { text: s.name }), ' ',
      el('span', { class: 'muted', text: (s.protocol ? s.protocol.toUpperCase() : '?') + since + ' · ' + s.tenant_id })));
  });
  if (n.live_streams_truncated) list.appendChild(el('li', { class: 'muted', text: '+ ' + (n.live_stream_count - n.live_streams.length) + ' more' }));
  return list;
}
function initNodes() {
  var table = $('#nodes');
  var COLUMNS = table.tHead.rows[0].cells.length;
  /** One tbody per node: its figures, then its live streams across the whole width. */
  var groups = new Map();
  function render(list, asOf) {
    var seen = new Set();
    list.forEach(function (n, i) {
      seen.add(n.id);
      var g = groups.get(n.id);
      if (!g) {
        var figures = el('tr', { class: 'figures' });
        for (var j = 0; j < COLUMNS; j++) figures.appendChild(j === 0 ? el('th', { scope: 'row' }) : el('td', {}));
        var live = el('tr', { class: 'live' }, el('td', { colspan: String(COLUMNS) }));
        g = el('tbody', { 'data-id': n.id }, figures, live);
        groups.set(n.id, g);
      }
      nodeCells(n, asOf).forEach(function (c, j) { g.rows[0].cells[j].replaceChildren(c); });
      g.rows[1].cells[0].replaceChildren(nodeLive(n));
      g.dataset.health = n.health;
      if (table.tBodies[i] !== g) table.insertBefore(g, table.tBodies[i] || null);
    });
    groups.forEach(function (g, id) { if (!seen.has(id)) { g.remove(); groups.delete(id); } });
    $('#nodes-empty').hidden = list.length > 0;
    table.hidden = list.length === 0;
    var healthy = list.filter(function (n) { return n.health === 'healthy'; }).length;
    var live = list.reduce(function (a, n) { return a + n.live_stream_count; }, 0);
    $('#fleet').textContent = list.length + (list.length === 1 ? ' node, ' : ' nodes, ') + healthy + ' healthy · ' + live + (live === 1 ? ' live stream' : ' live streams');
  }
  function refresh() {
    return api('GET', '/admin/nodes').then(function (r) {
      render(r.data, r.as_of);
      $('#nodes-more').hidden = !r.truncated;
      $('#refreshed').textContent = 'As of ' + new Date().toLocaleTimeString() + ', refreshing every 3 s';
    });
  }
  refresh().catch(showError);
  poll(refresh, POLL_MS);
}
`;
