/** Webhook endpoints: add (the signing secret is shown this once), send a test event, recent deliveries (polled while open), delete. */
export const WEBHOOKS_JS = `
function initWebhooks() {
  var list = $('#endpoints');
  var open = new Map();
  function deliveriesTable(rows) {
    if (rows.length === 0) return el('p', { class: 'empty', text: 'No deliveries yet. Send a test event, or go live.' });
    var tbody = el('tbody');
    rows.forEach(function (d) {
      var state = d.status === 'pending' && d.attempts > 0 ? 'retrying (' + d.attempts + ' attempts, next ' + fmtTime(d.next_attempt_at) + ')' : d.status;
      tbody.appendChild(el('tr', { 'data-status': d.status }, el('td', { text: d.event_type }), el('td', { text: state }),
        el('td', { text: d.last_status_code === null ? (d.last_error || '—') : String(d.last_status_code) }), el('td', { text: String(d.attempts) }), el('td', { text: fmtTime(d.created_at) })));
    });
    return el('div', { class: 'table-wrap' }, el('table', {},
      el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Event' }), el('th', { scope: 'col', text: 'Status' }), el('th', { scope: 'col', text: 'HTTP status' }), el('th', { scope: 'col', text: 'Attempts' }), el('th', { scope: 'col', text: 'Created' }))),
      tbody));
  }
  function loadDeliveries(ep, box) {
    return api('GET', '/v1/webhook-endpoints/' + ep.id + '/deliveries?limit=20').then(function (r) { box.replaceChildren(deliveriesTable(r.data)); });
  }
  function render(endpoints) {
    list.replaceChildren();
    $('#endpoints-empty').hidden = endpoints.length > 0;
    endpoints.forEach(function (ep) {
      var box = el('div', { id: 'deliveries-' + ep.id, class: 'deliveries', hidden: !open.has(ep.id) });
      var toggle = el('button', { type: 'button', class: 'small', 'aria-expanded': String(open.has(ep.id)), 'aria-controls': 'deliveries-' + ep.id, text: 'Deliveries' });
      toggle.addEventListener('click', function () {
        var show = box.hidden;
        box.hidden = !show; toggle.setAttribute('aria-expanded', String(show));
        if (show) { open.set(ep.id, box); loadDeliveries(ep, box).catch(showError); } else open.delete(ep.id);
      });
      var test = el('button', { type: 'button', class: 'small', text: 'Send test event' });
      test.addEventListener('click', function () {
        clearMessages();
        api('POST', '/v1/webhook-endpoints/' + ep.id + '/test').then(function () {
          flash('Test event queued for ' + ep.url + '.');
          open.set(ep.id, box); box.hidden = false; toggle.setAttribute('aria-expanded', 'true');
          return loadDeliveries(ep, box);
        }).catch(showError);
      });
      var del = el('button', { type: 'button', class: 'small danger', text: 'Delete' });
      del.addEventListener('click', function () {
        confirmDialog('Delete this endpoint?', ep.url + ' stops receiving events at once.', 'Delete endpoint').then(function (ok) {
          if (!ok) return;
          return api('DELETE', '/v1/webhook-endpoints/' + ep.id).then(function () { open.delete(ep.id); flash('Endpoint deleted.'); return refresh(); });
        }).catch(showError);
      });
      var events = ep.events.length === 0 ? 'all events' : ep.events.join(', ');
      list.appendChild(el('div', { class: 'endpoint', 'data-id': ep.id },
        el('p', {}, el('code', { text: ep.url })),
        el('p', { class: 'muted', text: events + ' · ' + (ep.enabled ? 'enabled' : 'disabled') + ' · added ' + fmtTime(ep.created_at) }),
        el('div', { class: 'actions' }, test, toggle, del), box));
      if (open.has(ep.id)) { open.set(ep.id, box); loadDeliveries(ep, box).catch(showError); }
    });
  }
  function refresh() { return api('GET', '/v1/webhook-endpoints?limit=100').then(function (r) { render(r.data); }); }
  refresh().catch(showError);
  poll(function () {
    var jobs = [];
    open.forEach(function (box, id) { jobs.push(loadDeliveries({ id: id }, box)); });
    return Promise.all(jobs);
  }, POLL_MS);
  $('#add-webhook').addEventListener('submit', function (e) {
    e.preventDefault();
    clearMessages();
    api('POST', '/v1/webhook-endpoints', { url: $('#webhook-url').value.trim() }).then(function (r) {
      var box = $('#webhook-secret');
      box.replaceChildren(el('p', { text: 'Signing secret for ' + r.data.url + '. It is shown only now: store it where your receiver can verify Runnel-Signature with it.' }),
        field('webhook-secret-field', 'Signing secret', r.data.secret));
      box.hidden = false;
      $('#webhook-url').value = '';
      return refresh();
    }).catch(showError);
  });
}
`;
