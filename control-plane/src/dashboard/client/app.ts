import { API_KEYS_JS } from './api-keys.ts';
import { AUTH_JS } from './auth.ts';
import { COMMON_JS } from './common.ts';
import { MEDIA_FORMAT_JS } from './media-format.ts';
import { NODES_JS } from './nodes.ts';
import { STREAM_JS } from './stream.ts';
import { STREAMS_JS } from './streams.ts';
import { WEBHOOKS_JS } from './webhooks.ts';

/** `/dashboard/assets/app.js`: every page's script in one small file, started by `<body data-page>`. */
export const APP_JS = `'use strict';
(function () {
${COMMON_JS}
${MEDIA_FORMAT_JS}
${AUTH_JS}
${STREAMS_JS}
${STREAM_JS}
${WEBHOOKS_JS}
${API_KEYS_JS}
${NODES_JS}
var INIT = { 'sign-in': initAuth, 'sign-up': initAuth, streams: initStreams, stream: initStream, webhooks: initWebhooks, 'api-keys': initApiKeys, nodes: initNodes };
initSignOut();
var init = INIT[document.body.dataset.page];
if (init) init();
})();
`;
