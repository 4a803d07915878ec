import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AppDeps } from './deps.ts';
import { ApiError } from './errors.ts';
import { accountRoutes } from './accounts/routes.ts';
import { dashboardRoutes } from './dashboard/routes.ts';
import { errorHandler, problemResponse } from './http/error-handler.ts';
import { adminApi } from './routes/admin-api.ts';
import { nodeApi } from './routes/node-api.ts';
import { openApiDocument } from './routes/openapi.ts';
import { tenantApi } from './routes/tenant-api.ts';

/**
 * The control plane as one Hono app, with no runtime in it: the entries
 * (entry/node.ts, entry/worker.ts) build the deps and serve `app.fetch`.
 *
 * @example
 * const app = createApp({ db, config, clock: systemClock, rateLimiter, log: consoleLogger });
 * const res = await app.request('/v1/live-streams', { headers: { authorization: `Bearer ${key}` } });
 */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.onError(errorHandler(deps.log));
  app.notFound(() => problemResponse('not_found', 'no such route'));
  app.use(
    '*',
    bodyLimit({
      maxSize: deps.config.maxBodyBytes,
      onError: () => {
        throw new ApiError('payload_too_large', `bodies are limited to ${deps.config.maxBodyBytes} bytes`);
      },
    }),
  );

  app.get('/healthz', (c) => c.json({ ok: true }));
  // Before /v1's auth middleware: the API description is public.
  const openapi = openApiDocument();
  app.get('/v1/openapi.json', (c) => c.json(openapi));
  app.route('/auth', accountRoutes(deps));
  app.route('/', dashboardRoutes(deps));
  app.route('/v1', tenantApi(deps));
  app.route('/internal', nodeApi(deps));
  app.route('/admin', adminApi(deps));
  return app;
}
