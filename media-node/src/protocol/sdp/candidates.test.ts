import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError } from '@runnel/shared';
import { classifyAddress, parseIpv6 } from './address.ts';
import { candidateRefusal, parseCandidate } from './candidate.ts';
import { parseTrickleFragment } from './trickle-fragment.ts';

describe('candidate address classes', () => {
  it.each([
    ['93.184.216.34', 'public'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['fd00:ec2::254', 'metadata'],
    ['::ffff:169.254.169.254', 'metadata'],
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['metadata.google.internal', 'metadata'],
    ['169.254.1.1', 'link_local'],
    ['fe80::1', 'link_local'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.20', 'private'],
    ['fd12:3456::1', 'private'],
    ['100.64.0.1', 'shared'],
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['localhost', 'loopback'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['ff02::fb', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.1', 'reserved'],
    ['2001:db8::1', 'reserved'],
    ['2002:a9fe:a9fe::1', 'metadata'],
    ['2606:4700:4700::1111', 'public'],
    ['2a0b6c8e-74b3-4e09-bd3f-3b6de7c0f5a1.local', 'mdns'],
    ['turn.example.com', 'hostname'],
    ['010.0.0.1', 'invalid'],
    ['1.2.3', 'invalid'],
    ['256.1.1.1', 'invalid'],
    ['1::2::3', 'invalid'],
    ['fe80::1%eth0', 'invalid'],
    ['a b', 'invalid'],
  ])('%s is %s', (address, cls) => {
    expect(classifyAddress(address)).toBe(cls);
  });

  it('parses IPv6 text forms to 16 bytes', () => {
    expect(Array.from(parseIpv6('1:2:3:4:5:6:7:8')!)).toEqual([0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]);
    expect(Array.from(parseIpv6('::ffff:1.2.3.4')!.subarray(10))).toEqual([0xff, 0xff, 1, 2, 3, 4]);
    expect(parseIpv6('1:2:3:4:5:6:7:8:9')).toBeUndefined();
    expect(parseIpv6('1:2:3:4:5:6:7::8')).toBeUndefined();
  });

  fcTest.prop([fc.ipV4()])('every dotted quad is classified', (ip) => {
    expect(classifyAddress(ip)).not.toBe('invalid');
  });

  fcTest.prop([fc.ipV6()])('every IPv6 text form is classified', (ip) => {
    expect(classifyAddress(ip)).not.toBe('invalid');
  });
});

describe('ICE candidates (RFC 8839 5.1)', () => {
  it('parses a Chrome srflx candidate with extensions', () => {
    expect(parseCandidate('candidate:842163049 1 udp 1686052607 81.2.69.160 46243 typ srflx raddr 10.0.0.12 rport 46245 generation 0 network-id 3')).toEqual({
      foundation: '842163049', component: 1, transport: 'udp', priority: 1686052607, address: '81.2.69.160', port: 46243, type: 'srflx',
      relatedAddress: '10.0.0.12', relatedPort: 46245, extensions: [['generation', '0'], ['network-id', '3']], addressClass: 'public',
    });
  });

  it.each([
    ['too few fields', '1 1 udp 1 81.2.69.160 9 typ'],
    ['foundation too long', `${'a'.repeat(33)} 1 udp 1 81.2.69.160 9 typ host`],
    ['component 0', '1 0 udp 1 81.2.69.160 9 typ host'],
    ['transport sctp', '1 1 sctp 1 81.2.69.160 9 typ host'],
    ['priority over 32 bits', '1 1 udp 4294967296 81.2.69.160 9 typ host'],
    ['port 65536', '1 1 udp 1 81.2.69.160 65536 typ host'],
    ['bad address', '1 1 udp 1 81.2.69 9 typ host'],
    ['unknown type', '1 1 udp 1 81.2.69.160 9 typ bogus'],
    ['extension without value', '1 1 udp 1 81.2.69.160 9 typ host generation'],
    ['too many extensions', `1 1 udp 1 81.2.69.160 9 typ host ${'x 1 '.repeat(17).trim()}`],
  ])('rejects %s', (_n, v) => {
    expect(() => parseCandidate(v)).toThrow(expect.objectContaining({ code: 'sdp_bad_candidate' }));
  });

  it('refuses metadata addresses even when the policy allows link-local', () => {
    const c = parseCandidate('1 1 udp 1 169.254.169.254 9 typ host');
    expect(candidateRefusal(c, new Set(['public', 'link_local', 'metadata']))).toBe('metadata');
    expect(candidateRefusal(parseCandidate('1 1 udp 1 127.0.0.1 9 typ host'))).toBe('loopback');
    expect(candidateRefusal(parseCandidate('1 1 udp 1 127.0.0.1 9 typ host'), new Set(['loopback']))).toBeUndefined();
  });

  fcTest.prop([fc.string({ maxLength: 200 })])('garbage never crashes', (s) => {
    try {
      parseCandidate(s);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});

describe('trickle ICE fragments (RFC 8840 4.4)', () => {
  const FRAG = [
    'a=ice-ufrag:EsAw',
    'a=ice-pwd:P2uYro0UCOQ4zxjKXaWCBui1',
    'm=audio 9 UDP/TLS/RTP/SAVPF 0',
    'a=mid:0',
    'a=candidate:1387637174 1 udp 2122260223 81.2.69.160 61764 typ host generation 0 ufrag EsAw network-id 1',
    'a=candidate:3471623853 1 udp 2122194687 169.254.169.254 61765 typ host generation 0 ufrag EsAw network-id 2',
    'a=end-of-candidates',
    '',
  ].join('\r\n');

  it('reads credentials, candidates with their mid, and the end marker', () => {
    const f = parseTrickleFragment(FRAG);
    expect([f.iceUfrag, f.icePwd, f.endOfCandidates]).toEqual(['EsAw', 'P2uYro0UCOQ4zxjKXaWCBui1', true]);
    expect(f.candidates.map((c) => [c.mid, c.candidate.address, candidateRefusal(c.candidate)])).toEqual([
      ['0', '81.2.69.160', undefined],
      ['0', '169.254.169.254', 'metadata'],
    ]);
  });

  it.each([
    ['an oversized fragment', 'a=x\r\n'.repeat(5000), 'sdp_too_large'],
    ['a malformed candidate', 'a=candidate:1 1 udp 1 81.2.69.160 9 typ bogus', 'sdp_bad_candidate'],
    ['too many candidates', 'a=candidate:1 1 udp 1 81.2.69.160 9 typ host\r\n'.repeat(65), 'sdp_too_many_candidates'],
    ['a line that is not SDP', 'hello', 'sdp_bad_line'],
  ])('rejects %s', (_n, text, code) => {
    expect(() => parseTrickleFragment(text)).toThrow(expect.objectContaining({ code }));
  });

  fcTest.prop([fc.string({ maxLength: 300 })])('garbage never crashes', (s) => {
    try {
      parseTrickleFragment(s);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
