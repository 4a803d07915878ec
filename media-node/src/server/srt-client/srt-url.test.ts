import { test as fcTest, fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { MAX_LATENCY_MS, parseSrtUrl, redactSrtUrl } from './srt-url.ts';

const SID = '#!::r=live/cam,m=publish';

const good: { name: string; url: string; want: Record<string, unknown> }[] = [
  { name: 'host and port only', url: 'srt://example.com:10080', want: { host: 'example.com', port: 10080, streamId: '', ignored: [] } },
  { name: 'an SRS stream id with a raw # (not a fragment)', url: `srt://127.0.0.1:10080?streamid=${SID}`, want: { host: '127.0.0.1', streamId: SID } },
  { name: 'a percent-encoded stream id (ffmpeg 7)', url: 'srt://h:1?streamid=%23!%3A%3Ar%3Dlive%2Fcam%2Cm%3Drequest', want: { streamId: '#!::r=live/cam,m=request' } },
  { name: 'a plus stays a plus', url: 'srt://h:1?streamid=a+b', want: { streamId: 'a+b' } },
  { name: 'invalid percent-encoding is kept as written', url: 'srt://h:1?streamid=100%', want: { streamId: '100%' } },
  { name: 'an IPv6 literal', url: 'srt://[::1]:9000?latency=200', want: { host: '::1', port: 9000, latencyMs: 200, peerLatencyMs: 200 } },
  {
    name: 'passphrase and key length',
    url: 'srt://h:1?passphrase=correct-horse-battery&pbkeylen=32',
    want: { passphrase: 'correct-horse-battery', keyLength: 32 },
  },
  { name: 'pbkeylen=0 means the default', url: 'srt://h:1?passphrase=0123456789&pbkeylen=0', want: { passphrase: '0123456789', keyLength: undefined } },
  { name: 'an empty passphrase is none (ffmpeg)', url: 'srt://h:1?passphrase=', want: { passphrase: undefined } },
  { name: 'latency sets both directions, in ms', url: 'srt://h:1?latency=300', want: { latencyMs: 300, peerLatencyMs: 300 } },
  { name: 'rcvlatency and peerlatency win over latency in any order', url: 'srt://h:1?rcvlatency=50&latency=300&peerlatency=80', want: { latencyMs: 50, peerLatencyMs: 80 } },
  { name: 'ffmpeg connect_timeout (ms)', url: 'srt://h:1?connect_timeout=1500', want: { connectTimeoutMs: 1500 } },
  { name: 'libsrt conntimeo (ms)', url: 'srt://h:1?conntimeo=700', want: { connectTimeoutMs: 700 } },
  { name: 'mode=caller and transtype=live are fine', url: 'srt://h:1?mode=caller&transtype=live', want: { ignored: [] } },
  { name: 'other keys are listed, not refused', url: 'srt://h:1?maxbw=0&pkt_size=1316&tlpktdrop=1', want: { ignored: ['maxbw', 'pkt_size', 'tlpktdrop'] } },
  { name: 'a trailing slash', url: 'srt://h:1/?streamid=x', want: { streamId: 'x' } },
];

const bad: { name: string; url: string; message: RegExp }[] = [
  { name: 'another scheme', url: 'udp://h:1', message: /not an srt:\/\/host:port/ },
  { name: 'no port', url: 'srt://h?streamid=x', message: /not an srt:\/\/host:port/ },
  { name: 'port 0', url: 'srt://h:0', message: /port 0/ },
  { name: 'port 65536', url: 'srt://h:65536', message: /port 65536/ },
  { name: 'a path', url: 'srt://h:1/live/cam', message: /not an srt:\/\/host:port/ },
  { name: 'unbracketed IPv6', url: 'srt://::1:9000', message: /not an srt:\/\/host:port/ },
  { name: 'ffmpeg microseconds', url: 'srt://h:1?latency=120000', message: /milliseconds.*ffmpeg's is in microseconds/ },
  { name: 'a latency that is not a number', url: 'srt://h:1?latency=fast', message: /whole number/ },
  { name: 'a short passphrase', url: 'srt://h:1?passphrase=short', message: /10 to 80 characters/ },
  { name: 'a key length that is not AES', url: 'srt://h:1?passphrase=0123456789&pbkeylen=20', message: /pbkeylen 20/ },
  { name: 'pbkeylen without passphrase', url: 'srt://h:1?pbkeylen=16', message: /without a passphrase/ },
  { name: 'listener mode', url: 'srt://h:1?mode=listener', message: /supports only caller/ },
  { name: 'file mode', url: 'srt://h:1?transtype=file', message: /supports only live/ },
  { name: 'a stream id over 512 bytes', url: `srt://h:1?streamid=${'x'.repeat(513)}`, message: /512 bytes/ },
  { name: 'an absurd URL', url: `srt://h:1?${'a=b&'.repeat(1000)}`, message: /longer than/ },
];

describe('parseSrtUrl', () => {
  it.each(good)('parses $name', (c) => {
    const u: Record<string, unknown> = { ...parseSrtUrl(c.url) };
    for (const [key, value] of Object.entries(c.want)) expect(u[key], key).toEqual(value);
  });
  it.each(bad)('refuses $name', (c) => expect(() => parseSrtUrl(c.url)).toThrow(c.message));

  it('refuses one millisecond over the latency limit and takes the limit', () => {
    expect(parseSrtUrl(`srt://h:1?latency=${MAX_LATENCY_MS}`).latencyMs).toBe(MAX_LATENCY_MS);
    expect(() => parseSrtUrl(`srt://h:1?latency=${MAX_LATENCY_MS + 1}`)).toThrow(RangeError);
  });

  it('keeps secrets out of errors and of the redacted URL', () => {
    const url = 'srt://h:1?passphrase=correct-horse-battery&latency=nope';
    expect(() => parseSrtUrl(url)).toThrow(/latency=nope/);
    expect(redactSrtUrl(url)).toBe('srt://h:1');
    try {
      parseSrtUrl('srt://h?passphrase=correct-horse-battery');
    } catch (e) {
      expect((e as Error).message).not.toContain('correct-horse');
    }
  });

  fcTest.prop([fc.string({ maxLength: 300 })])('anything else throws RangeError or parses', (s) => {
    for (const url of [s, `srt://h:1?${s}`]) {
      try {
        const u = parseSrtUrl(url);
        expect(u.port).toBeGreaterThan(0);
      } catch (e) {
        expect(e).toBeInstanceOf(RangeError);
      }
    }
  });

  fcTest.prop([fc.string({ minLength: 1, maxLength: 100 })])('an encoded stream id comes back as it was', (sid) => {
    fc.pre(new TextEncoder().encode(sid).length <= 512);
    expect(parseSrtUrl(`srt://h:1?streamid=${encodeURIComponent(sid)}`).streamId).toBe(sid);
  });
});
