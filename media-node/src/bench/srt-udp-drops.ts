import { readFileSync } from 'node:fs';

/**
 * Datagrams the kernel dropped for one UDP socket, from /proc/net/udp
 * (proc(5); the last column, `drops`, counts datagrams that did not fit the
 * socket's receive buffer). For SRT on loopback this is where loss comes
 * from: a receiver that does not read for a while loses what its buffer
 * (net.core.rmem_default unless the socket asks for more) cannot hold.
 */
export function parseUdpDrops(text: string, port: number): number | undefined {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
    if (f.length < 13 || !f[1]!.endsWith(`:${hexPort}`)) continue;
    const drops = Number(f[f.length - 1]);
    if (Number.isInteger(drops)) return drops;
  }
  return undefined;
}

/** Kernel drops of the IPv4 UDP socket bound to `port` now; undefined when there is none or /proc is not readable. */
export function readUdpDrops(port: number): number | undefined {
  try {
    return parseUdpDrops(readFileSync('/proc/net/udp', 'utf8'), port);
  } catch {
    return undefined;
  }
}
