/** API keys: create (the key is shown this once), list with prefix and last use, revoke after a confirmation. */
export const API_KEYS_JS = `
function initApiKeys() {
  var tbody = $('#keys tbody');
  function render(keys) {
    tbody.replaceChildren();
    keys.forEach(function (k) {
      var action = k.revoked_at ? '' : el('button', { type: 'button', class: 'small danger', 'aria-label': 'Revoke ' + k.name, text: 'Revoke', onclick: function () {
        confirmDialog('Revoke ' + k.name + '?', 'Requests with this key (' + k.prefix + '…) are refused from now on. This cannot be undone.', 'Revoke key').then(function (ok) {
          if (!ok) return;
          return api('DELETE', '/v1/api-keys/' + k.id).then(function () { flash('Key revoked.'); return refresh(); });
        }).catch(showError);
      } });
      tbody.appendChild(el('tr', { 'data-id': k.id }, el('th', { scope: 'row', text: k.name }), el('td', {}, el('code', { text: k.prefix + '…' })),
        el('td', { text: k.permission === 'read_only' ? 'read only' : 'read and write' }), el('td', { text: fmtTime(k.created_at) }),
        el('td', { text: k.last_used_at ? fmtTime(k.last_used_at) : 'never' }), el('td', { text: k.revoked_at ? 'revoked ' + fmtTime(k.revoked_at) : 'active' }), el('td', {}, action)));
    });
    $('#keys-empty').hidden = keys.length > 0;
    $('#keys').hidden = keys.length === 0;
  }
  function refresh() { return api('GET', '/v1/api-keys?limit=100').then(function (r) { render(r.data); }); }
  refresh().catch(showError);
  $('#create-key').addEventListener('submit', function (e) {
    e.preventDefault();
    clearMessages();
    var name = $('#key-name').value.trim();
    if (!name) { showError('Give the key a name.'); $('#key-name').focus(); return; }
    api('POST', '/v1/api-keys', { name: name, permission: $('#key-permission').value }).then(function (r) {
      var box = $('#new-key');
      box.replaceChildren(el('p', { text: 'Your new key. It is shown only now: copy it to where it will be used.' }), field('new-key-field', r.data.name, r.data.key));
      box.hidden = false;
      $('#key-name').value = '';
      return refresh();
    }).catch(showError);
  });
}
`;
