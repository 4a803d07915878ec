import { ProtocolError } from '@runnel/shared';
import type { MessageLayer } from './message-layer.ts';
import { Outbox, type SendOutput } from './outbox.ts';
import type { RtmpMessage } from './message.ts';

/** What a session plugs into the shared read loop. */
export interface SessionInput<E extends { readonly kind: string }> {
  /** Feeds the handshake while it runs: the bytes after it once it is done (all of `bytes` when it already was), or null while it waits for more. */
  handshake(bytes: Uint8Array, now: number, out: Outbox<E>): Uint8Array | null;
  onMessage(msg: RtmpMessage, out: Outbox<E>): void;
  isClosed(): boolean;
  /** Emits `close` and ends the session (a ProtocolError's code is the reason). */
  shutdown(out: Outbox<E>, reason: string, message: string): void;
}

/**
 * The read loop the server and client sessions share: count the bytes,
 * finish the handshake, hand each message over until the session closes,
 * then acknowledge (Adobe RTMP spec 5.4.3). Malformed input never throws out:
 * a ProtocolError shuts the session down with its code.
 */
export function readInput<E extends { readonly kind: string }>(
  layer: MessageLayer,
  bytes: Uint8Array,
  now: number,
  session: SessionInput<E>,
): (SendOutput | E)[] {
  const out = new Outbox<E>();
  try {
    layer.count(bytes.length);
    const rest = session.handshake(bytes, now, out);
    if (rest === null) return out.finish();
    for (const msg of layer.read(rest)) {
      session.onMessage(msg, out);
      if (session.isClosed()) return out.finish();
    }
    const ack = layer.takeAck();
    if (ack) out.send(ack);
  } catch (e) {
    if (!(e instanceof ProtocolError)) throw e;
    session.shutdown(out, e.code, e.message);
  }
  return out.finish();
}
