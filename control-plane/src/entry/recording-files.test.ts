import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { call, harness, newTenant } from '../testing/harness.ts';
import type { Harness } from '../testing/harness.ts';
import { hook, registerNode } from '../testing/nodes.ts';
import { localDirRecordings } from './recording-files.ts';

/** `/v1/recordings/{id}/file`: a bucket recording redirects to its URL; a file on this machine is streamed from the DVR dir only. */

const root = mkdtempSync(join(tmpdir(), 'runnel-recfiles-'));
const dvr = join(root, 'dvr');
mkdirSync(join(dvr, 'live'), { recursive: true });
const inside = join(dvr, 'live', 'cam.1.flv');
writeFileSync(inside, Buffer.from('FLV\x01 recording bytes'));
const outside = join(root, 'secret.txt');
writeFileSync(outside, 'not a recording');
symlinkSync(outside, join(dvr, 'live', 'link.flv'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let h: Harness;
let key: string;
beforeEach(async () => {
  h = await harness({}, { localRecordings: localDirRecordings(dvr) });
  ({ key } = await newTenant(h));
  await registerNode(h, 'n1');
});
afterEach(() => h.close());

/** A recording of a new stream announced by on_dvr with `file` (and `url`), returned as the API shows it. */
async function recording(file: string, url?: string) {
  const s = (await call(h, 'POST', '/v1/live-streams', { auth: key, body: { name: 'r', recording: { mode: 'automatic' } } })).json.data;
  const pid = s.playback_ids[0].id as string;
  await hook(h, 'on_publish', 'n1', s.stream_key, { client_id: 'pub1', protocol: 'rtmp' });
  await hook(h, 'on_dvr', 'n1', pid, { client_id: 'pub1', cwd: '/srv', file, ...(url === undefined ? {} : { url }) });
  return (await call(h, 'GET', `/v1/live-streams/${s.id}/recordings`, { auth: key })).json.data[0];
}

const get = (path: string, auth?: string) => h.app.request(path, { headers: auth === undefined ? {} : { authorization: `Bearer ${auth}` } });

describe('GET /v1/recordings/{id}/file', () => {
  it('streams a file of the local DVR directory, byte for byte, with its type', async () => {
    const rec = await recording(inside);
    expect(rec.file_path).toBe(`/v1/recordings/${rec.id}/file`);
    const res = await get(rec.file_path, key);
    expect([res.status, res.headers.get('content-type'), res.headers.get('content-length')]).toEqual([200, 'video/x-flv', '20']);
    expect(Buffer.from(await res.arrayBuffer()).toString()).toBe('FLV\x01 recording bytes');
  });

  it('redirects a bucket recording to its URL', async () => {
    const rec = await recording('media/recordings/live/x.mp4', 'https://cdn.example/media/recordings/live/x.mp4');
    const res = await get(rec.file_path, key);
    expect([res.status, res.headers.get('location')]).toEqual([302, 'https://cdn.example/media/recordings/live/x.mp4']);
  });

  it.each([
    ['a file outside the DVR directory', outside],
    ['a symlink in it that points outside', join(dvr, 'live', 'link.flv')],
    ['a climbing path', join(dvr, 'live', '..', '..', 'secret.txt')],
    ['a missing file', join(dvr, 'live', 'gone.flv')],
    ['a relative key', 'live/cam.1.flv'],
  ])('refuses %s with 404', async (_name, file) => {
    const rec = await recording(file);
    const res = await get(`/v1/recordings/${rec.id}/file`, key);
    expect(res.status).toBe(404);
  });

  it('is the tenant\'s only: another tenant and no key get 404 and 401', async () => {
    const rec = await recording(inside);
    const other = await newTenant(h, 'other');
    expect((await get(rec.file_path, other.key)).status).toBe(404);
    expect((await get(rec.file_path)).status).toBe(401);
  });
});

describe('without a local DVR directory (Workers, or a control plane apart from its nodes)', () => {
  it('gives a disk recording no file_path and answers 404', async () => {
    h.close();
    h = await harness();
    ({ key } = await newTenant(h));
    await registerNode(h, 'n1');
    const rec = await recording(inside);
    expect(rec.file_path).toBeNull();
    expect((await get(`/v1/recordings/${rec.id}/file`, key)).status).toBe(404);
  });
});
