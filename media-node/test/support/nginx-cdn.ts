import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.ts';

export interface Cdn {
  readonly port: number;
  /** `http://127.0.0.1:port/path`. */
  url(path: string): string;
  /** nginx's error log, for failure messages. */
  errors(): string;
  stop(): Promise<void>;
}

/** Debian installs nginx in /usr/sbin, which is not on every user's PATH. */
function nginxBinary(): string {
  return existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
}

/**
 * nginx as a caching reverse proxy (the CDN) in front of `origin` (a URL
 * ending in `/`, e.g. the bucket's prefix on s3rver), on a free loopback
 * port, as a non-daemon child with everything (config, cache, temp files,
 * logs, pid) in a temp directory. Caching follows the origin's Cache-Control
 * (nginx's default when no proxy_cache_valid is set); a stale copy is served
 * while the origin is down, as CDNs do. `X-Cache-Status` reports HIT/MISS;
 * `Access-Control-Allow-Origin: *` lets a player page of any origin read it.
 */
export async function startNginxCdn(origin: string): Promise<Cdn> {
  const dir = mkdtempSync(join(tmpdir(), 'runnel-nginx-'));
  for (const d of ['cache', 'temp']) mkdirSync(join(dir, d));
  const port = await freePort();
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const conf = `
${isRoot ? 'user root root;' : ''}
worker_processes 1;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
http {
  access_log ${dir}/access.log;
  client_body_temp_path ${dir}/temp/body;
  proxy_temp_path ${dir}/temp/proxy;
  fastcgi_temp_path ${dir}/temp/fastcgi;
  uwsgi_temp_path ${dir}/temp/uwsgi;
  scgi_temp_path ${dir}/temp/scgi;
  proxy_cache_path ${dir}/cache levels=1:2 keys_zone=cdn:4m max_size=256m inactive=10m use_temp_path=off;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass ${origin};
      proxy_cache cdn;
      proxy_cache_lock on;
      proxy_cache_use_stale error timeout http_502 http_503 http_504 updating;
      proxy_connect_timeout 2s;
      add_header X-Cache-Status $upstream_cache_status always;
      # Players are pages of another origin (the node's /players/, a tenant's site): hls.js fetches with XHR.
      add_header Access-Control-Allow-Origin * always;
    }
  }
}
`;
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const child = spawn(nginxBinary(), ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf'), '-g', `daemon off; pid ${dir}/nginx.pid;`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const errors = () => {
    const log = existsSync(join(dir, 'error.log')) ? readFileSync(join(dir, 'error.log'), 'utf8') : '';
    return `${stderr}${log}`.slice(-4000);
  };
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    const t = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
    rmSync(dir, { recursive: true, force: true });
  };
  const url = (path: string) => `http://127.0.0.1:${port}${path}`;
  // Ready when it answers (any status: the origin may have nothing yet).
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited ${child.exitCode}: ${errors()}`);
    try {
      await fetch(url('/'));
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`nginx did not answer on ${port}: ${errors()}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return { port, url, errors, stop };
}
