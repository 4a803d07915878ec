import { describe, expect, it } from 'vitest';
import { bytesEqual, secretsEqual } from './constant-time-equal.ts';

describe('secretsEqual', () => {
  it('is true only for the same secret', async () => {
    expect(await secretsEqual('node-secret-0123456789abcdef', 'node-secret-0123456789abcdef')).toBe(true);
    expect(await secretsEqual('node-secret-0123456789abcdeF', 'node-secret-0123456789abcdef')).toBe(false);
    expect(await secretsEqual('node-secret', 'node-secret-0123456789abcdef')).toBe(false);
    expect(await secretsEqual('', 'x')).toBe(false);
  });
});

describe('bytesEqual', () => {
  it('compares content and length', () => {
    expect(bytesEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 3]))).toBe(true);
    expect(bytesEqual(new Uint8Array([1, 2, 3]), new Uint8Array([1, 2, 4]))).toBe(false);
    expect(bytesEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2, 3]))).toBe(false);
  });
});
