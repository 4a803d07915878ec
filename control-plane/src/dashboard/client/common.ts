/**
 * Client script shared by every page (served inside app.js): the `/v1` and
 * `/auth` fetch helper (JSON, the CSRF header on unsafe methods, problem
 * JSON shown as an alert), DOM building without innerHTML (so API data is
 * never parsed as HTML), copy/reveal fields, the confirmation dialog, sign-out.
 * Plain ES2020 for current browsers; no template literals, so it can live in
 * a TypeScript template string.
 */
export const COMMON_JS = `
var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || '';
function $(sel) { return document.querySelector(sel); }
function api(method, path, body) {
  var headers = { accept: 'application/json' };
  if (method !== 'GET' && method !== 'HEAD') headers['x-runnel-csrf'] = csrf;
  var payload;
  if (body !== undefined) { headers['content-type'] = 'application/json'; payload = JSON.stringify(body); }
  return fetch(path, { method: method, headers: headers, body: payload, credentials: 'same-origin' }).then(function (res) {
    if (res.status === 401 && path.indexOf('/auth/') !== 0) {
      location.href = '/dashboard/sign-in?next=' + encodeURIComponent(location.pathname);
      throw new Error('Your session ended; sign in again.');
    }
    return res.text().then(function (text) {
      var json = null;
      try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
      if (!res.ok) {
        var err = new Error((json && json.detail) || ('Request failed with HTTP ' + res.status));
        err.status = res.status; err.code = json && json.code;
        throw err;
      }
      return json;
    });
  });
}
function el(tag, attrs) {
  var node = document.createElement(tag);
  var a = attrs || {};
  Object.keys(a).forEach(function (k) {
    if (a[k] === null || a[k] === undefined || a[k] === false) return;
    if (k === 'text') node.textContent = a[k];
    else if (k.indexOf('on') === 0) node.addEventListener(k.slice(2), a[k]);
    else node.setAttribute(k, a[k] === true ? '' : a[k]);
  });
  for (var i = 2; i < arguments.length; i++) {
    var c = arguments[i];
    if (c === null || c === undefined || c === false) continue;
    node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  }
  return node;
}
function clearMessages() { $('#error').textContent = ''; $('#flash').textContent = ''; }
function showError(e) { $('#flash').textContent = ''; $('#error').textContent = (e && e.message) || String(e); }
function flash(text) { $('#error').textContent = ''; $('#flash').textContent = text; }
function fmtTime(iso) { return iso ? new Date(iso).toLocaleString() : '—'; }
function fmtDuration(ms) {
  var s = Math.max(0, Math.round(ms / 1000)), h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60);
  return (h ? h + 'h ' : '') + (h || m ? m + 'm ' : '') + (s % 60) + 's';
}
function copyText(text, what) {
  var done = function () { flash(what + ' copied to the clipboard.'); };
  if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text).then(done, function () { flash('Copy failed: select the text and copy it by hand.'); });
  flash('Copy is not available here: select the text and copy it by hand.');
}
var MASK = '••••••••••••••••';
/** A labelled value with Copy, and for secrets a Reveal toggle (masked until pressed). */
function field(id, label, value, opts) {
  var o = opts || {};
  var shown = o.masked || value;
  var code = el(o.multiline ? 'pre' : 'code', { id: id + '-value', 'data-secret': o.masked ? 'true' : null, text: shown });
  var row = el('div', { class: 'value' }, code);
  if (o.masked) {
    var reveal = el('button', { type: 'button', class: 'small', 'aria-pressed': 'false', 'aria-controls': id + '-value', text: 'Reveal' });
    reveal.addEventListener('click', function () {
      var on = reveal.getAttribute('aria-pressed') !== 'true';
      reveal.setAttribute('aria-pressed', String(on));
      reveal.textContent = on ? 'Hide' : 'Reveal';
      code.textContent = on ? value : o.masked;
    });
    row.appendChild(reveal);
  }
  row.appendChild(el('button', { type: 'button', class: 'small', 'aria-label': 'Copy ' + label, text: 'Copy', onclick: function () { copyText(value, label); } }));
  return el('div', { class: 'field', id: id }, el('span', { class: 'label', id: id + '-label', text: label }), row);
}
/** The page's confirmation dialog; resolves true when the user confirms. */
function confirmDialog(title, text, okLabel) {
  var d = $('#confirm');
  $('#confirm-h').textContent = title;
  $('#confirm-text').textContent = text;
  $('#confirm-ok').textContent = okLabel;
  d.returnValue = '';
  return new Promise(function (resolve) {
    d.addEventListener('close', function () { resolve(d.returnValue === 'ok'); }, { once: true });
    d.showModal();
  });
}
function poll(fn, ms) {
  var busy = false;
  var tick = function () {
    if (busy || document.hidden) return;
    busy = true;
    Promise.resolve().then(fn).catch(showError).then(function () { busy = false; });
  };
  setInterval(tick, ms);
  document.addEventListener('visibilitychange', tick);
}
var POLL_MS = 3000;
function initSignOut() {
  var b = $('#sign-out');
  if (!b) return;
  b.addEventListener('click', function () {
    api('POST', '/auth/sign-out').then(function () { location.href = '/dashboard/sign-in'; }, showError);
  });
}
`;
