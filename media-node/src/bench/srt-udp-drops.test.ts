import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { parseUdpDrops, readUdpDrops } from './srt-udp-drops.ts';

// /proc/net/udp as Linux 6.x prints it (header, then one socket per line).
const TEXT = [
  '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops',
  '  123: 0100007F:2760 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4242 2 0000000000000000 17',
  '  456: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 4243 2 0000000000000000 0',
  '',
].join('\n');

describe('parseUdpDrops', () => {
  it('reads the drops column of the socket on the port (hex in local_address)', () => {
    expect(parseUdpDrops(TEXT, 0x2760)).toBe(17);
    expect(parseUdpDrops(TEXT, 53)).toBe(0);
  });

  it('is undefined for a port no socket has, and does not match a port by its suffix', () => {
    expect(parseUdpDrops(TEXT, 0x760)).toBeUndefined();
    expect(parseUdpDrops(TEXT, 10080 + 1)).toBeUndefined();
    expect(parseUdpDrops('', 53)).toBeUndefined();
  });
});

describe('readUdpDrops', () => {
  it('finds a socket this process bound', async () => {
    const s = createSocket('udp4');
    await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
    try {
      expect(readUdpDrops(s.address().port)).toBe(0);
    } finally {
      s.close();
    }
  });
});
