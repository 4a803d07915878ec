// Entry of an SRT load-generator process, started by `runnel bench srt`.
import { serveGenerator } from './generator-serve.ts';
import { SrtLoadGenerator, type SrtGeneratorKind } from './srt-load-generator.ts';

serveGenerator<SrtGeneratorKind>(new SrtLoadGenerator(), 'srt-generator-main.ts');
