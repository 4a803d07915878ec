#!/usr/bin/env node
// Makes a fresh clone runnable with nothing but the machine's npm: installs the
// project's dependencies (including its pinned Node runtime, the `node` package)
// when they are missing or stale, and with --test the Debian packages the real-peer
// tests need (ffmpeg, ...) when running as root.
// Runs on the machine's own Node (20+), so it uses plain JavaScript only.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stampFile = join(root, 'node_modules', '.runnel-install-stamp');
const wantTest = process.argv.includes('--test');

/** Debian packages the end-to-end tests drive as real peers: binary -> package. */
const TEST_TOOLS = [
  ['ffmpeg', 'ffmpeg'],
  ['ffprobe', 'ffmpeg'],
  // The CDN in front of S3 in the storage tests (proxy_cache); the tests run their own instance.
  ['nginx', 'nginx'],
  // Headless browser for the player-page, mpegts.js and hls.js tests (driven by playwright-core).
  ['chromium', 'chromium'],
  // libsrt's own tools: the SRT engine's real-peer tests run srt-live-transmit both ways.
  ['srt-live-transmit', 'srt-tools'],
];

function log(msg) {
  process.stderr.write(`[bootstrap] ${msg}\n`);
}

function lockHash() {
  const h = createHash('sha256');
  for (const f of ['package.json', 'package-lock.json', 'shared/package.json', 'media-node/package.json', 'control-plane/package.json']) {
    const p = join(root, f);
    if (existsSync(p)) h.update(readFileSync(p));
  }
  return h.digest('hex');
}

function ensureNodeModules() {
  const want = lockHash();
  const have = existsSync(stampFile) ? readFileSync(stampFile, 'utf8') : '';
  const pinnedNode = join(root, 'node_modules', '.bin', 'node');
  if (have === want && existsSync(pinnedNode)) return;
  const cmd = existsSync(join(root, 'package-lock.json')) ? 'ci' : 'install';
  log(`installing dependencies (npm ${cmd}); the pinned Node runtime comes from the npm registry`);
  const r = spawnSync('npm', [cmd, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) {
    log(`npm ${cmd} failed (exit ${r.status}). Check that the npm registry is reachable, then run it again.`);
    process.exit(r.status ?? 1);
  }
  writeFileSync(stampFile, want);
}

function has(bin) {
  // Debian puts daemons (nginx) in /usr/sbin, which is not on a normal user's PATH.
  return spawnSync('sh', ['-c', `command -v ${bin} || test -x /usr/sbin/${bin}`], { stdio: 'ignore' }).status === 0;
}

function ensureTestTools() {
  const missing = TEST_TOOLS.filter(([bin]) => !has(bin));
  if (missing.length === 0) return;
  const pkgs = [...new Set(missing.map(([, pkg]) => pkg))];
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !has('apt-get')) {
    log(`the end-to-end tests need: ${missing.map(([b]) => b).join(', ')}.`);
    log(`install them first, e.g.: sudo apt-get install -y ${pkgs.join(' ')}`);
    process.exit(1);
  }
  log(`installing Debian packages for the real-peer tests: ${pkgs.join(' ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...pkgs], { stdio: 'inherit', env });
}

ensureNodeModules();
if (wantTest) ensureTestTools();
