/**
 * Emulation prevention (H.264 7.4.1 / H.265 7.4.2): inside a NAL unit every
 * `00 00 03` stands for `00 00`, so that no start code appears in the payload.
 * Header parsers read the RBSP, i.e. the NAL unit with those 0x03 bytes removed.
 *
 * Returns the input itself (no copy) when it contains no escape, which is the
 * common case for short parameter sets.
 */
export function nalToRbsp(nal: Uint8Array): Uint8Array {
  const first = findEscape(nal, 0);
  if (first < 0) return nal;
  const out = new Uint8Array(nal.length);
  let o = 0;
  let from = 0;
  let at = first;
  while (at >= 0) {
    // Copy through the two zero bytes, drop the 0x03 that follows them.
    out.set(nal.subarray(from, at + 2), o);
    o += at + 2 - from;
    from = at + 3;
    at = findEscape(nal, from);
  }
  out.set(nal.subarray(from), o);
  o += nal.length - from;
  return out.subarray(0, o);
}

/**
 * The inverse: inserts `03` after every `00 00` that is followed by a byte
 * ≤ 0x03 (or ends the buffer), so an RBSP can be carried as a NAL unit.
 */
export function rbspToNal(rbsp: Uint8Array): Uint8Array {
  let zeros = 0;
  let extra = 0;
  for (let i = 0; i < rbsp.length; i++) {
    const b = rbsp[i]!;
    if (zeros >= 2 && b <= 3) {
      extra++;
      zeros = 0;
    }
    zeros = b === 0 ? zeros + 1 : 0;
  }
  if (zeros >= 2) extra++;
  if (extra === 0) return rbsp;
  const out = new Uint8Array(rbsp.length + extra);
  let o = 0;
  zeros = 0;
  for (let i = 0; i < rbsp.length; i++) {
    const b = rbsp[i]!;
    if (zeros >= 2 && b <= 3) {
      out[o++] = 3;
      zeros = 0;
    }
    out[o++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  if (zeros >= 2) out[o] = 3;
  return out;
}

/** Index of the first `00 00` that is followed by `03`, from `from`; -1 if none. */
function findEscape(b: Uint8Array, from: number): number {
  for (let i = from; i + 2 < b.length; i++) {
    if (b[i + 2]! > 3) {
      i += 2; // neither b[i], b[i+1] nor b[i+2] can start a `00 00 03` that ends at or before i+4
      continue;
    }
    if (b[i] === 0 && b[i + 1] === 0 && b[i + 2] === 3) return i;
  }
  return -1;
}
