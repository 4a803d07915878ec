import { describe, expect, it } from 'vitest';
import { parseStreamPath } from './stream-path.ts';

describe('parseStreamPath', () => {
  it('parses app, stream, extension and query', () => {
    expect(parseStreamPath('/live/livestream.flv?token=abc', ['flv'])).toEqual({
      vhost: '__defaultVhost__',
      app: 'live',
      stream: 'livestream',
      ext: 'flv',
      param: '?token=abc',
    });
  });

  it('takes the vhost from ?vhost=', () => {
    expect(parseStreamPath('/live/s.flv?vhost=v.example.com', ['flv'])?.vhost).toBe('v.example.com');
  });

  it('keeps multi-segment apps', () => {
    expect(parseStreamPath('/a/b/s.ts', ['flv', 'ts'])).toMatchObject({ app: 'a/b', stream: 's', ext: 'ts' });
  });

  it.each([
    '/live/livestream.mp4',
    '/livestream.flv',
    '/live/../x.flv',
    '/live/%2e%2e%2fx.flv',
    '/live/a%0d%0ab.flv',
    '//x.flv',
    '/live/.flv',
    '/live/x',
    '/../../etc/passwd.flv',
  ])('rejects %s', (t) => {
    expect(parseStreamPath(t, ['flv'])).toBeNull();
  });
});
