/** SRS-compatible HTTP hooks (`http_hooks`): bodies, the accept rule, the HTTP client and its fake. */
export { judgeHookAnswer } from './hook-answer.ts';
export type { HookAnswer, HookFailReason } from './hook-answer.ts';
export { ADMISSION_ACTIONS, buildHookBody, hookParam, NOTIFY_ACTIONS, streamUrl } from './hook-body.ts';
export type { AdmissionAction, HookAction, HookBody, HookIds, HookRequest, NotifyAction } from './hook-body.ts';
export { ALLOWED } from './hook-client.ts';
export type { HookClient, HookVerdict } from './hook-client.ts';
export { createHttpHookClient, MAX_HOOK_ANSWER_BYTES, postHook, redactUrl } from './http-hook-client.ts';
export type { HooksConfig, HttpHookClientOptions } from './http-hook-client.ts';
export { FakeHookClient } from './fake-hook-client.ts';
export type { FakeHookCall } from './fake-hook-client.ts';
export { startHookTestServer } from './hook-test-server.ts';
export type { HookTestServer, HookTestReply, ReceivedHook } from './hook-test-server.ts';
