import { z } from 'zod';
import { SESSION_COOKIE } from '../accounts/cookie.ts';
import { CSRF_HEADER, isSafeMethod } from '../accounts/csrf.ts';
import { pageQuery } from '../http/pagination.ts';
import { ERROR_STATUS } from '../errors.ts';
import type { ErrorCode } from '../errors.ts';
import { idPattern } from '../services/ids.ts';
import { liveStatsSchema, recordingSchema } from '../views/response-schemas.ts';
import { createApiKeyBody } from './api-keys.ts';
import { createLiveStreamBody, publishUrlsBody, updateLiveStreamBody } from './live-stream-bodies.ts';
import { playbackTokenBody } from './live-stream-playback.ts';
import { createWebhookEndpointBody, listDeliveriesQuery, listEndpointsQuery } from './webhook-endpoints.ts';

/**
 * The OpenAPI 3.1 document of the tenant API, served at `/v1/openapi.json`.
 * Request schemas are the zod schemas the routes validate with (converted by
 * `z.toJSONSchema`), so they cannot drift; a test checks that every `/v1`
 * route is listed here and nothing else is.
 *
 * Two ways in, as `http/auth.ts` takes them: an API key as Bearer (it wins
 * when both are sent), or the dashboard's session cookie, which on methods
 * that change something also needs the page's CSRF token in a header.
 */

interface Operation {
  readonly method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI path template (`{id}`). */
  readonly path: string;
  readonly summary: string;
  readonly body?: z.ZodType;
  readonly query?: z.ZodType;
  readonly status: number;
  /** The success answer's JSON schema, where one is documented (a `$ref` to components.schemas). */
  readonly answer?: unknown;
  readonly errors: readonly ErrorCode[];
}

const ref = (name: keyof typeof RESPONSE_SCHEMAS) => ({ $ref: `#/components/schemas/${name}` });
const one = (name: keyof typeof RESPONSE_SCHEMAS) => ({ type: 'object', required: ['data'], properties: { data: ref(name) } });
const list = (name: keyof typeof RESPONSE_SCHEMAS) => ({
  type: 'object',
  required: ['data', 'next_cursor'],
  properties: { data: { type: 'array', items: ref(name) }, next_cursor: { type: ['string', 'null'] } },
});
const liveStreamAnswer = { type: 'object', required: ['data'], properties: { data: { type: 'object', properties: { live: ref('LiveStats') } } } };
const liveStreamList = {
  type: 'object',
  required: ['data', 'next_cursor'],
  properties: { data: { type: 'array', items: { type: 'object', properties: { live: ref('LiveStats') } } }, next_cursor: { type: ['string', 'null'] } },
};

/** Answer objects documented as components (views/response-schemas.ts). */
const RESPONSE_SCHEMAS = { LiveStats: liveStatsSchema, Recording: recordingSchema } as const;

const AUTH: readonly ErrorCode[] = ['unauthorized', 'rate_limited'];
const WRITE: readonly ErrorCode[] = [...AUTH, 'forbidden', 'invalid_json', 'unsupported_media_type', 'payload_too_large', 'validation_failed'];

export const TENANT_OPERATIONS: readonly Operation[] = [
  { method: 'post', path: '/v1/live-streams', summary: 'Create a live stream', body: createLiveStreamBody, status: 201, errors: WRITE },
  {
    method: 'get',
    path: '/v1/live-streams',
    summary: 'List live streams, newest first',
    query: pageQuery(idPattern('ls')),
    status: 200,
    answer: liveStreamList,
    errors: [...AUTH, 'validation_failed'],
  },
  { method: 'get', path: '/v1/live-streams/{id}', summary: 'Get a live stream with its credentials', status: 200, answer: liveStreamAnswer, errors: [...AUTH, 'not_found'] },
  { method: 'patch', path: '/v1/live-streams/{id}', summary: 'Change fields of a live stream', body: updateLiveStreamBody, status: 200, errors: [...WRITE, 'not_found'] },
  { method: 'delete', path: '/v1/live-streams/{id}', summary: 'Delete a live stream (ends a running publish)', status: 204, errors: [...AUTH, 'forbidden', 'not_found'] },
  { method: 'post', path: '/v1/live-streams/{id}/rotate-keys', summary: 'New stream key and SRT passphrase; the old ones stop working now', status: 200, errors: [...AUTH, 'forbidden', 'not_found'] },
  { method: 'post', path: '/v1/live-streams/{id}/enable', summary: 'Enable a live stream', status: 200, errors: [...AUTH, 'forbidden', 'not_found'] },
  { method: 'post', path: '/v1/live-streams/{id}/disable', summary: 'Disable a live stream (ends a running publish)', status: 200, errors: [...AUTH, 'forbidden', 'not_found'] },
  { method: 'post', path: '/v1/live-streams/{id}/complete', summary: 'End the live session now (202; the node closes it)', status: 202, errors: [...AUTH, 'forbidden', 'not_found', 'conflict'] },
  {
    method: 'post',
    path: '/v1/live-streams/{id}/publish-urls',
    summary: 'Allocate a media node and get RTMP, SRT and WHIP publish credentials',
    body: publishUrlsBody,
    status: 200,
    errors: [...WRITE, 'not_found', 'stream_disabled', 'no_node_available'],
  },
  { method: 'get', path: '/v1/live-streams/{id}/playback-urls', summary: 'HLS (CDN), HTTP-FLV, RTMP and WHEP playback URLs', status: 200, errors: [...AUTH, 'not_found'] },
  {
    method: 'post',
    path: '/v1/live-streams/{id}/playback-tokens',
    summary: 'Sign a playback token for a signed playback id',
    body: playbackTokenBody,
    status: 201,
    errors: [...WRITE, 'not_found', 'conflict'],
  },
  { method: 'get', path: '/v1/live-streams/{id}/sessions', summary: 'Sessions (one per broadcast), newest first', query: pageQuery(idPattern('ses')), status: 200, errors: [...AUTH, 'not_found', 'validation_failed'] },
  {
    method: 'get',
    path: '/v1/live-streams/{id}/recordings',
    summary: 'Recordings (DVR files) of a live stream, newest first',
    query: pageQuery(idPattern('rec')),
    status: 200,
    answer: list('Recording'),
    errors: [...AUTH, 'not_found', 'validation_failed'],
  },
  { method: 'get', path: '/v1/recordings/{id}', summary: 'Get a recording (the id in a recording.ready webhook)', status: 200, answer: one('Recording'), errors: [...AUTH, 'not_found'] },
  {
    method: 'get',
    path: '/v1/recordings/{id}/file',
    summary: "The recording's file: 302 to its URL (a bucket behind a CDN), or streamed from this machine's disk (runnel start)",
    status: 200,
    errors: [...AUTH, 'not_found'],
  },
  { method: 'post', path: '/v1/api-keys', summary: 'Create an API key (shown in this answer only)', body: createApiKeyBody, status: 201, errors: WRITE },
  { method: 'get', path: '/v1/api-keys', summary: 'List API keys (prefixes only)', query: pageQuery(idPattern('key')), status: 200, errors: [...AUTH, 'validation_failed'] },
  { method: 'delete', path: '/v1/api-keys/{id}', summary: 'Revoke an API key at once', status: 204, errors: [...AUTH, 'forbidden', 'not_found'] },
  {
    method: 'post',
    path: '/v1/webhook-endpoints',
    summary: 'Create a webhook endpoint (its signing secret is shown in this answer only)',
    body: createWebhookEndpointBody,
    status: 201,
    errors: [...WRITE, 'conflict', 'webhook_url_unsafe'],
  },
  { method: 'get', path: '/v1/webhook-endpoints', summary: 'List webhook endpoints, newest first', query: listEndpointsQuery, status: 200, errors: [...AUTH, 'validation_failed'] },
  { method: 'delete', path: '/v1/webhook-endpoints/{id}', summary: 'Delete a webhook endpoint and its deliveries', status: 204, errors: [...AUTH, 'forbidden', 'not_found'] },
  { method: 'post', path: '/v1/webhook-endpoints/{id}/test', summary: 'Queue a webhook.test event for this endpoint (202)', status: 202, errors: [...AUTH, 'forbidden', 'not_found', 'conflict'] },
  {
    method: 'get',
    path: '/v1/webhook-endpoints/{id}/deliveries',
    summary: "An endpoint's deliveries (status, attempts, next try), newest first",
    query: listDeliveriesQuery,
    status: 200,
    errors: [...AUTH, 'not_found', 'validation_failed'],
  },
];

function jsonSchema(schema: z.ZodType): unknown {
  // Input side: what a client sends (defaults optional, transforms invisible).
  return z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });
}

function queryParameters(schema: z.ZodType): unknown[] {
  const s = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(s.properties ?? {}).map(([name, sch]) => ({ name, in: 'query', required: s.required?.includes(name) ?? false, schema: sch }));
}

function operation(op: Operation): unknown {
  const parameters: unknown[] = op.path.includes('{id}') ? [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] : [];
  if (op.query !== undefined) parameters.push(...queryParameters(op.query));
  const success = { description: op.status === 204 ? 'Done, no body' : 'Success' };
  const responses: Record<string, unknown> = {
    [String(op.status)]: op.answer === undefined ? success : { ...success, content: { 'application/json': { schema: op.answer } } },
  };
  for (const code of new Set(op.errors)) {
    const status = String(ERROR_STATUS[code]);
    const known = responses[status] as { description: string } | undefined;
    responses[status] = { description: known === undefined ? code : `${known.description} | ${code}`, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } };
  }
  const cookie = isSafeMethod(op.method.toUpperCase()) ? { sessionCookie: [] } : { sessionCookie: [], csrfToken: [] };
  return {
    summary: op.summary,
    security: [{ apiKey: [] }, cookie],
    parameters,
    ...(op.body === undefined ? {} : { requestBody: { required: false, content: { 'application/json': { schema: jsonSchema(op.body) } } } }),
    responses,
  };
}

export function openApiDocument(): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of TENANT_OPERATIONS) (paths[op.path] ??= {})[op.method] = operation(op);
  return {
    openapi: '3.1.0',
    info: { title: 'Runnel control plane', version: '1' },
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: rnl_…' },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: SESSION_COOKIE,
          description: 'The dashboard session set by POST /auth/sign-in or /auth/sign-up (HttpOnly). Used only when no Authorization header is sent.',
        },
        csrfToken: {
          type: 'apiKey',
          in: 'header',
          name: CSRF_HEADER,
          description: `With the session cookie, on every method but GET/HEAD/OPTIONS: the csrf_token of the sign-in answer (the page's <meta name="csrf-token">). Without it: 403 forbidden.`,
        },
      },
      schemas: {
        ...Object.fromEntries(Object.entries(RESPONSE_SCHEMAS).map(([name, schema]) => [name, z.toJSONSchema(schema, { io: 'output' })])),
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code', 'detail'],
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            code: { type: 'string', enum: Object.keys(ERROR_STATUS) },
            detail: { type: 'string' },
            errors: {
              type: 'array',
              items: { type: 'object', properties: { in: { enum: ['body', 'query', 'path'] }, field: { type: 'string' }, message: { type: 'string' } } },
            },
          },
        },
      },
    },
  };
}
