import { describe, expect, it } from 'vitest';
import { validateConfig } from '../config/index.ts';
import { rtcSettings } from './rtc-settings.ts';

const settings = (doc: unknown) => rtcSettings({ ...validateConfig(doc), serverId: 'vid-test' });

describe('rtcSettings', () => {
  it('by default every session shares listen.rtc (the UDP mux) and port_count caps sessions', () => {
    const s = settings({});
    expect(s.muxPort).toBe(8000);
    expect(s.portRange).toBeUndefined();
    expect(s.maxSessions).toBe(100);
  });

  it('with rtc.udp_mux false each session gets a port from listen.rtc .. + port_count - 1', () => {
    const s = settings({ listen: { rtc: 9000 }, rtc: { udp_mux: false, port_count: 10 } });
    expect(s.muxPort).toBeUndefined();
    expect(s.portRange).toEqual([9000, 9009]);
  });

  it('announces listen.host when it is an IPv4 address, loopback for a wildcard bind, rtc.candidate when set', () => {
    expect(settings({ listen: { host: '10.1.2.3' } })).toMatchObject({ candidateAddress: '10.1.2.3', bindAddress: '10.1.2.3' });
    expect(settings({}).candidateAddress).toBe('127.0.0.1');
    expect(settings({ rtc: { candidate: '203.0.113.7' } }).candidateAddress).toBe('203.0.113.7');
  });
});
