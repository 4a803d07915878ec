import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ASSETS_DIR, PLAYER_URL_DIR, copyPlayerAssets } from '../../scripts/copy-player-assets.ts';
import { PLAYER_FILES, playerFromPackage } from './player-scripts.ts';
import type { PlayerName } from './player-scripts.ts';

/**
 * The Workers build step (scripts/copy-player-assets.ts) and the wrangler.toml lines that use it:
 * the files it copies are the ones Node serves, at the path the dashboard asks for, from the
 * directory wrangler uploads, under the binding name player-scripts.ts looks for.
 */

let out = '';
afterEach(() => {
  if (out !== '') rmSync(out, { recursive: true, force: true });
  out = '';
});

describe('copy-player-assets', () => {
  it('copies each player to <dir>/dashboard/assets/<name>, byte for byte what Node serves', () => {
    out = mkdtempSync(join(tmpdir(), 'runnel-assets-'));
    const written = copyPlayerAssets(out);
    const names = Object.keys(PLAYER_FILES) as PlayerName[];
    expect(written).toEqual(names.map((n) => join(out, PLAYER_URL_DIR, n)));
    for (const name of names) {
      const served = playerFromPackage(name);
      expect(served).not.toBeNull();
      expect(new Uint8Array(readFileSync(join(out, 'dashboard', 'assets', name)))).toEqual(served);
    }
    // Only the players are uploaded; the directory keeps itself out of git.
    expect(readdirSync(out).sort()).toEqual(['.assetsignore', '.gitignore', 'dashboard']);
    expect(readFileSync(join(out, '.assetsignore'), 'utf8').split('\n')).toEqual(expect.arrayContaining(['.gitignore', '.assetsignore']));
    expect(readFileSync(join(out, '.gitignore'), 'utf8')).toBe('*\n');
  });

  it('wrangler.toml uploads that directory as ASSETS and runs the script before dev and deploy', () => {
    const toml = readFileSync(new URL('../../wrangler.toml', import.meta.url), 'utf8');
    const section = (name: string) => [...toml.matchAll(/\n\[([^\]]+)\]\n([\s\S]*?)(?=\n\[|$)/g)].find((m) => m[1] === name)?.[2] ?? '';
    expect(section('assets')).toMatch(new RegExp(`^directory = "${ASSETS_DIR.replace('.', '\\.')}"$`, 'm'));
    expect(section('assets')).toMatch(/^binding = "ASSETS"$/m);
    expect(section('build')).toMatch(/^command = "node scripts\/copy-player-assets\.ts"$/m);
  });
});
