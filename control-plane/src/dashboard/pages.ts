import { html } from 'hono/html';
import type { Html } from './layout.ts';

/**
 * The bodies of the dashboard pages: static structure with labels and
 * empty states. Data comes from `/v1` in the browser (client/*.ts), the
 * same API tenants script against, so the pages show nothing the API does not.
 */

export function authPage(mode: 'sign-in' | 'sign-up'): Html {
  const signUp = mode === 'sign-up';
  return html`<section class="auth card">
<h1>${signUp ? 'Create your account' : 'Sign in'}</h1>
<form id="auth-form" data-mode="${mode}" novalidate>
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" required>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="${signUp ? 'new-password' : 'current-password'}" required${signUp ? html` minlength="10" aria-describedby="password-help"` : ''}>
  ${signUp ? html`<p id="password-help" class="help">At least 10 characters.</p>` : ''}
  <button type="submit" class="primary">${signUp ? 'Create account' : 'Sign in'}</button>
</form>
<p>${signUp ? html`Have an account? <a href="/dashboard/sign-in">Sign in</a>` : html`New here? <a href="/dashboard/sign-up">Create an account</a>`}</p>
</section>`;
}

export function streamsPage(): Html {
  return html`<div class="page-head"><h1>Live streams</h1><p class="muted" id="refreshed" aria-live="off"></p></div>
<section class="card" aria-labelledby="create-h">
<h2 id="create-h">New live stream</h2>
<form id="create-stream" class="inline">
  <div><label for="stream-name">Name</label><input id="stream-name" name="name" required maxlength="128" placeholder="Main camera"></div>
  <div><label for="stream-policy">Playback</label><select id="stream-policy" name="playback_policy"><option value="public">Public</option><option value="signed">Signed (token required)</option></select></div>
  <div><label for="stream-recording">Recording</label><select id="stream-recording" name="recording"><option value="off">Off</option><option value="automatic">Automatic</option></select></div>
  <button type="submit" class="primary">Create stream</button>
</form>
</section>
<section class="card" aria-labelledby="list-h">
<h2 id="list-h">Your streams</h2>
<div class="table-wrap"><table id="streams">
<caption class="sr-only">Live streams, newest first; status refreshes every few seconds</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Live since</th><th scope="col">Bitrate</th><th scope="col">Codecs</th><th scope="col">Enabled</th><th scope="col">Node</th><th scope="col">Created</th></tr></thead>
<tbody></tbody>
</table></div>
<p id="streams-more" class="muted" hidden>Showing the newest 100 streams; use the API (<code>GET /v1/live-streams?cursor=</code>) for older ones.</p>
<p id="streams-empty" class="empty" hidden>No live streams yet. Create one above, then publish to it with OBS or ffmpeg.</p>
</section>`;
}

export function streamPage(): Html {
  return html`<div class="page-head">
  <p><a href="/dashboard/">← Live streams</a></p>
  <h1 id="stream-name-h">Live stream</h1>
  <p><span id="status" class="badge" data-status="">…</span> <span id="status-detail" class="muted"></span></p>
</div>
<div class="grid">
<section class="card" aria-labelledby="preview-h">
  <h2 id="preview-h">Preview</h2>
  <div class="segmented" role="group" aria-label="Preview protocol">
    <button type="button" data-engine="flv" aria-pressed="true">HTTP-FLV (low latency)</button>
    <button type="button" data-engine="hls" aria-pressed="false">HLS</button>
  </div>
  <video id="preview" muted playsinline controls aria-label="Live preview"></video>
  <p id="preview-note" class="muted">The preview starts when the stream is live.</p>
</section>
<section class="card" aria-labelledby="publish-h">
  <h2 id="publish-h">Publish</h2>
  <p class="muted" id="publish-note"></p>
  <div id="publish"></div>
</section>
<section class="card" aria-labelledby="playback-h">
  <h2 id="playback-h">Playback</h2>
  <div id="playback"></div>
</section>
<section class="card" aria-labelledby="settings-h">
  <h2 id="settings-h">Settings</h2>
  <form id="rename" class="inline">
    <div><label for="rename-name">Name</label><input id="rename-name" name="name" required maxlength="128"></div>
    <button type="submit">Rename</button>
  </form>
  <div class="actions">
    <button type="button" id="toggle-enabled">Disable</button>
    <button type="button" id="rotate" class="danger">Rotate stream key…</button>
    <button type="button" id="delete" class="danger">Delete stream…</button>
  </div>
</section>
</div>
<section class="card" aria-labelledby="sessions-h">
  <h2 id="sessions-h">Sessions</h2>
  <div class="table-wrap"><table id="sessions">
  <thead><tr><th scope="col">Started</th><th scope="col">Ended</th><th scope="col">Duration</th><th scope="col">Protocol</th><th scope="col">Codecs</th><th scope="col">Client</th><th scope="col">End reason</th></tr></thead>
  <tbody></tbody></table></div>
  <p id="sessions-empty" class="empty" hidden>No broadcasts yet.</p>
</section>
<section class="card" aria-labelledby="recordings-h">
  <h2 id="recordings-h">Recordings</h2>
  <div class="table-wrap"><table id="recordings" hidden>
  <thead><tr><th scope="col">Recorded</th><th scope="col">Format</th><th scope="col">Duration</th><th scope="col">Size</th><th scope="col">Playback and download</th></tr></thead>
  <tbody></tbody></table></div>
  <p id="recordings-empty" class="empty">No recordings yet. With recording set to automatic, each broadcast is recorded and its files appear here once stored.</p>
</section>`;
}

export function webhooksPage(): Html {
  return html`<h1>Webhooks</h1>
<section class="card" aria-labelledby="add-h">
<h2 id="add-h">Add an endpoint</h2>
<form id="add-webhook" class="inline">
  <div class="grow"><label for="webhook-url">URL</label><input id="webhook-url" name="url" type="url" required placeholder="https://example.com/runnel-hooks"></div>
  <button type="submit" class="primary">Add endpoint</button>
</form>
<div id="webhook-secret" class="once" hidden></div>
</section>
<section class="card" aria-labelledby="endpoints-h">
<h2 id="endpoints-h">Endpoints</h2>
<div id="endpoints"></div>
<p id="endpoints-empty" class="empty" hidden>No endpoints. Add one to receive stream.connected, stream.active, stream.disconnected and more, signed with its secret.</p>
</section>`;
}

export function apiKeysPage(): Html {
  return html`<h1>API keys</h1>
<section class="card" aria-labelledby="create-key-h">
<h2 id="create-key-h">Create a key</h2>
<form id="create-key" class="inline">
  <div><label for="key-name">Name</label><input id="key-name" name="name" required maxlength="128" placeholder="CI"></div>
  <div><label for="key-permission">Permission</label><select id="key-permission" name="permission"><option value="read_write">Read and write</option><option value="read_only">Read only</option></select></div>
  <button type="submit" class="primary">Create key</button>
</form>
<div id="new-key" class="once" hidden></div>
</section>
<section class="card" aria-labelledby="keys-h">
<h2 id="keys-h">Keys</h2>
<div class="table-wrap"><table id="keys">
<thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Permission</th><th scope="col">Created</th><th scope="col">Last used</th><th scope="col">State</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
<tbody></tbody></table></div>
<p id="keys-empty" class="empty" hidden>No API keys. Create one to use the REST API from scripts.</p>
</section>`;
}

/** The operator view (admins): every media node, its health and load, and the live streams on it, from GET /admin/nodes. */
export function nodesPage(): Html {
  return html`<div class="page-head"><h1>Media nodes</h1><p class="muted" id="refreshed" aria-live="off"></p></div>
<p id="fleet" class="fleet" aria-live="polite"></p>
<section class="card" aria-labelledby="nodes-h">
<h2 id="nodes-h">Nodes</h2>
<div class="table-wrap"><table id="nodes" class="nodes">
<caption class="sr-only">Media nodes by region, each followed by a row with its live streams; health and load refresh every few seconds</caption>
<thead><tr><th scope="col">Node</th><th scope="col">Region</th><th scope="col">Health</th><th scope="col">Load</th><th scope="col">Streams</th><th scope="col">Ingest</th><th scope="col">Egress</th><th scope="col">Players</th><th scope="col">CPU</th></tr></thead>
</table></div>
<p id="nodes-more" class="muted" hidden>Showing the first 1000 nodes; <code>GET /admin/nodes</code> says <code>truncated</code>.</p>
<p id="nodes-empty" class="empty" hidden>No media node has registered yet. Start one with <code>runnel node</code> pointed at this control plane (its <code>control_plane</code> section); it appears here within one heartbeat.</p>
</section>`;
}

export function notFoundPage(): Html {
  return html`<h1>Not found</h1><p class="empty">Nothing lives at this address. <a href="/dashboard/">Back to your live streams</a>.</p>`;
}
