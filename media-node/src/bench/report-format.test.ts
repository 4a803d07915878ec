import { describe, expect, it } from 'vitest';
import { fixed, fraction, headline, markdownTable, runHeaderLines, textTable } from './report-format.ts';

const HEADERS = ['name', 'N', 'CPU %'];
const ROWS = [
  ['runnel', '1000', '12.5'],
  ['nms', '5', '-'],
];

describe('textTable', () => {
  it('pads names left, numbers right, rules the header, trims line ends', () => {
    expect(textTable(HEADERS, ROWS, 1)).toEqual(['name       N  CPU %', '------  ----  -----', 'runnel  1000   12.5', 'nms        5      -']);
  });

  it('`left` columns are left-aligned; a short last cell leaves no trailing spaces', () => {
    expect(textTable(['a', 'b'], [['xx', 'y']], 2)).toEqual(['a   b', '--  -', 'xx  y']);
  });
});

describe('markdownTable', () => {
  it('left-aligns the first `left` columns, right-aligns the rest', () => {
    expect(markdownTable(HEADERS, ROWS, 1)).toEqual(['| name | N | CPU % |', '| --- | ---: | ---: |', '| runnel | 1000 | 12.5 |', '| nms | 5 | - |']);
  });
});

describe('runHeaderLines', () => {
  const meta = { command: 'npm run bench', date: '2026-11-24', machine: 'CPU x 2', node: 'v24', code: 'abc', pinning: 'CPU 0', window: '15 s' };

  it('date, command block, machine, code, the sources in order, CPUs, window, blank line', () => {
    expect(runHeaderLines(meta, [['Publish source', 'p'], ['Play source', 'q']])).toEqual([
      'Run of 2026-11-24:',
      '',
      '```',
      'npm run bench',
      '```',
      '',
      '- Machine: CPU x 2; Node v24',
      '- Code: abc',
      '- Publish source: p',
      '- Play source: q',
      '- CPUs: CPU 0',
      '- Window: 15 s',
      '',
    ]);
  });
});

describe('headline', () => {
  it.each([
    { failure: 'one line', want: 'one line' },
    { failure: 'what failed\n  log 1\nlog 2\n  last words  \n\n', want: 'what failed last words' },
    { failure: '', want: '' },
  ])('$want', ({ failure, want }) => {
    expect(headline(failure)).toBe(want);
  });
});

describe('fixed / fraction', () => {
  it('fixed prints numbers, "-" for NaN and infinities', () => {
    expect(fixed(1.5, 1)).toBe('1.5');
    expect(fixed(2, 2)).toBe('2.00');
    expect(fixed(Number.NaN, 1)).toBe('-');
    expect(fixed(Number.POSITIVE_INFINITY, 0)).toBe('-');
  });

  it('fraction rounds down so an incomplete count never reads 100%', () => {
    expect(fraction(999, 1000)).toBe('999/1000 (99.9%)');
    expect(fraction(1999, 2000)).toBe('1999/2000 (99.9%)');
    expect(fraction(3, 3)).toBe('3/3 (100%)');
    expect(fraction(0, 0)).toBe('-');
  });
});
