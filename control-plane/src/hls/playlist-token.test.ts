import { test as fcTest, fc } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { addTokenToPlaylist } from './playlist-token.ts';

const T = 'eyJh.eyJz.c2ln';

const cases = [
  { name: 'segment lines', input: '#EXTM3U\n#EXTINF:2.0,\npb-1.ts\n#EXTINF:2.0,\npb-2.ts\n', output: `#EXTM3U\n#EXTINF:2.0,\npb-1.ts?token=${T}\n#EXTINF:2.0,\npb-2.ts?token=${T}\n` },
  { name: 'CRLF line ends', input: '#EXTM3U\r\n#EXTINF:2.0,\r\npb-1.ts\r\n', output: `#EXTM3U\r\n#EXTINF:2.0,\r\npb-1.ts?token=${T}\r\n` },
  { name: 'a URI that has a query', input: 'pb-1.ts?v=2\n', output: `pb-1.ts?v=2&token=${T}\n` },
  { name: 'URI attributes of tags', input: '#EXT-X-MAP:URI="init.mp4",BYTERANGE="10@0"\n#EXT-X-PART:DURATION=0.5,URI="p1.mp4"\n', output: `#EXT-X-MAP:URI="init.mp4?token=${T}",BYTERANGE="10@0"\n#EXT-X-PART:DURATION=0.5,URI="p1.mp4?token=${T}"\n` },
  { name: 'absolute URIs (another host must not see the token)', input: 'https://cdn.example.com/pb-1.ts\n//cdn.example.com/pb-2.ts\n#EXT-X-MAP:URI="https://x/init.mp4"\n', output: 'https://cdn.example.com/pb-1.ts\n//cdn.example.com/pb-2.ts\n#EXT-X-MAP:URI="https://x/init.mp4"\n' },
  { name: 'comments and blank lines', input: '# a comment URI="x"\n\n', output: '# a comment URI="x"\n\n' },
];

describe('addTokenToPlaylist', () => {
  it.each(cases)('rewrites $name', (c) => {
    expect(addTokenToPlaylist(c.input, T)).toBe(c.output);
  });

  it('percent-encodes what a URL query cannot carry', () => {
    expect(addTokenToPlaylist('a.ts', 'x y&z')).toBe('a.ts?token=x%20y%26z');
  });

  fcTest.prop([fc.array(fc.stringMatching(/^[a-z0-9-]{1,12}\.ts$/), { maxLength: 20 })])('adds the token to every segment line and changes nothing else', (segs) => {
    const input = ['#EXTM3U', ...segs.flatMap((s) => ['#EXTINF:2.0,', s])].join('\n');
    const out = addTokenToPlaylist(input, T).split('\n');
    expect(out.filter((l) => l.startsWith('#'))).toEqual(input.split('\n').filter((l) => l.startsWith('#')));
    expect(out.filter((l) => !l.startsWith('#'))).toEqual(segs.map((s) => `${s}?token=${T}`));
  });
});
