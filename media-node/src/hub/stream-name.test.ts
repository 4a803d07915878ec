import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { MAX_NAME_LENGTH, isValidName, nameProblem } from './stream-name.ts';

describe('stream names (bad-inputs rows 29-32)', () => {
  it.each(['livestream', 'live', 'a-b_c.d', 'cam/1', 'x'.repeat(MAX_NAME_LENGTH)])('accepts %s', (n) => {
    expect(nameProblem(n)).toBeNull();
  });

  it.each([
    ['', 'empty'],
    [null, 'empty'],
    [123, 'empty'],
    [false, 'empty'],
    ['x'.repeat(4096), 'too_long'],
    ['../../etc/x', 'bad_segment'],
    ['a/../../b', 'bad_segment'],
    ['%2e%2e%2f', 'bad_characters'],
    ['/abs', 'bad_segment'],
    ['trailing/', 'bad_segment'],
    ['a//b', 'bad_segment'],
    ['a\\b', 'bad_characters'],
    ['a\u0000b', 'bad_characters'],
    ['a?b', 'bad_characters'],
    ['a#b', 'bad_characters'],
    ['x\r\n#EXT-X-ENDLIST', 'bad_characters'],
    ['\n../x.ts', 'bad_characters'],
    ['$(touch /tmp/pwn)', 'bad_characters'],
    [';id', 'bad_characters'],
    ['`id`', 'bad_characters'],
    ['&touch${IFS}x', 'bad_characters'],
    ['.', 'bad_segment'],
  ])('rejects %j as %s', (n, why) => {
    expect(nameProblem(n)).toBe(why);
  });

  fcTest.prop([fc.string({ maxLength: 200 })])('an accepted name never escapes its directory', (s) => {
    if (!isValidName(s)) return;
    expect(s.split('/').every((seg) => seg !== '..' && seg !== '.' && seg !== '')).toBe(true);
    expect(/[\r\n\0%\\]/.test(s)).toBe(false);
  });
});
