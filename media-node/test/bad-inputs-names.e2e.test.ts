/**
 * shared/reference/bad-inputs.md rows 29-31 (stream names and HTTP paths)
 * and 35 (a second publisher) against a running node, over real sockets, each
 * checked against the clean-error contract (see support/bad-inputs-rig.ts).
 */
import { describe, expect, it } from 'vitest';
import type { Amf0Value } from '../src/format/amf0.ts';
import { MSG } from '../src/protocol/rtmp/message.ts';
import { CLOSE_WITHIN_MS, MARK, PUBLISH_TIMEOUT_MS, TICK_MS, badInputsRig, isFrame, videoBody } from './support/bad-inputs-rig.ts';
import { sleep } from './support/ffmpeg.ts';

const rig = badInputsRig();
const { connected, publishing, logOf, expectClosed, rawGet } = rig;

describe('bad inputs rows 29-31 and 35: names, paths, a second publisher (shared/reference/bad-inputs.md)', () => {
  const badNames: [string, Amf0Value][] = [
    ['row 29: false', false],
    ['row 29: null', null],
    ['row 29: 123', 123],
    ['row 29: an empty string', ''],
    ['row 30: ../../etc/x', `../../etc/${MARK}`],
    ['row 30: a/../../b', `a/../../${MARK}`],
    ['row 30: %2e%2e%2f', `%2e%2e%2f${MARK}`],
    ['row 30: /abs', `/${MARK}`],
    ['row 30: a\\b', `a\\${MARK}`],
    ['row 30: a\\u0000b', `a\u0000${MARK}`],
    ['row 30: a 4 KiB name', MARK + 'a'.repeat(4096)],
    ['row 30: # inside the name', `a#${MARK}`],
    ['row 30: # inside the query', `a?k=1#${MARK}`],
    ['row 31: \\r\\n#EXT-X-ENDLIST', `${MARK}\r\n#EXT-X-ENDLIST`],
    ['row 31: \\n../x.ts', `\n../${MARK}.ts`],
  ];

  it.each(badNames)('%s as the publish name -> NetStream.Publish.BadName, close, no source', async (_n, name) => {
    const sources = rig.n.node.streams.size;
    const peer = await connected();
    expect(await peer.publish(name)).toBe('NetStream.Publish.BadName');
    await expectClosed(peer, 'bad_stream_name');
    expect(rig.n.node.streams.size).toBe(sources);
  });

  it.each([
    `/live/..%2f..%2fetc%2f${MARK}.flv`,
    `/live/../../etc/${MARK}.flv`,
    `/../../${MARK}.flv`,
    `/live/%2e%2e%2f${MARK}.flv`,
    `//${MARK}.flv`,
    `/live/a\\${MARK}.flv`,
    `/live/a%5c${MARK}.flv`,
    `/live/a%00${MARK}.flv`,
    `/live/${MARK}${'a'.repeat(4096)}.flv`,
    `/live/a%23${MARK}.flv`,
    `/live/a%3f${MARK}.flv`,
    `/live/${MARK}%0d%0a%23EXT-X-ENDLIST.flv`,
    `/live/%0a..%2f${MARK}.ts.flv`,
    `/${MARK}/../live/x.flv`,
  ])('rows 30-31: GET %s is a 4xx at once, no source', async (target) => {
    const sources = rig.n.node.streams.size;
    const { status, ms } = await rawGet(target);
    expect(status).toBeGreaterThanOrEqual(400);
    expect(status).toBeLessThan(500);
    expect(ms).toBeLessThan(CLOSE_WITHIN_MS);
    expect(rig.n.node.streams.size).toBe(sources);
  });

  it('row 35: a second publisher is refused while the first is live and while it is half-open; after its timeout a new one is accepted', async () => {
    const { peer: first, reader } = await publishing('row35');
    let ts = 0;
    const feed = setInterval(() => first.media(MSG.video, (ts += 40), videoBody(false, 200, ts)), 40);
    const publishersOfRow35 = () => rig.n.node.clients.list().filter((c) => c.publish && c.name === 'row35').map((c) => c.id);
    const source = rig.n.node.streams.list().find((x) => x.stream === 'row35')!;
    try {
      await sleep(300);
      const second = await connected();
      expect(await second.publish('row35')).toBe('NetStream.Publish.BadName');
      await expectClosed(second, 'publish_rejected');
      expect(logOf(second).find((r) => r.event === 'reject')?.fields).toMatchObject({ reason: 'stream_busy' });
      expect(publishersOfRow35()).toEqual([rig.idOf(first)]);
      expect(source.publisher?.clientId).toBe(rig.idOf(first));
      const flowing = reader.tags.filter(isFrame).length;
      await sleep(300);
      expect(reader.tags.filter(isFrame).length).toBeGreaterThan(flowing);
    } finally {
      clearInterval(feed);
    }

    // half-open: the first publisher stops sending but keeps its socket
    const stalledAt = performance.now();
    const third = await connected();
    expect(await third.publish('row35')).toBe('NetStream.Publish.BadName');
    await expectClosed(third, 'publish_rejected');
    expect(publishersOfRow35()).toEqual([rig.idOf(first)]);
    await first.closed(PUBLISH_TIMEOUT_MS + TICK_MS + CLOSE_WITHIN_MS + 1000);
    expect(first.endedAt! - stalledAt).toBeLessThan(PUBLISH_TIMEOUT_MS + TICK_MS + CLOSE_WITHIN_MS);
    expect(logOf(first).find((r) => r.event === 'close')?.fields).toMatchObject({ code: 'publish_timeout' });
    expect(publishersOfRow35()).toEqual([]);
    expect(source.publishing).toBe(false);

    const fourth = await connected();
    expect(await fourth.publish('row35')).toBe('NetStream.Publish.Start');
    expect(publishersOfRow35()).toEqual([rig.idOf(fourth)]);
    expect(rig.n.node.streams.list().filter((x) => x.stream === 'row35' && x.publishing).map((x) => x.publisher?.clientId)).toEqual([rig.idOf(fourth)]);
    const before = reader.tags.filter(isFrame).length;
    fourth.media(MSG.video, 0, videoBody(true, 64, 35));
    await reader.waitForTags(isFrame, before + 1, 3000);
  });

  it('(c) the canary never stalled longer than a GOP, (b) nothing uncaught, (e) no spawn, no file outside the media root', () => rig.expectCleanRun());
});
