import { fileURLToPath } from 'node:url';
import type { ChildRegistry, TrackedChild } from './children.ts';
import type { Envelope, FlvGeneratorKind, GeneratorKind, ReplyOf, RequestOf } from './generator-protocol.ts';

/** A generator answers every request from memory; a slow answer means it is saturated or stuck. */
const REQUEST_TIMEOUT_MS = 15_000;

/**
 * The benchmark's handle on one load-generator process of kind K, started from
 * `main` (a module that calls serveGenerator): open the players, follow the
 * ramp, mark the window, collect the report.
 */
export class GeneratorClient<K extends GeneratorKind = FlvGeneratorKind> {
  readonly child: TrackedChild;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: ReplyOf<K>) => void; reject: (e: Error) => void }>();

  constructor(registry: ChildRegistry, name: string, cpus: string | undefined, main: URL = new URL('./generator-main.ts', import.meta.url)) {
    this.child = registry.spawn({ name, command: process.execPath, args: [fileURLToPath(main)], ipc: true, ...(cpus === undefined ? {} : { cpus }) });
    this.child.proc.on('message', (msg: Envelope<ReplyOf<K>>) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      const body = msg.body as ReplyOf<K> & { readonly type: string; readonly message?: string };
      if (body.type === 'error') p.reject(new Error(`${name}: ${body.message}`));
      else p.resolve(msg.body);
    });
    void this.child.exited.then(() => {
      for (const p of this.pending.values()) p.reject(new Error(`${name} exited:\n${this.child.tail()}`));
      this.pending.clear();
    });
  }

  async open(req: Omit<K['open'], 'type'>): Promise<void> {
    await this.request({ type: 'open', ...req } as RequestOf<K>);
  }

  async status(): Promise<K['status']> {
    return (await this.request({ type: 'status' })) as K['status'];
  }

  async mark(): Promise<void> {
    await this.request({ type: 'mark' });
  }

  async report(): Promise<K['report']> {
    return (await this.request({ type: 'report' })) as K['report'];
  }

  private request(body: RequestOf<K>): Promise<ReplyOf<K>> {
    if (!this.child.alive) return Promise.reject(new Error(`${this.child.name} is not running:\n${this.child.tail()}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`${this.child.name} did not answer "${body.type}" within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.child.proc.send({ id, body } satisfies Envelope<RequestOf<K>>);
    });
  }
}
