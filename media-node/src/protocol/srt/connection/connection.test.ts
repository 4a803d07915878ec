import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { hex } from '@runnel/shared';
import { encodeAck } from '../packets/ack.ts';
import { CONTROL_TYPE } from '../packets/control-header.ts';
import { decodeDataPacket, encodeDataPacket } from '../packets/data-packet.ts';
import { decodeDropRequest, encodeDropRequest } from '../packets/drop-request.ts';
import { encodeNak } from '../packets/nak.ts';
import { decodePacket, encodePacket } from '../packets/packet.ts';
import { seqAdd } from '../seq.ts';
import { SimLink } from '../testdata/sim-link.ts';
import { SrtConnection, type SrtConnectionOptions } from './connection.ts';
import { TimestampUnwrapper } from './timestamp-unwrap.ts';

/** 1316 bytes (7 TS packets) starting with the packet index. */
function payload(i: number): Uint8Array {
  const p = new Uint8Array(1316).fill(i & 0xff);
  new DataView(p.buffer).setUint32(0, i);
  return p;
}
const indexOf = (p: Uint8Array) => new DataView(p.buffer, p.byteOffset).getUint32(0);
const isData = (b: Uint8Array) => (b[0]! & 0x80) === 0;
const controlType = (b: Uint8Array) => ((b[0]! & 0x7f) << 8) | b[1]!;
/** The payload index of a data datagram (-1 for control). */
const dataIndex = (b: Uint8Array) => (isData(b) ? indexOf(decodeDataPacket(b).payload) : -1);
const isRetransmission = (b: Uint8Array) => isData(b) && decodeDataPacket(b).retransmitted;

/** Sends `count` packets from the caller, one per ms, while the clock runs. */
function stream(link: SimLink, count: number, thenMs = 400): void {
  let i = 0;
  link.run(count, () => {
    if (i < count) link.send('caller', payload(i++));
  });
  link.run(thenMs);
}

const delivered = (link: SimLink) => link.received.listener.map(indexOf);
const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('SrtConnection: delivery', () => {
  it('releases each message at send time + one-way delay + latency (TSBPD), not before', () => {
    const link = new SimLink({ delayMs: 5 }).connect();
    link.send('caller', payload(0));
    link.run(120 + 5 - 2);
    expect(link.received.listener).toHaveLength(0);
    link.run(4);
    expect(delivered(link)).toEqual([0]);
  });

  it('delivers a stream complete and in order, both directions', () => {
    const link = new SimLink({ delayMs: 3 }).connect();
    let i = 0;
    link.run(200, () => {
      link.send('caller', payload(i));
      link.send('listener', payload(1000 + i));
      i++;
    });
    link.run(300);
    expect(delivered(link)).toEqual(range(200));
    expect(link.received.caller.map(indexOf)).toEqual(range(200).map((x) => x + 1000));
  });

  it('measures the RTT from ACK/ACKACK (two 5 ms hops, ticks of 1 ms)', () => {
    const link = new SimLink({ delayMs: 5 }).connect();
    stream(link, 300);
    const rtt = link.listener.stats.rttUs;
    expect(rtt).toBeGreaterThanOrEqual(10_000);
    expect(rtt).toBeLessThanOrEqual(12_000);
  });

  it('sends light ACKs when 64 packets arrive between two full ACKs', () => {
    const link = new SimLink({ delayMs: 2 }).connect();
    link.run(20);
    for (let i = 0; i < 200; i++) link.send('caller', payload(i));
    link.run(5);
    const acks = link.sent.listener.filter((b) => !isData(b) && controlType(b) === CONTROL_TYPE.ack);
    expect(acks.some((b) => b.length === 20)).toBe(true);
    link.run(300);
    expect(delivered(link)).toEqual(range(200));
  });
});

describe('SrtConnection: loss', () => {
  it('a lost packet is NAKed and retransmitted (R flag) in time: nothing dropped', () => {
    const lost = new Set([10, 11, 40]);
    const link = new SimLink({ delayMs: 5, drop: (b, from) => from === 'caller' && !isRetransmission(b) && lost.has(dataIndex(b)) }).connect();
    stream(link, 100);
    expect(delivered(link)).toEqual(range(100));
    const rx = link.listener.stats.receiver;
    expect(rx).toMatchObject({ lost: 3, retransmitted: 3, dropped: 0 });
    expect(link.sent.caller.filter(isRetransmission).map(dataIndex).sort((a, b) => a - b)).toEqual([10, 11, 40]);
    const naks = link.sent.listener.filter((b) => !isData(b) && controlType(b) === CONTROL_TYPE.nak);
    expect(naks.length).toBeGreaterThanOrEqual(2);
  });

  it('a lost retransmission is asked for again by the periodic NAK', () => {
    let firstRetransmission = true;
    const link = new SimLink({
      delayMs: 5,
      drop: (b, from) => {
        if (from !== 'caller' || dataIndex(b) !== 10) return false;
        if (!isRetransmission(b)) return true;
        const drop = firstRetransmission;
        firstRetransmission = false;
        return drop;
      },
    }).connect();
    stream(link, 60);
    expect(delivered(link)).toEqual(range(60));
    expect(link.sent.caller.filter((b) => dataIndex(b) === 10)).toHaveLength(3);
  });

  it('a packet that cannot arrive in time is dropped; the stream goes on at its pace (too-late drop)', () => {
    const link = new SimLink({ delayMs: 5, drop: (b, from) => from === 'caller' && dataIndex(b) === 10 }).connect();
    stream(link, 60);
    expect(delivered(link)).toEqual(range(60).filter((i) => i !== 10));
    expect(link.listener.stats.receiver.dropped).toBe(1);
  });

  it('with 5% random loss both ways (ACKs and NAKs too) the stream arrives complete', () => {
    let x = 42;
    const rand = () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 8) / 0x1000000;
    const link = new SimLink({ delayMs: 10, drop: () => rand() < 0.05 }).connect();
    stream(link, 1000, 600);
    expect(delivered(link)).toEqual(range(1000));
    expect(link.listener.stats.receiver.lost).toBeGreaterThan(20);
  });
});

describe('SrtConnection: clock drift (TSBPD drift tracer)', () => {
  /** Listener-side delay from send to delivery of the packets sent in the last second. */
  function lateDelay(rate: number): number {
    const link = new SimLink({ delayMs: 5, callerClockRate: rate }).connect();
    const sentAt = new Map<number, number>();
    const deliveredAt = new Map<number, number>();
    let i = 0;
    link.run(40_000, (now) => {
      if (now % 10 === 0) {
        sentAt.set(i, now);
        link.send('caller', payload(i++));
      }
      for (const p of link.received.listener.splice(0)) deliveredAt.set(indexOf(p), now);
    });
    const last = [...deliveredAt.entries()].slice(-100);
    return last.reduce((s, [k, t]) => s + t - sentAt.get(k)!, 0) / last.length;
  }

  // A 2000 ppm skew (20x a poor crystal) moves timestamps 80 ms in 40 s. The
  // tracer, like libsrt's, corrects once per 1000 ACKACKs (10 s), so it trails
  // by up to about 1.5 spans of drift (30 ms here), and by 1.5 ms at 100 ppm.
  it('follows a peer clock 2000 ppm fast or slow: the delay stays within 35 ms of latency + one-way delay, not 80', () => {
    const steady = lateDelay(1);
    expect(steady).toBeGreaterThan(124);
    expect(steady).toBeLessThan(128);
    expect(lateDelay(1.002)).toBeLessThan(steady + 35);
    expect(lateDelay(0.998)).toBeGreaterThan(steady - 35);
  });
});

describe('SrtConnection: encryption', () => {
  it('an encrypted stream with key switches every 50 packets arrives whole (KMREQ/KMRSP in band)', () => {
    const link = new SimLink({
      delayMs: 5,
      caller: { passphrase: 'sim-link-passphrase', keyRefresh: { rate: 50, preAnnounce: 10 } },
      listener: { passphrase: 'sim-link-passphrase' },
    }).connect();
    stream(link, 300);
    expect(delivered(link)).toEqual(range(300));
    const keys = new Set(link.sent.caller.filter(isData).map((b) => decodeDataPacket(b).key));
    expect(keys).toEqual(new Set(['even', 'odd']));
    const kmreqs = link.sent.caller.filter((b) => !isData(b) && controlType(b) === CONTROL_TYPE.userDefined);
    const kmrsps = link.sent.listener.filter((b) => !isData(b) && controlType(b) === CONTROL_TYPE.userDefined);
    expect(kmreqs.length).toBeGreaterThanOrEqual(10);
    expect(kmrsps.length).toBe(kmreqs.length);
    expect(link.listener.stats.receiver.undecryptable).toBe(0);
  });

  it('a lost key announcement is sent again until echoed', () => {
    let dropped = 0;
    const link = new SimLink({
      delayMs: 5,
      drop: (b, from) => from === 'caller' && !isData(b) && controlType(b) === CONTROL_TYPE.userDefined && dropped++ < 2,
      caller: { passphrase: 'sim-link-passphrase', keyRefresh: { rate: 300, preAnnounce: 150 } },
      listener: { passphrase: 'sim-link-passphrase' },
    }).connect();
    stream(link, 400);
    expect(dropped).toBeGreaterThanOrEqual(2);
    expect(delivered(link)).toEqual(range(400));
    expect(link.listener.stats.receiver.undecryptable).toBe(0);
  });
});

describe('SrtConnection: liveness', () => {
  it('keepalives flow when there is nothing to send; the link stays up', () => {
    const link = new SimLink().connect();
    link.run(3500);
    const keepalives = link.sent.caller.filter((b) => !isData(b) && controlType(b) === CONTROL_TYPE.keepalive);
    expect(keepalives.length).toBeGreaterThanOrEqual(3);
    expect(link.closed).toEqual({ caller: null, listener: null });
  });

  it('a peer that goes silent is dropped after the idle timeout (5 s)', () => {
    let silent = false;
    const link = new SimLink({ drop: (_b, from) => silent && from === 'listener' }).connect();
    link.run(100);
    silent = true;
    link.run(4900);
    expect(link.closed.caller).toBeNull();
    link.run(200);
    expect(link.closed.caller).toBe('peer_idle_timeout');
  });

  it('close() sends a shutdown; the peer closes with peer_shutdown', () => {
    const link = new SimLink().connect();
    link.apply('caller', link.caller.close(link.now));
    link.run(20);
    expect(link.closed).toEqual({ caller: 'closed', listener: 'peer_shutdown' });
    expect(link.caller.send(payload(1), link.now)).toEqual([]);
  });

  it('the listener answers a repeated conclusion with the same handshake reply', () => {
    const link = new SimLink().connect();
    const out = link.listener.receive(encodePacket(link.request.handshake), link.now);
    expect(out).toHaveLength(1);
    const reply = out[0]!.kind === 'send' ? decodePacket(out[0]!.bytes) : null;
    expect(reply).toMatchObject({ kind: 'handshake', type: -1, socketId: link.listener.localSocketId, destSocketId: link.caller.localSocketId });
  });
});

function bare(over: Partial<SrtConnectionOptions> = {}): SrtConnection {
  return new SrtConnection({
    now: 0,
    localSocketId: 1,
    peerSocketId: 2,
    sendIsn: 100,
    recvIsn: 500,
    peerFlowWindow: 8192,
    peerStartTime: 0,
    recvTsbpd: true,
    recvLatencyMs: 120,
    sendLatencyMs: 120,
    tooLateDrop: true,
    periodicNak: true,
    peerRexmitFlag: true,
    ...over,
  });
}
const sends = (outs: ReturnType<SrtConnection['receive']>) => outs.flatMap((o) => (o.kind === 'send' ? [o.bytes] : []));
const f = { timestamp: 0, destSocketId: 1 };

describe('SrtConnection: flow control and buffers', () => {
  it('holds packets beyond the peer flow window until an ACK opens it', () => {
    const c = bare({ peerFlowWindow: 4 });
    const out = range(10).flatMap((i) => sends(c.send(payload(i), 1)));
    expect(out.map(dataIndex)).toEqual([0, 1, 2, 3]);
    const more = sends(c.receive(encodeAck({ ...f, shape: 'light', ackNumber: 0, lastAckedSeq: 103 }), 2));
    expect(more.map(dataIndex)).toEqual([4, 5, 6]);
  });

  it('messages are limited by the negotiated MSS (MSS - 44 bytes)', () => {
    expect(bare().maxPayload).toBe(1456);
    const small = bare({ mss: 1360 });
    expect(small.maxPayload).toBe(1316);
    expect(sends(small.send(new Uint8Array(1316), 1))).toHaveLength(1);
    expect(() => small.send(new Uint8Array(1317), 1)).toThrow(RangeError);
  });

  it('a full send buffer drops its oldest packet and tells the peer', () => {
    const c = bare({ sendBufferPackets: 8 });
    for (let i = 0; i < 8; i++) c.send(payload(i), 1);
    const out = sends(c.send(payload(8), 1));
    expect(decodeDropRequest(out[0]!)).toMatchObject({ firstSeq: 100, lastSeq: 100 });
    expect(dataIndex(out[1]!)).toBe(8);
    expect(c.stats.sender.dropped).toBe(1);
  });

  it('drops unacknowledged packets after max(latency, 1 s) + 20 ms and sends a drop request', () => {
    const c = bare();
    c.send(payload(0), 0);
    c.send(payload(1), 500);
    expect(sends(c.tick(1019)).filter((b) => !isData(b) && controlType(b) === CONTROL_TYPE.dropRequest)).toHaveLength(0);
    const drop = sends(c.tick(1021)).find((b) => !isData(b) && controlType(b) === CONTROL_TYPE.dropRequest)!;
    expect(decodeDropRequest(drop)).toMatchObject({ firstSeq: 100, lastSeq: 100 });
  });

  it('a packet further ahead than the receive buffer is refused (overflow), not stored', () => {
    const c = bare({ recvBufferPackets: 16 });
    const far = encodeDataPacketAt(500 + 16);
    expect(c.receive(far, 1)).toEqual([]);
    expect(c.stats.receiver.overflow).toBe(1);
  });
});

function encodeDataPacketAt(seq: number, ts = 0): Uint8Array {
  return encodeDataPacket({ seq, position: 'solo', inOrder: false, key: 'none', retransmitted: false, messageNumber: 1, timestamp: ts, destSocketId: 1, payload: payload(seq) });
}

describe('SrtConnection: bad input (bad-inputs "malformed loss reports and drop requests", garbage datagrams)', () => {
  it('garbage datagrams are counted and ignored; the connection keeps working', () => {
    const c = bare();
    for (const g of [new Uint8Array(0), new Uint8Array(3), hex('80090000 00000000 00000000 00000001'), hex('80030000 00000000 00000000 00000001 80000005')]) {
      expect(c.receive(g, 1)).toEqual([]);
    }
    expect(c.stats.malformed).toEqual({ srt_truncated: 2, srt_unknown_control_type: 1, srt_nak_range: 1 });
    expect(c.state).toBe('connected');
  });

  it('a NAK naming packets never sent is ignored whole (libsrt: attack)', () => {
    const c = bare();
    for (let i = 0; i < 5; i++) c.send(payload(i), 1);
    const out = c.receive(encodeNak({ ...f, losses: [{ from: 101, to: 101 }, { from: 104, to: 200 }] }), 2);
    expect(out).toEqual([]);
    expect(c.stats.sender.bogusNaks).toBe(1);
  });

  it('a NAK for packets already acknowledged gets a drop request, not retransmissions', () => {
    const c = bare();
    for (let i = 0; i < 5; i++) c.send(payload(i), 1);
    c.receive(encodeAck({ ...f, shape: 'light', ackNumber: 0, lastAckedSeq: 103 }), 2);
    const out = sends(c.receive(encodeNak({ ...f, losses: [{ from: 101, to: 103 }] }), 3));
    expect(decodeDropRequest(out[0]!)).toMatchObject({ firstSeq: 101, lastSeq: 102 });
    expect(out.slice(1).map(dataIndex)).toEqual([3]);
  });

  it('overlapping NAK ranges retransmit each packet once per report', () => {
    const c = bare();
    for (let i = 0; i < 8; i++) c.send(payload(i), 1);
    const losses = range(100).map(() => ({ from: 100, to: 107 }));
    const out = sends(c.receive(encodeNak({ ...f, losses }), 50));
    expect(out.map(dataIndex)).toEqual(range(8));
  });

  it('a drop request spanning 2^30 - 2 sequence numbers costs at most one pass over the buffer', () => {
    const c = bare({ recvBufferPackets: 64 });
    c.receive(encodeDataPacketAt(500), 1);
    c.receive(encodeDataPacketAt(510), 1);
    const t0 = performance.now();
    c.receive(encodeDropRequest({ ...f, messageNumber: 0, firstSeq: seqAdd(500, -0x1fffffff), lastSeq: seqAdd(500, 0x1ffffffe) }), 2);
    expect(performance.now() - t0).toBeLessThan(50);
    // 501..509 given up: the ACK point moves past them.
    const ack = sends(c.tick(20)).map((b) => decodePacket(b)).find((p) => p.kind === 'ack');
    expect(ack).toMatchObject({ lastAckedSeq: 511 });
  });

  it('an ACK beyond what was sent is ignored', () => {
    const c = bare({ peerFlowWindow: 2 });
    for (let i = 0; i < 4; i++) c.send(payload(i), 1);
    expect(sends(c.receive(encodeAck({ ...f, shape: 'light', ackNumber: 0, lastAckedSeq: 5000 }), 2))).toEqual([]);
  });

  fcTest.prop([fc.array(fc.uint8Array({ minLength: 16, maxLength: 200 }), { maxLength: 50 })])('random datagrams never throw out of receive()', (datagrams) => {
    const c = bare();
    c.send(payload(0), 0);
    for (const d of datagrams) {
      d[12] = 0;
      d[13] = 0;
      d[14] = 0;
      d[15] = 1;
      c.receive(d, 1);
    }
    c.tick(30);
  });
});

describe('TimestampUnwrapper', () => {
  it('continues across the 32-bit wrap and keeps late (retransmitted) packets behind', () => {
    const u = new TimestampUnwrapper();
    expect(u.unwrap(0xffff_ff00)).toBe(0xffff_ff00);
    expect(u.unwrap(0x0000_0100)).toBe(0x1_0000_0100);
    expect(u.unwrap(0xffff_ff80)).toBe(0xffff_ff80);
    expect(u.unwrap(0x0000_0200)).toBe(0x1_0000_0200);
  });
});
