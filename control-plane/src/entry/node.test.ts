import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNodeEnv } from '../env.ts';
import { RecordingLogger } from '../services/logger.ts';
import { startControlPlane } from './node.ts';

const dir = mkdtempSync(join(tmpdir(), 'runnel-cp-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const API_KEY = 'rnl_nodeentrytest0123456789abcdefghjkmnpq';
const env = {
  RUNNEL_NODE_TOKEN: 'entry-node-token-0123456789abcdefghijklm',
  RUNNEL_BOOTSTRAP_API_KEY: API_KEY,
  PORT: '0',
  RUNNEL_DB_FILE: join(dir, 'data', 'cp.db'),
};

describe('entry/node.ts', () => {
  it('serves over HTTP from a SQLite file, migrating once and keeping data across restarts', async () => {
    const log1 = new RecordingLogger();
    const first = await startControlPlane(parseNodeEnv(env), log1);
    const auth = { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' };
    const made = await fetch(`${first.url}/v1/live-streams`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'persisted' }) });
    expect(made.status).toBe(201);
    const id = ((await made.json()) as { data: { id: string } }).data.id;
    await first.close();
    expect(log1.lines.map((l) => l.msg)).toEqual(['migrations applied', 'bootstrap tenant created for RUNNEL_BOOTSTRAP_API_KEY', 'control plane listening']);

    const log2 = new RecordingLogger();
    const second = await startControlPlane(parseNodeEnv(env), log2);
    const got = await fetch(`${second.url}/v1/live-streams/${id}`, { headers: auth });
    expect(got.status).toBe(200);
    expect(((await got.json()) as { data: { name: string } }).data.name).toBe('persisted');
    await second.close();
    expect(log2.lines.map((l) => l.msg)).toEqual(['control plane listening']);
  });
});
