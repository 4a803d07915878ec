import { fileURLToPath } from 'node:url';
import type { ChildRegistry, TrackedChild } from './children.ts';
import type { Envelope } from './generator-protocol.ts';
import type { RtcGeneratorReply, RtcGeneratorReport, RtcGeneratorRequest, RtcGeneratorStatus, RtcOpenRequest } from './rtc-load-generator.ts';

/** A generator answers every request from memory; a slow answer means it is saturated or stuck. */
const REQUEST_TIMEOUT_MS = 15_000;

/** The benchmark's handle on one WHEP load-generator process (as GeneratorClient is for RTMP/FLV). */
export class RtcGeneratorClient {
  readonly child: TrackedChild;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: RtcGeneratorReply) => void; reject: (e: Error) => void }>();

  constructor(registry: ChildRegistry, name: string, cpus: string | undefined) {
    const main = fileURLToPath(new URL('./rtc-generator-main.ts', import.meta.url));
    this.child = registry.spawn({ name, command: process.execPath, args: [main], ipc: true, ...(cpus === undefined ? {} : { cpus }) });
    this.child.proc.on('message', (msg: Envelope<RtcGeneratorReply>) => {
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

  async open(req: Omit<RtcOpenRequest, 'type'>): Promise<void> {
    await this.request({ type: 'open', ...req });
  }

  async status(): Promise<RtcGeneratorStatus> {
    return (await this.request({ type: 'status' })) as RtcGeneratorStatus;
  }

  async mark(): Promise<void> {
    await this.request({ type: 'mark' });
  }

  async report(): Promise<RtcGeneratorReport> {
    return (await this.request({ type: 'report' })) as RtcGeneratorReport;
  }

  private request(body: RtcGeneratorRequest): Promise<RtcGeneratorReply> {
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
      this.child.proc.send({ id, body } satisfies Envelope<RtcGeneratorRequest>);
    });
  }
}
