// Entry of an SRT load-generator process (started by `runnel bench srt` with
// an IPC channel): answers the requests of srt-load-generator.ts, and exits
// when the benchmark disconnects or is gone. The same shape as generator-main.ts.
import type { Envelope } from './generator-protocol.ts';
import { SrtLoadGenerator, type SrtGeneratorReply, type SrtGeneratorRequest } from './srt-load-generator.ts';

if (typeof process.send !== 'function') {
  process.stderr.write('srt-generator-main.ts is started by `runnel bench srt`, not by hand\n');
  process.exit(2);
}

const gen = new SrtLoadGenerator();

function reply(id: number, body: SrtGeneratorReply): void {
  process.send!({ id, body } satisfies Envelope<SrtGeneratorReply>);
}

process.on('message', (msg: Envelope<SrtGeneratorRequest>) => {
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
const quit = (): void => {
  gen.close();
  // Let the players' shutdown datagrams leave (SrtLoadPlayer.close).
  setTimeout(() => process.exit(0), 50);
};
process.on('disconnect', quit);
process.on('SIGTERM', quit);
