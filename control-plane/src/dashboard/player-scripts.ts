import type { Context } from 'hono';

/**
 * The preview players, from npm, served by the control plane itself (never a
 * third-party CDN): hls.js for HLS, mpegts.js for HTTP-FLV.
 *
 * On Node they are read once from the installed packages (the same files
 * the media node's player page serves). `process.getBuiltinModule` keeps
 * `node:fs` out of the Worker bundle: there is no static import for wrangler
 * to follow. On Workers there is no file system: the files are fetched from
 * the Worker's static assets binding `ASSETS` when the deployment has one
 * (copy the two files to `<assets dir>/dashboard/assets/`); without it the
 * preview says it cannot load its player and everything else works.
 */

export const PLAYER_FILES = {
  'hls.js': { pkg: 'hls.js', file: 'dist/hls.min.js' },
  'mpegts.js': { pkg: 'mpegts.js', file: 'dist/mpegts.js' },
} as const;

export type PlayerName = keyof typeof PLAYER_FILES;

const cache = new Map<PlayerName, Uint8Array>();

/** The file from node_modules on Node; null where there is no Node (Workers) or no package. */
export function playerFromPackage(name: PlayerName): Uint8Array | null {
  const hit = cache.get(name);
  if (hit !== undefined) return hit;
  const proc = (globalThis as { process?: typeof process }).process;
  if (proc?.getBuiltinModule === undefined) return null;
  const fs = proc.getBuiltinModule('node:fs');
  const mod = proc.getBuiltinModule('node:module');
  const path = proc.getBuiltinModule('node:path');
  try {
    const { pkg, file } = PLAYER_FILES[name];
    const dir = path.dirname(mod.createRequire(import.meta.url).resolve(`${pkg}/package.json`));
    const bytes = new Uint8Array(fs.readFileSync(path.join(dir, file)));
    cache.set(name, bytes);
    return bytes;
  } catch {
    return null;
  }
}

interface AssetsBinding {
  fetch(req: Request): Promise<Response>;
}

/** The Workers static-assets binding, when the runtime passed one in `env`. */
function assetsBinding(c: Context): AssetsBinding | null {
  const env = c.env as { ASSETS?: { fetch?: unknown } } | undefined;
  return typeof env?.ASSETS?.fetch === 'function' ? (env.ASSETS as AssetsBinding) : null;
}

/** A week: the files change only with an npm upgrade, and then the app is redeployed anyway. */
const CACHE_CONTROL = 'public, max-age=604800';

export async function servePlayer(c: Context, name: PlayerName): Promise<Response> {
  const bytes = playerFromPackage(name);
  if (bytes !== null) {
    return new Response(bytes, { headers: { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': CACHE_CONTROL, 'x-content-type-options': 'nosniff' } });
  }
  const assets = assetsBinding(c);
  if (assets !== null) return assets.fetch(new Request(new URL(`/dashboard/assets/${name}`, c.req.url)));
  return new Response(`/* ${name} is not deployed with this control plane */\n`, { status: 404, headers: { 'content-type': 'text/javascript; charset=utf-8' } });
}
