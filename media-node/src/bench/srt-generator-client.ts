import { fileURLToPath } from 'node:url';
import type { ChildRegistry, TrackedChild } from './children.ts';
import type { Envelope } from './generator-protocol.ts';
import type { SrtGeneratorReply, SrtGeneratorReport, SrtGeneratorRequest, SrtGeneratorStatus, SrtOpenRequest } from './srt-load-generator.ts';

/** A generator answers every request from memory; a slow answer means it is saturated or stuck. */
const REQUEST_TIMEOUT_MS = 15_000;

/** The benchmark's handle on one SRT load-generator process (as GeneratorClient is for RTMP/FLV). */
export class SrtGeneratorClient {
  readonly child: TrackedChild;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: SrtGeneratorReply) => void; reject: (e: Error) => void }>();

  constructor(registry: ChildRegistry, name: string, cpus: string | undefined) {
    const main = fileURLToPath(new URL('./srt-generator-main.ts', import.meta.url));
    this.child = registry.spawn({ name, command: process.execPath, args: [main], ipc: true, ...(cpus === undefined ? {} : { cpus }) });
    this.child.proc.on('message', (msg: Envelope<SrtGeneratorReply>) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.body.type === 'error') p.reject(new Error(`${name}: ${msg.body.message}`));
      else p.resolve(msg.body);
    });
    void this.child.exited.then(() => {
      for (const p of this.pending.values()) p.reject(new Error(`${name} exited:\n${this.child.tail()}`));
      this.pending.clear();
    });
  }

  async open(req: Omit<SrtOpenRequest, 'type'>): Promise<void> {
    await this.request({ type: 'open', ...req });
  }

  async status(): Promise<SrtGeneratorStatus> {
    return (await this.request({ type: 'status' })) as SrtGeneratorStatus;
  }

  async mark(): Promise<void> {
    await this.request({ type: 'mark' });
  }

  async report(): Promise<SrtGeneratorReport> {
    return (await this.request({ type: 'report' })) as SrtGeneratorReport;
  }

  private request(body: SrtGeneratorRequest): Promise<SrtGeneratorReply> {
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
      this.child.proc.send({ id, body } satisfies Envelope<SrtGeneratorRequest>);
    });
  }
}
