// Entry of a WHEP load-generator process (started by `runnel bench rtc` with
// an IPC channel): answers the requests of rtc-load-generator.ts, and exits
// when the benchmark disconnects or is gone. The same shape as generator-main.ts.
import type { Envelope } from './generator-protocol.ts';
import { RtcLoadGenerator, type RtcGeneratorReply, type RtcGeneratorRequest } from './rtc-load-generator.ts';

if (typeof process.send !== 'function') {
  process.stderr.write('rtc-generator-main.ts is started by `runnel bench rtc`, not by hand\n');
  process.exit(2);
}

const gen = new RtcLoadGenerator();

function reply(id: number, body: RtcGeneratorReply): void {
  process.send!({ id, body } satisfies Envelope<RtcGeneratorReply>);
}

process.on('message', (msg: Envelope<RtcGeneratorRequest>) => {
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
  // Let the peer connections close (werift sends DTLS close_notify).
  setTimeout(() => process.exit(0), 50);
};
process.on('disconnect', quit);
process.on('SIGTERM', quit);
