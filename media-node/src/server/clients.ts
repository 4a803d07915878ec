import { randomBytes } from 'node:crypto';
import type { ClientType } from './api/node-stats.ts';

/**
 * Every connection of the node (publishers and players of every protocol),
 * for the SRS API's `/api/v1/clients` and for kicking. A connection handler
 * registers itself once it knows what it is, updates what it plays or
 * publishes, and removes itself on close.
 */
export interface ClientRecord {
  /** 8-char connection id (SRS context id), also the `client=` field of its log lines. */
  readonly id: string;
  readonly ip: string;
  /** Wall-clock ms of connect. */
  readonly connectedAt: number;
  type: ClientType;
  publish: boolean;
  tcUrl: string;
  pageUrl: string;
  swfUrl: string;
  /** `/app/stream` once the client publishes or plays. */
  url: string;
  /** Stream name. */
  name: string;
  /** Stat id of the source it publishes or plays (empty before). */
  sourceId: string;
  recvBytes(): number;
  sendBytes(): number;
  /** Close the connection (DELETE /api/v1/clients/{id}). */
  kick(): void;
}

const ID_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/** 8 random base-36 characters, like SRS's connection context ids ("o6q55g32"). */
export function newClientId(): string {
  const b = randomBytes(8);
  let s = '';
  for (let i = 0; i < 8; i++) s += ID_ALPHABET[b[i] % ID_ALPHABET.length];
  return s;
}

export class ClientRegistry {
  private readonly byId = new Map<string, ClientRecord>();

  add(record: ClientRecord): void {
    this.byId.set(record.id, record);
  }

  remove(id: string): void {
    this.byId.delete(id);
  }

  get(id: string): ClientRecord | undefined {
    return this.byId.get(id);
  }

  list(): ClientRecord[] {
    return [...this.byId.values()];
  }

  get size(): number {
    return this.byId.size;
  }

  kick(id: string): boolean {
    const c = this.byId.get(id);
    if (c === undefined) return false;
    c.kick();
    return true;
  }
}
