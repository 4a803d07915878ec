import { createSocket } from 'node:dgram';
import type { Socket } from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { UdpMux } from './udp-mux.ts';
import type { MuxAddress, MuxTransport } from './udp-mux.ts';

/** A STUN Binding request with one USERNAME attribute (RFC 8489; no integrity: routing only reads USERNAME). */
function bindingRequest(username: string): Buffer {
  const u = Buffer.from(username);
  const attr = Buffer.alloc(4 + ((u.length + 3) & ~3));
  attr.writeUInt16BE(0x0006, 0);
  attr.writeUInt16BE(u.length, 2);
  u.copy(attr, 4);
  const head = Buffer.alloc(20);
  head.writeUInt16BE(0x0001, 0);
  head.writeUInt16BE(attr.length, 2);
  head.writeUInt32BE(0x2112a442, 4);
  return Buffer.concat([head, attr]);
}
const DTLS = Buffer.from('16fefd0000000000000000000100', 'hex');

const open: { close(): unknown }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function client(): Promise<Socket> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', r));
  open.push(s);
  return s;
}
async function mux(): Promise<UdpMux> {
  const m = await UdpMux.bind(0, '127.0.0.1');
  open.push(m);
  return m;
}
const send = (s: Socket, m: UdpMux, b: Buffer): Promise<void> => new Promise((r) => s.send(b, m.port, '127.0.0.1', () => r()));
const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 30));

/** What werift's StunProtocol would see on a transport. */
function listen(t: MuxTransport): { data: string; from: number }[] {
  const got: { data: string; from: number }[] = [];
  t.onData = (data: Buffer, addr: MuxAddress) => got.push({ data: data.subarray(0, 2).toString('hex'), from: addr[1] });
  return got;
}

describe('UdpMux', () => {
  it('routes a Binding request by its USERNAME (our ufrag:theirs), then everything from that address to the same session', async () => {
    const m = await mux();
    const a = m.open('aaaa', 'zz01');
    const b = m.open('bbbb', 'zz02');
    const [gotA, gotB] = [listen(a), listen(b)];
    const [c1, c2] = [await client(), await client()];
    await send(c1, m, bindingRequest('aaaa:zz01'));
    await send(c2, m, bindingRequest('bbbb:zz02'));
    await settle();
    await send(c1, m, DTLS);
    await send(c2, m, DTLS);
    await settle();
    expect(gotA).toEqual([{ data: '0001', from: c1.address().port }, { data: '16fe', from: c1.address().port }]);
    expect(gotB).toEqual([{ data: '0001', from: c2.address().port }, { data: '16fe', from: c2.address().port }]);
    expect(m.stats).toEqual({ unrouted: 0, sessions: 2 });
    expect(a.address.port).toBe(m.port);
  });

  it('drops what comes from an unknown address and is not a Binding request naming a session (DTLS first, wrong ufrag, garbage)', async () => {
    const m = await mux();
    const got = listen(m.open('aaaa', 'zz'));
    const c = await client();
    for (const b of [DTLS, bindingRequest('cccc:zz'), bindingRequest('aaaa:other'), bindingRequest('nocolon'), Buffer.alloc(1), Buffer.alloc(1400, 0xff)]) await send(c, m, b);
    await settle();
    expect(got).toEqual([]);
    expect(m.stats.unrouted).toBe(6);
  });

  it('sends from the shared port to the address werift names', async () => {
    const m = await mux();
    const t = m.open('aaaa', 'zz');
    const c = await client();
    const received = new Promise<{ data: string; port: number }>((resolve) => c.once('message', (d, r) => resolve({ data: d.toString(), port: r.port })));
    await t.send(Buffer.from('hello'), ['127.0.0.1', c.address().port]);
    expect(await received).toEqual({ data: 'hello', port: m.port });
  });

  it('forgets a closed session: its address is unrouted again and its ufrag free; a live ufrag cannot be taken twice', async () => {
    const m = await mux();
    const t = m.open('aaaa', 'zz');
    const got = listen(t);
    expect(() => m.open('aaaa', 'zz')).toThrow(/already in use/);
    const c = await client();
    await send(c, m, bindingRequest('aaaa:zz'));
    await settle();
    await t.close();
    expect(t.closed).toBe(true);
    await send(c, m, DTLS);
    await settle();
    expect(got).toHaveLength(1);
    expect(m.stats).toEqual({ unrouted: 1, sessions: 0 });
    const again = m.open('aaaa', 'zz');
    expect(again).not.toBe(t);
  });

  it('moves an address to the session a new Binding request names, and keeps at most 8 addresses per session', async () => {
    const m = await mux();
    const a = m.open('aaaa', 'zz');
    const b = m.open('bbbb', 'zz');
    const gotB = listen(b);
    listen(a);
    const c = await client();
    await send(c, m, bindingRequest('aaaa:zz'));
    await send(c, m, bindingRequest('bbbb:zz'));
    await settle();
    await send(c, m, DTLS);
    await settle();
    expect(gotB.map((g) => g.data)).toEqual(['0001', '16fe']);
    expect(a.addresses).toEqual([]);
    const many = await Promise.all(Array.from({ length: 10 }, () => client()));
    for (const s of many) await send(s, m, bindingRequest('aaaa:zz'));
    await settle();
    expect(a.addresses).toHaveLength(8);
  });

  it('two sessions whose own ufrags collide (werift\'s are 4 hex digits) are told apart by the peer\'s ufrag', async () => {
    const m = await mux();
    const gotA = listen(m.open('0a1b', 'peerA'));
    const gotB = listen(m.open('0a1b', 'peerB'));
    const [c1, c2] = [await client(), await client()];
    await send(c1, m, bindingRequest('0a1b:peerA'));
    await send(c2, m, bindingRequest('0a1b:peerB'));
    await settle();
    expect(gotA.map((g) => g.from)).toEqual([c1.address().port]);
    expect(gotB.map((g) => g.from)).toEqual([c2.address().port]);
  });

  it('a bound port cannot be bound again: bind rejects instead of throwing', async () => {
    const m = await mux();
    await expect(UdpMux.bind(m.port, '127.0.0.1')).rejects.toThrow(/EADDRINUSE/);
  });
});
