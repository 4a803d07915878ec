import { describe, expect, it } from 'vitest';
import { summarizeErrors } from './player-errors.ts';

describe('summarizeErrors', () => {
  it.each([
    { name: 'no players', failures: [], errors: 0, topError: undefined },
    { name: 'no failures', failures: [undefined, undefined], errors: 0, topError: undefined },
    { name: 'the most common one', failures: ['HTTP 404', undefined, 'ECONNRESET', 'ECONNRESET'], errors: 3, topError: 'ECONNRESET (x2)' },
    { name: 'a tie: the first seen', failures: ['b', 'a', 'a', 'b'], errors: 4, topError: 'b (x2)' },
  ])('$name', ({ failures, errors, topError }) => {
    expect(summarizeErrors(failures)).toEqual({ errors, topError });
  });
});
