// Copies the dashboard's preview players (hls.js, mpegts.js) from node_modules into the Workers
// static-assets directory, where wrangler.toml's [assets] section uploads them from:
//   .assets/dashboard/assets/hls.js, .assets/dashboard/assets/mpegts.js
// wrangler runs it before `wrangler dev` and `wrangler deploy` ([build] in wrangler.toml); by hand:
//   node scripts/copy-player-assets.ts [out-dir]     (from control-plane/, Node 24)
// On Node the control plane reads the same files from node_modules itself (src/dashboard/player-scripts.ts).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PLAYER_FILES } from '../src/dashboard/player-scripts.ts';
import type { PlayerName } from '../src/dashboard/player-scripts.ts';

/** wrangler.toml `[assets] directory`, relative to control-plane/. */
export const ASSETS_DIR = '.assets';
/** Where under the assets directory the dashboard asks for them (`/dashboard/assets/<name>`). */
export const PLAYER_URL_DIR = 'dashboard/assets';

/**
 * Copies each player file to `<outDir>/dashboard/assets/<name>` and returns the paths written.
 * The directory ignores itself for git (`.gitignore` of `*`) and wrangler skips the two dot files
 * (`.assetsignore`), so only the players are uploaded.
 */
export function copyPlayerAssets(outDir: string): string[] {
  const require = createRequire(import.meta.url);
  const target = join(outDir, PLAYER_URL_DIR);
  mkdirSync(target, { recursive: true });
  writeFileSync(join(outDir, '.gitignore'), '*\n');
  writeFileSync(join(outDir, '.assetsignore'), '.gitignore\n.assetsignore\n');
  return (Object.keys(PLAYER_FILES) as PlayerName[]).map((name) => {
    const { pkg, file } = PLAYER_FILES[name];
    const from = join(dirname(require.resolve(`${pkg}/package.json`)), file);
    const to = join(target, name);
    copyFileSync(from, to);
    return to;
  });
}

if (import.meta.main) {
  const controlPlane = dirname(dirname(fileURLToPath(import.meta.url)));
  const out = resolve(controlPlane, process.argv[2] ?? ASSETS_DIR);
  for (const written of copyPlayerAssets(out)) process.stdout.write(`copied ${written}\n`);
}
