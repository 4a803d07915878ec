import { describe, expect, it } from 'vitest';
import { test as fcTest, fc } from '@fast-check/vitest';
import { ProtocolError } from '@runnel/shared';
import { decodeMediaPlaylist, encodeMediaPlaylist, targetDurationFor, type MediaPlaylist } from './media-playlist.ts';
import { uriProblem } from './uri.ts';

const live: MediaPlaylist = {
  version: 3, targetDuration: 15, mediaSequence: 41, discontinuitySequence: 2, endList: false,
  segments: [
    { uri: 'livestream-41.ts', duration: 10.01, programDateTime: Date.UTC(2026, 10, 23, 21, 54, 37, 123) },
    { uri: 'livestream-42.ts', duration: 9.96, programDateTime: Date.UTC(2026, 10, 23, 21, 54, 47, 133) },
    { uri: 'livestream-43.ts', duration: 3.2, discontinuity: true, programDateTime: Date.UTC(2026, 10, 23, 21, 55, 30, 0) },
  ],
};

const cases: { name: string; playlist: MediaPlaylist; text: string }[] = [
  {
    name: 'a live window with a discontinuity',
    playlist: live,
    text: [
      '#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:15', '#EXT-X-MEDIA-SEQUENCE:41', '#EXT-X-DISCONTINUITY-SEQUENCE:2',
      '#EXT-X-PROGRAM-DATE-TIME:2026-11-23T21:54:37.123Z', '#EXTINF:10.010,', 'livestream-41.ts',
      '#EXT-X-PROGRAM-DATE-TIME:2026-11-23T21:54:47.133Z', '#EXTINF:9.960,', 'livestream-42.ts',
      '#EXT-X-DISCONTINUITY', '#EXT-X-PROGRAM-DATE-TIME:2026-11-23T21:55:30.000Z', '#EXTINF:3.200,', 'livestream-43.ts',
      '',
    ].join('\n'),
  },
  {
    name: 'an ended stream with entry-prefixed URIs',
    playlist: {
      version: 3, targetDuration: 2, mediaSequence: 0, discontinuitySequence: 0, endList: true,
      segments: [
        { uri: 'http://cdn.example.com:8080/live/a-0.ts', duration: 2 },
        { uri: '/hls/live/a-1.ts', duration: 1.5 },
      ],
    },
    text: [
      '#EXTM3U', '#EXT-X-VERSION:3', '#EXT-X-TARGETDURATION:2', '#EXT-X-MEDIA-SEQUENCE:0', '#EXT-X-DISCONTINUITY-SEQUENCE:0',
      '#EXTINF:2.000,', 'http://cdn.example.com:8080/live/a-0.ts', '#EXTINF:1.500,', '/hls/live/a-1.ts', '#EXT-X-ENDLIST', '',
    ].join('\n'),
  },
  {
    name: 'a live playlist before its first segment',
    playlist: { version: 3, targetDuration: 10, mediaSequence: 0, discontinuitySequence: 0, endList: false, segments: [] },
    text: '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-DISCONTINUITY-SEQUENCE:0\n',
  },
];

describe('media playlist', () => {
  it.each(cases)('encodes $name', (c) => expect(encodeMediaPlaylist(c.playlist)).toBe(c.text));
  it.each(cases)('decodes $name', (c) => expect(decodeMediaPlaylist(c.text)).toEqual(c.playlist));

  it('writes EXTINF with 3 decimals, rounded', () => {
    const text = encodeMediaPlaylist({ ...live, segments: [{ uri: 'a.ts', duration: 10.0104 }, { uri: 'b.ts', duration: 9.9996 }] });
    expect(text).toContain('#EXTINF:10.010,\na.ts\n#EXTINF:10.000,\nb.ts\n');
  });

  it('refuses a target duration below a segment duration (RFC 8216 4.3.3.1)', () => {
    expect(() => encodeMediaPlaylist({ ...live, targetDuration: 9 })).toThrow(expect.objectContaining({ code: 'm3u8_bad_value' }));
    expect(targetDurationFor(live.segments)).toBe(11);
    expect(targetDurationFor(live.segments, 15)).toBe(15);
    expect(targetDurationFor([])).toBe(1);
  });

  it.each([
    { what: 'NaN duration', p: { ...live, segments: [{ uri: 'a.ts', duration: NaN }] } },
    { what: 'negative duration', p: { ...live, segments: [{ uri: 'a.ts', duration: -1 }] } },
    { what: 'fractional media sequence', p: { ...live, mediaSequence: 1.5 } },
    { what: 'negative discontinuity sequence', p: { ...live, discontinuitySequence: -1 } },
    { what: 'date past year 9999', p: { ...live, segments: [{ uri: 'a.ts', duration: 1, programDateTime: 1e15 }] } },
  ])('refuses $what', ({ p }) => {
    expect(() => encodeMediaPlaylist(p)).toThrow(expect.objectContaining({ code: 'm3u8_bad_value' }));
  });
});

describe('playlist URIs (bad-inputs row 31)', () => {
  const refused = [
    'live/s.ts\r\n#EXT-X-ENDLIST', 'live/s\n../x.ts', 'x.ts\r', '\nx.ts', 'a b.ts', '#EXT-X-ENDLIST', '../x.ts', 'live/../../x.ts',
    './x.ts', 'live//x.ts', 'live/', '%2e%2e/x.ts', 'x.ts?token=1', 'x.ts#t', 'a\\b.ts', 'a\u0000b.ts', 'ftp://host/x.ts',
    'http://user@host/x.ts', 'http://host', 'é.ts', '', 'x'.repeat(1025),
  ];
  it.each(refused)('refuses %j', (uri) => {
    expect(uriProblem(uri)).not.toBeNull();
    expect(() => encodeMediaPlaylist({ ...live, segments: [{ uri, duration: 1 }] })).toThrow(expect.objectContaining({ code: 'm3u8_bad_uri' }));
  });

  it.each(['s-1.ts', 'live/stream_2/s.0-1.ts', '/live/s-1.ts', 'https://cdn.example.com/live/s-1.ts', 'http://10.0.0.1:8080/x.ts'])(
    'accepts %j',
    (uri) => expect(uriProblem(uri)).toBeNull(),
  );
});

describe('media playlist properties', () => {
  const uri = fc.stringMatching(/^[a-z0-9_-]{1,12}(\/[a-z0-9_-]{1,12}){0,3}\.ts$/);
  const segment = fc.record(
    {
      uri,
      duration: fc.integer({ min: 0, max: 60_000 }).map((ms) => ms / 1000),
      discontinuity: fc.constant(true),
      programDateTime: fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }),
    },
    { requiredKeys: ['uri', 'duration'] },
  );
  const playlist = fc
    .record({
      mediaSequence: fc.nat(),
      discontinuitySequence: fc.nat(),
      endList: fc.boolean(),
      segments: fc.array(segment, { maxLength: 20 }),
      extraTarget: fc.nat(5),
    })
    .map(({ extraTarget, ...p }) => ({ version: 3, targetDuration: targetDurationFor(p.segments) + extraTarget, ...p }));

  fcTest.prop([playlist])('decode(encode(p)) is p', (p) => {
    expect(decodeMediaPlaylist(encodeMediaPlaylist(p))).toEqual(p);
  });

  fcTest.prop([fc.string({ maxLength: 400 }).map((s) => `#EXTM3U\n${s}`)])('garbage is a ProtocolError or a playlist, never a crash', (text) => {
    try {
      const p = decodeMediaPlaylist(text);
      expect(p.segments.every((s) => Number.isFinite(s.duration))).toBe(true);
    } catch (e) {
      expect(e).toBeInstanceOf(ProtocolError);
    }
  });
});
