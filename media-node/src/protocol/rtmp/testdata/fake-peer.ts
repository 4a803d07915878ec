/**
 * Test helper (imported by tests only): the far end of an RTMP connection as
 * raw bytes. Builds what a client would send (handshake, chunked commands,
 * media) and reads what a session sent back into messages and commands.
 */
import { ChunkReader } from '../chunk-reader.ts';
import { encodeMessageChunks } from '../chunk-writer.ts';
import { HANDSHAKE_SIZE } from '../handshake-digest.ts';
import { MSG, type RtmpMessage } from '../message.ts';
import { decodeCommand, encodeCommand, type RtmpCommand } from '../messages/command.ts';
import { decodeUserControl, type UserControlEvent } from '../messages/user-control.ts';
import { decodeAmf0All, type Amf0Value } from '../../../format/amf0.ts';

/** C0 + C1 of a simple-handshake client, and a C2. */
export function simpleC0C1(): Uint8Array {
  const b = new Uint8Array(1 + HANDSHAKE_SIZE).fill(0x5a);
  b[0] = 3;
  b.fill(0, 1, 9);
  return b;
}

export function c2(): Uint8Array {
  return new Uint8Array(HANDSHAKE_SIZE).fill(0x33);
}

export interface SessionLike<O> {
  receive(bytes: Uint8Array, now: number): O[];
}

/** A client-side byte builder with its own outgoing chunk size (128 until changed). */
export class FakeClient {
  chunkSize = 128;

  command(name: string, transactionId: number, commandObject: Amf0Value, args: Amf0Value[] = [], streamId = 0, csid = 3): Uint8Array {
    return this.message({ csid, timestamp: 0, typeId: MSG.commandAmf0, streamId, payload: encodeCommand(name, transactionId, commandObject, ...args) });
  }

  connect(app = 'live', tcUrl = 'rtmp://127.0.0.1/live'): Uint8Array {
    return this.command('connect', 1, { app, tcUrl });
  }

  message(m: RtmpMessage): Uint8Array {
    return encodeMessageChunks(m, this.chunkSize);
  }

  control(typeId: number, payload: Uint8Array): Uint8Array {
    return this.message({ csid: 2, timestamp: 0, typeId, streamId: 0, payload });
  }
}

export interface Seen {
  messages: RtmpMessage[];
  commands: (RtmpCommand & { streamId: number })[];
  userControl: UserControlEvent[];
}

/** Reads what the server sent, like a client would. */
export class FakeReader {
  private readonly reader = new ChunkReader();

  read(outputs: readonly { kind: string; bytes?: Uint8Array }[]): Seen {
    const messages: RtmpMessage[] = [];
    for (const o of outputs) if (o.kind === 'send') messages.push(...this.reader.push(o.bytes!));
    return {
      messages,
      commands: messages
        .filter((m) => m.typeId === MSG.commandAmf0)
        .map((m) => ({ ...decodeCommand(m.typeId, m.payload), streamId: m.streamId })),
      userControl: messages.filter((m) => m.typeId === MSG.userControl).map((m) => decodeUserControl(m.payload)),
    };
  }

  get chunkSize(): number {
    return this.reader.chunkSize;
  }
}

/** The `code` of every info object in the commands (onStatus, _result, _error). */
export function codes(seen: Seen): string[] {
  const out: string[] = [];
  for (const c of seen.commands) {
    for (const a of [c.commandObject, ...c.args]) {
      if (a && typeof a === 'object' && 'code' in a && typeof a.code === 'string') out.push(a.code);
    }
  }
  return out;
}

export function dataValues(m: RtmpMessage): Amf0Value[] {
  return decodeAmf0All(m.payload);
}

/** Concatenates byte arrays (test convenience). */
export function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}
