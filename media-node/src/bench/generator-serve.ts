import type { Envelope, GeneratorKind, ReplyOf, RequestOf } from './generator-protocol.ts';

/** What a load generator of kind K does for the benchmark. */
export interface LoadGeneratorOf<K extends GeneratorKind> {
  open(req: K['open']): void;
  status(): K['status'];
  mark(): void;
  report(): K['report'];
  close(): void;
}

/**
 * The body of a load-generator process (started by the benchmark with an IPC
 * channel): answers GeneratorClient's requests with `gen`, and closes it and
 * exits when the benchmark disconnects or is gone (`exitDelayMs` lets closing
 * connections say goodbye first).
 */
export function serveGenerator<K extends GeneratorKind>(gen: LoadGeneratorOf<K>, entry: string, exitDelayMs = 0): void {
  if (typeof process.send !== 'function') {
    process.stderr.write(`${entry} is started by \`runnel bench\`, not by hand\n`);
    process.exit(2);
  }
  const reply = (id: number, body: ReplyOf<K>): void => {
    process.send!({ id, body } satisfies Envelope<ReplyOf<K>>);
  };
  process.on('message', (msg: Envelope<RequestOf<K>>) => {
    const { id, body } = msg;
    try {
      switch (body.type) {
        case 'open':
          gen.open(body as K['open']);
          reply(id, { type: 'ok' });
          break;
        case 'status':
          reply(id, gen.status());
          break;
        case 'mark':
          gen.mark();
          reply(id, { type: 'ok' });
          break;
        case 'report':
          reply(id, gen.report());
          break;
      }
    } catch (e) {
      reply(id, { type: 'error', message: e instanceof Error ? e.message : String(e) });
    }
  });
  // The benchmark went away (finished, crashed or killed): close everything and go.
  const quit = (): void => {
    gen.close();
    setTimeout(() => process.exit(0), exitDelayMs);
  };
  process.on('disconnect', quit);
  process.on('SIGTERM', quit);
}
