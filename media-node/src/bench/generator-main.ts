// Entry of a fan-out load-generator process (RTMP / HTTP-FLV players), started by `runnel bench`.
import { serveGenerator } from './generator-serve.ts';
import type { FlvGeneratorKind } from './generator-protocol.ts';
import { LoadGenerator } from './load-generator.ts';

serveGenerator<FlvGeneratorKind>(new LoadGenerator(), 'generator-main.ts');
