/** A `send` output: bytes for the socket, in order with the events around it. */
export interface SendOutput {
  readonly kind: 'send';
  readonly bytes: Uint8Array;
}

/**
 * Collects what one call of a sans-IO session produces: bytes to send and
 * events, in order. Consecutive sends are merged into one buffer (they are
 * small control and command messages), so a caller makes one socket write per
 * run of bytes.
 */
export class Outbox<E extends { readonly kind: string }> {
  private readonly items: (SendOutput | E)[] = [];
  private pending: Uint8Array[] = [];

  send(bytes: Uint8Array): void {
    if (bytes.length > 0) this.pending.push(bytes);
  }

  emit(event: E): void {
    this.flush();
    this.items.push(event);
  }

  finish(): (SendOutput | E)[] {
    this.flush();
    return this.items;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    let bytes = this.pending[0]!;
    if (this.pending.length > 1) {
      bytes = new Uint8Array(this.pending.reduce((n, p) => n + p.length, 0));
      let off = 0;
      for (const p of this.pending) {
        bytes.set(p, off);
        off += p.length;
      }
    }
    this.pending = [];
    this.items.push({ kind: 'send', bytes });
  }
}
