import { test as fcTest, fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { isBlockedAddress, parseIpv6 } from './private-address.ts';
import { webhookUrlProblem } from './url-safety.ts';
import type { UrlProblem } from './url-safety.ts';

/** One table: what a webhook URL check must say (the route test reuses it). */
const WEBHOOK_URL_CASES: ReadonlyArray<readonly [string, UrlProblem | null]> = [
  ['https://hooks.example.com/runnel', null],
  ['https://93.184.215.14/x', null],
  ['https://[2606:4700:4700::1111]/x', null],
  ['http://hooks.example.com/runnel', 'not_https'],
  ['ftp://hooks.example.com/x', 'not_https'],
  ['https://user:pw@hooks.example.com/x', 'credentials'],
  ['https://127.0.0.1/x', 'blocked_address'],
  ['https://127.1/x', 'blocked_address'],
  ['https://2130706433/x', 'blocked_address'],
  ['https://0x7f000001/x', 'blocked_address'],
  ['https://0.0.0.0/x', 'blocked_address'],
  ['https://10.1.2.3/x', 'blocked_address'],
  ['https://172.16.0.1/x', 'blocked_address'],
  ['https://172.31.255.255/x', 'blocked_address'],
  ['https://192.168.1.1/x', 'blocked_address'],
  ['https://169.254.169.254/latest/meta-data/', 'blocked_address'],
  ['https://100.64.0.1/x', 'blocked_address'],
  ['https://224.0.0.1/x', 'blocked_address'],
  ['https://255.255.255.255/x', 'blocked_address'],
  ['https://[::1]/x', 'blocked_address'],
  ['https://[::]/x', 'blocked_address'],
  ['https://[::ffff:127.0.0.1]/x', 'blocked_address'],
  ['https://[::ffff:169.254.169.254]/x', 'blocked_address'],
  ['https://[::ffff:a9fe:a9fe]/x', 'blocked_address'],
  ['https://[fc00::1]/x', 'blocked_address'],
  ['https://[fd12:3456::1]/x', 'blocked_address'],
  ['https://[fe80::1]/x', 'blocked_address'],
  ['https://[64:ff9b::10.0.0.1]/x', 'blocked_address'],
  ['https://[2002:a00:1::]/x', 'blocked_address'],
  ['https://localhost/x', 'internal_name'],
  ['https://LOCALHOST./x', 'internal_name'],
  ['https://api.localhost/x', 'internal_name'],
  ['https://metadata.google.internal/computeMetadata/v1/', 'internal_name'],
  ['https://printer.local/x', 'internal_name'],
  ['https://router.home.arpa/x', 'internal_name'],
  ['https://metadata/x', 'internal_name'],
  ['https://172.32.0.1/x', null],
  ['https://100.128.0.1/x', null],
  ['https://[::ffff:8.8.8.8]/x', null],
];

describe('webhookUrlProblem', () => {
  it.each(WEBHOOK_URL_CASES)('%s -> %s', (url, problem) => {
    expect(webhookUrlProblem(url, { allowInsecure: false })).toBe(problem);
  });

  it('lets the dev option through http and local addresses, never other schemes', () => {
    expect(webhookUrlProblem('http://127.0.0.1:9000/hooks', { allowInsecure: true })).toBeNull();
    expect(webhookUrlProblem('http://localhost/hooks', { allowInsecure: true })).toBeNull();
    expect(webhookUrlProblem('ftp://127.0.0.1/x', { allowInsecure: true })).toBe('not_https');
    expect(webhookUrlProblem('not a url', { allowInsecure: true })).toBe('malformed');
  });
});

const v4 = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
const inRange = (base: number, bits: number) => fc.integer({ min: 0, max: 2 ** (32 - bits) - 1 }).map((off) => v4(base + off));
const BLOCKED = fc.oneof(inRange(0x0a000000, 8), inRange(0x7f000000, 8), inRange(0xa9fe0000, 16), inRange(0xac100000, 12), inRange(0xc0a80000, 16), inRange(0x64400000, 10), inRange(0, 8));

describe('isBlockedAddress', () => {
  fcTest.prop([BLOCKED])('blocks every address of the private ranges, also IPv4-mapped in IPv6', (ip) => {
    expect(isBlockedAddress(ip)).toBe(true);
    expect(isBlockedAddress(`::ffff:${ip}`)).toBe(true);
    expect(webhookUrlProblem(`https://[::ffff:${ip}]/`, { allowInsecure: false })).toBe('blocked_address');
  });

  fcTest.prop([fc.ipV6()])('parses every IPv6 text form to eight groups', (ip) => {
    const g = parseIpv6(ip);
    expect(g).toHaveLength(8);
    expect(g?.every((x) => Number.isInteger(x) && x >= 0 && x <= 0xffff)).toBe(true);
  });

  it.each([
    ['::', [0, 0, 0, 0, 0, 0, 0, 0]],
    ['1::', [1, 0, 0, 0, 0, 0, 0, 0]],
    ['::ffff:1.2.3.4', [0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]],
    ['2001:db8:0:0:1:0:0:1', [0x2001, 0xdb8, 0, 0, 1, 0, 0, 1]],
    ['fe80::1%eth0', [0xfe80, 0, 0, 0, 0, 0, 0, 1]],
  ])('parses %s', (text, groups) => {
    expect(parseIpv6(text)).toEqual(groups);
  });

  it.each(['1:2:3:4:5:6:7:8:9', '1::2::3', 'g::1', '::1.2.3', '12345::', 'example.com'])('rejects %s as IPv6', (text) => {
    expect(parseIpv6(text)).toBeNull();
  });
});
