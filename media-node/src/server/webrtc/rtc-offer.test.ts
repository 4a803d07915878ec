import { describe, expect, it } from 'vitest';
import { ProtocolError } from '@runnel/shared';
import type { AddressClass } from '../../protocol/sdp/index.ts';
import { CHROME_WHIP_OFFER, WHEP_PLAY_OFFER } from '../../protocol/sdp/testdata/offers.ts';
import { prepareOffer } from './rtc-offer.ts';

const candidates = (sdp: string): string[] => sdp.split('\r\n').filter((l) => l.startsWith('a=candidate:')).map((l) => l.split(' ')[4]!);

describe('prepareOffer', () => {
  it('removes candidates at metadata and private addresses before werift sees them', () => {
    const p = prepareOffer(CHROME_WHIP_OFFER, 'publish', new Set<AddressClass>(['public', 'mdns']));
    expect(candidates(CHROME_WHIP_OFFER)).toContain('169.254.169.254');
    expect(candidates(CHROME_WHIP_OFFER)).toContain('10.0.0.12');
    expect(candidates(p.sdp)).not.toContain('169.254.169.254');
    expect(candidates(p.sdp)).not.toContain('10.0.0.12');
    expect(candidates(p.sdp)).toContain('93.184.216.34');
    // Only candidate lines go: the rest of the offer is untouched.
    expect(p.sdp.split('\r\n').filter((l) => !l.startsWith('a=candidate:'))).toEqual(CHROME_WHIP_OFFER.split(/\r?\n/).filter((l) => !l.startsWith('a=candidate:')));
  });

  it('keeps private candidates when the policy allows them, never metadata', () => {
    const p = prepareOffer(CHROME_WHIP_OFFER, 'publish', new Set<AddressClass>(['public', 'private', 'metadata']));
    expect(candidates(p.sdp)).toContain('10.0.0.12');
    expect(candidates(p.sdp)).not.toContain('169.254.169.254');
  });

  it('names the chosen codecs for werift with the offer payload types and fmtp', () => {
    const p = prepareOffer(WHEP_PLAY_OFFER, 'play', new Set<AddressClass>(['public']));
    expect(p.video).toMatchObject({ mimeType: 'video/H264', clockRate: 90000, payloadType: p.offer.video!.codec.payloadType });
    expect(p.video!.fmtp).toContain('packetization-mode=1');
    expect(p.audio).toMatchObject({ mimeType: 'audio/opus', clockRate: 48000, channels: 2 });
  });

  it('refuses a publish offer for play with a ProtocolError code', () => {
    expect(() => prepareOffer(WHEP_PLAY_OFFER, 'publish', new Set<AddressClass>(['public']))).toThrow(ProtocolError);
  });
});
