// Entry of a WHEP load-generator process, started by `runnel bench rtc`.
import { serveGenerator } from './generator-serve.ts';
import { RtcLoadGenerator, type RtcGeneratorKind } from './rtc-load-generator.ts';

// Let the peer connections close (werift sends DTLS close_notify) before exiting.
serveGenerator<RtcGeneratorKind>(new RtcLoadGenerator(), 'rtc-generator-main.ts', 50);
