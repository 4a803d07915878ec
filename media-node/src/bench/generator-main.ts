// Entry of a load-generator process (started by the benchmark with an IPC
// channel): answers the requests of generator-protocol.ts, and exits when
// the benchmark disconnects or is gone.
import type { Envelope, GeneratorReply, GeneratorRequest } from './generator-protocol.ts';
import { LoadGenerator } from './load-generator.ts';

if (typeof process.send !== 'function') {
  process.stderr.write('generator-main.ts is started by `runnel bench`, not by hand\n');
  process.exit(2);
}

const gen = new LoadGenerator();

function reply(id: number, body: GeneratorReply): void {
  process.send!({ id, body } satisfies Envelope<GeneratorReply>);
}

process.on('message', (msg: Envelope<GeneratorRequest>) => {
  const { id, body } = msg;
  try {
    switch (body.type) {
      case 'open':
        gen.open(body);
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
process.on('disconnect', () => {
  gen.close();
  process.exit(0);
});
process.on('SIGTERM', () => {
  gen.close();
  process.exit(0);
});
