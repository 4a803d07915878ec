/** Sign-in and sign-up forms: POST JSON to /auth, then go to the page asked for (only dashboard paths) or the stream list. */
export const AUTH_JS = `
function initAuth() {
  var form = $('#auth-form');
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    clearMessages();
    var mode = form.dataset.mode;
    var email = $('#email').value, password = $('#password').value;
    if (!email || !password) { showError('Enter your email and password.'); return; }
    if (mode === 'sign-up' && password.length < 10) { showError('Choose a password of at least 10 characters.'); $('#password').focus(); return; }
    var button = form.querySelector('button[type=submit]');
    button.disabled = true;
    api('POST', '/auth/' + mode, { email: email, password: password }).then(function () {
      var next = new URLSearchParams(location.search).get('next') || '';
      location.href = /^\\/dashboard\\/[A-Za-z0-9_\\/-]*$/.test(next) ? next : '/dashboard/';
    }, function (err) { button.disabled = false; showError(err); });
  });
}
`;
