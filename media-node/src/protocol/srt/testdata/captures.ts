/**
 * Test helper: the libsrt captures written by capture-libsrt.ts. Each file
 * holds datagrams in the order the relay saw them, with who sent them.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hex } from '@runnel/shared';

export type CaptureName = 'publish' | 'encrypted' | 'burst' | 'reject-unsecure' | 'reject-badsecret';
export const CAPTURE_NAMES: readonly CaptureName[] = ['publish', 'encrypted', 'burst', 'reject-unsecure', 'reject-badsecret'];

/** The passphrase of the `encrypted` capture (both sides) and of the listener in the reject captures. */
export const CAPTURE_PASSPHRASE = 'runnel-capture-passphrase';

export interface CapturedDatagram {
  readonly from: 'caller' | 'listener';
  readonly t: number;
  readonly bytes: Uint8Array;
}

const here = dirname(fileURLToPath(import.meta.url));

export function loadCapture(name: CaptureName): CapturedDatagram[] {
  const j = JSON.parse(readFileSync(join(here, `libsrt-${name}.json`), 'utf8')) as { datagrams: { from: 'caller' | 'listener'; t: number; hex: string }[] };
  return j.datagrams.map((d) => ({ from: d.from, t: d.t, bytes: hex(d.hex) }));
}

/** Control type of a datagram, or -1 for data. */
export function controlType(b: Uint8Array): number {
  return b[0]! & 0x80 ? ((b[0]! & 0x7f) << 8) | b[1]! : -1;
}

/** The n-th datagram (from 0) of a capture that `match` accepts. */
export function nth(name: CaptureName, match: (d: CapturedDatagram) => boolean, n = 0): CapturedDatagram {
  const found = loadCapture(name).filter(match);
  const d = found[n];
  if (!d) throw new Error(`capture ${name} has no datagram #${n} of that kind`);
  return d;
}
