import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProtocolError } from '@runnel/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { LocalDirStore } from '../../storage/local-dir.ts';
import { LocalDvrStore } from './local-dvr-store.ts';

const tmp = mkdtempSync(join(tmpdir(), 'runnel-dvrstore-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const OPTS = { contentType: 'video/mp4' };

describe('LocalDvrStore', () => {
  const root = join(tmp, 'dvr');
  const store = new LocalDvrStore(new LocalDirStore(root));

  it('moves a finished spool file to its key (no read into memory), creating directories', async () => {
    const spoolFile = join(tmp, 'rec.part');
    writeFileSync(spoolFile, 'recording');
    await store.putFile('live/cam/1.mp4', spoolFile, OPTS);
    expect(readFileSync(join(root, 'live/cam/1.mp4'), 'utf8')).toBe('recording');
    expect(existsSync(spoolFile)).toBe(false);
    expect(store.pathOf('live/cam/1.mp4')).toBe(join(root, 'live/cam/1.mp4'));
  });

  it('puts bytes like LocalDirStore', async () => {
    await store.put('live/x.flv', Uint8Array.of(70, 76, 86), OPTS);
    expect(readFileSync(join(root, 'live/x.flv'), 'utf8')).toBe('FLV');
  });

  it('refuses keys outside the allowlist and directories that resolve outside the root', async () => {
    const spoolFile = join(tmp, 'other.part');
    writeFileSync(spoolFile, 'x');
    await expect(store.putFile('../escape.mp4', spoolFile, OPTS)).rejects.toBeInstanceOf(ProtocolError);
    mkdirSync(join(tmp, 'elsewhere'));
    symlinkSync(join(tmp, 'elsewhere'), join(root, 'link'));
    await expect(store.putFile('link/x.mp4', spoolFile, OPTS)).rejects.toThrow(/outside the store root/);
    expect(existsSync(join(tmp, 'elsewhere', 'x.mp4'))).toBe(false);
    expect(existsSync(spoolFile)).toBe(true);
  });
});
