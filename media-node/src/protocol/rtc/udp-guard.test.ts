import { createSocket } from 'node:dgram';
import { describe, expect, it } from 'vitest';
import { UdpTransport } from 'werift';
import { guardWeriftUdp, weriftUdpErrors } from './udp-guard.ts';

guardWeriftUdp();

describe("werift's UdpTransport, guarded", () => {
  it('a bind to a taken port rejects instead of raising an uncaught error', async () => {
    const taken = createSocket('udp4');
    await new Promise<void>((r) => taken.bind(0, '127.0.0.1', () => r()));
    const port = taken.address().port;
    try {
      const before = weriftUdpErrors.count;
      await expect(UdpTransport.init('udp4', { port, interfaceAddresses: { udp4: '127.0.0.1' } })).rejects.toThrow(/EADDRINUSE/);
      expect(weriftUdpErrors.count).toBe(before + 1);
      // A free port still works.
      const ok = await UdpTransport.init('udp4', { interfaceAddresses: { udp4: '127.0.0.1' } });
      expect(ok.port).toBeGreaterThan(0);
      await ok.close();
    } finally {
      taken.close();
    }
  });
});
