import type { Context } from 'hono';
import type { z } from 'zod';
import { ApiError } from '../errors.ts';
import type { FieldError } from '../errors.ts';

/**
 * zod at the door: every body, query and path parameter goes through one of
 * these before a handler sees it. A schema failure is a 422 whose `errors`
 * name each field; a body that is not JSON is a 400; a path parameter of the
 * wrong shape is a 404 (no such resource can exist, as Stripe answers).
 */

function fieldErrors(where: FieldError['in'], error: z.ZodError): FieldError[] {
  return error.issues.map((i) => ({ in: where, field: i.path.map(String).join('.'), message: i.message }));
}

function describe(errors: readonly FieldError[]): string {
  return errors.map((e) => (e.field === '' ? e.message : `${e.field}: ${e.message}`)).join('; ');
}

/** An empty body reads as `{}` so all-optional bodies (and bodiless actions) need none. */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  const text = await c.req.text();
  if (text.trim() !== '') {
    const type = c.req.header('content-type') ?? '';
    if (!/^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
      throw new ApiError('unsupported_media_type', `send JSON with content-type application/json (got "${type.slice(0, 100)}")`);
    }
  }
  let value: unknown;
  try {
    value = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new ApiError('invalid_json', 'the body is not valid JSON');
  }
  const r = schema.safeParse(value);
  if (!r.success) {
    const errors = fieldErrors('body', r.error);
    throw new ApiError('validation_failed', describe(errors), { errors });
  }
  return r.data;
}

export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const r = schema.safeParse(c.req.query());
  if (!r.success) {
    const errors = fieldErrors('query', r.error);
    throw new ApiError('validation_failed', describe(errors), { errors });
  }
  return r.data;
}

export function readParam<S extends z.ZodType>(c: Context, name: string, schema: S, what: string): z.infer<S> {
  const raw = c.req.param(name);
  const r = schema.safeParse(raw);
  if (!r.success) throw new ApiError('not_found', `no ${what} ${String(raw).slice(0, 64)}`);
  return r.data;
}
