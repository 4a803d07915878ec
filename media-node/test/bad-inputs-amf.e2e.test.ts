/**
 * shared/reference/bad-inputs.md rows 21-28 (AMF0/AMF3 bombs, connect and
 * command state) against a running node, over real sockets, each checked
 * against the clean-error contract (see support/bad-inputs-rig.ts).
 */
import { describe, expect, it } from 'vitest';
import { hex } from '@runnel/shared';
import { amf0EcmaArray, encodeAmf0 } from '../src/format/amf0.ts';
import type { Amf0Value } from '../src/format/amf0.ts';
import { encodeMessageChunks } from '../src/protocol/rtmp/chunk-writer.ts';
import { MSG } from '../src/protocol/rtmp/message.ts';
import { encodeCommand } from '../src/protocol/rtmp/messages/command.ts';
import { MARK, MEMORY_SLACK, badInputsRig } from './support/bad-inputs-rig.ts';
import { settledMemory } from './support/process-guard.ts';
import { cat } from './support/raw-rtmp.ts';

const rig = badInputsRig();
const { open, connected, expectClosed, expectUsable } = rig;

describe('bad inputs rows 21-28: AMF and commands (shared/reference/bad-inputs.md)', () => {
  describe('rows 21-25: AMF0 bombs close the connection (d: memory back after the heavy ones)', () => {
    /** `connect` and its transaction id: the AMF0 bytes every case appends its bomb to. */
    const prefix = () => encodeCommand('connect', 1, null).subarray(0, 19);
    const cases: [string, () => Uint8Array, string][] = [
      ['row 21: an object nested 100 000 deep', () => cat(prefix(), new Uint8Array(100_000).fill(3)), 'amf0_too_deep'],
      ['row 22: a string of 0xFFFF bytes with 3 left', () => cat(prefix(), hex('02 ffff 616263')), 'amf0_length_exceeds_input'],
      ['row 22: a long string claiming 4 GiB', () => cat(prefix(), hex('0c ffffffff 61')), 'amf0_length_exceeds_input'],
      ['row 23: a strict array of 0xFFFFFFFF items with 10 bytes', () => cat(prefix(), hex('0a ffffffff' + '05'.repeat(10))), 'amf0_count_exceeds_input'],
      ['row 24: an object without the 00 00 09 end marker', () => cat(prefix(), hex('03 0003 617070 02 0001 61')), 'amf0_missing_object_end'],
      ['row 25: the unknown marker 0x0D', () => cat(prefix(), hex('0d')), 'amf0_unsupported_marker'],
      ['row 25: the AMF3 switch 0x11', () => cat(prefix(), hex('11 0a 0b 01')), 'amf0_unsupported_marker'],
      ['row 25: marker 108', () => cat(prefix(), hex('6c')), 'amf0_unsupported_marker'],
    ];

    it.each(cases)('%s as the connect command', async (_n, bomb, code) => {
      const baseline = await settledMemory();
      const peer = await open();
      await peer.handshake();
      peer.message({ csid: 3, timestamp: 0, typeId: MSG.commandAmf0, streamId: 0, payload: bomb() });
      await expectClosed(peer, code);
      expect(await settledMemory()).toBeLessThan(baseline * MEMORY_SLACK);
    });

    it('row 23: an ECMA array whose count lies (0x7FFFFFFF for 2 entries) is read to its end marker, never looped on', async () => {
      const baseline = await settledMemory();
      const commandObject = encodeAmf0(amf0EcmaArray({ app: 'live', tcUrl: 'rtmp://127.0.0.1/live' }));
      commandObject.set(hex('7fffffff'), 1); // AMF0 2.10: the count is advisory
      const peer = await open();
      await peer.handshake();
      peer.message({ csid: 3, timestamp: 0, typeId: MSG.commandAmf0, streamId: 0, payload: cat(prefix(), commandObject) });
      expect((await peer.waitForCommand((c) => c.transactionId === 1)).name).toBe('_result');
      await expectUsable(peer, 23);
      expect(await settledMemory()).toBeLessThan(baseline * MEMORY_SLACK);
    });

    it('row 21: 10 000 nested strict arrays in a play command after connect', async () => {
      const baseline = await settledMemory();
      const peer = await connected();
      peer.message({ csid: 3, timestamp: 0, typeId: MSG.commandAmf0, streamId: 0, payload: cat(encodeCommand('play', 0, null), hex('0a00000001'.repeat(10_000))) });
      await expectClosed(peer, 'amf0_too_deep');
      expect(await settledMemory()).toBeLessThan(baseline * MEMORY_SLACK);
    });

    it('row 25: an AMF3 command (type 17) of garbage', async () => {
      const peer = await connected();
      peer.message({ csid: 3, timestamp: 0, typeId: MSG.commandAmf3, streamId: 0, payload: hex('11 0a 0b 01 ff') });
      await expectClosed(peer, 'amf3_command_unsupported');
    });
  });

  it.each([
    ['without app', { tcUrl: 'rtmp://127.0.0.1/live' }, 'connect_invalid_app'],
    ['with app = 123', { app: 123, tcUrl: 'rtmp://127.0.0.1/live' }, 'connect_invalid_app'],
    ['with app = null', { app: null, tcUrl: 'rtmp://127.0.0.1/live' }, 'connect_invalid_app'],
    [`with app = ../../etc/${MARK}`, { app: `../../etc/${MARK}`, tcUrl: 'rtmp://127.0.0.1/live' }, 'connect_invalid_app'],
    ['without tcUrl', { app: 'live' }, 'connect_missing_tcurl'],
    ['with tcUrl = 5', { app: 'live', tcUrl: 5 }, 'connect_missing_tcurl'],
    ['with a tcUrl that is not a URL', { app: 'live', tcUrl: 'live' }, 'connect_invalid_tcurl'],
    ['with a null command object', null, 'connect_invalid'],
  ] as [string, Amf0Value, string][])('row 26: connect %s -> _error NetConnection.Connect.Rejected, close', async (_n, obj, code) => {
    const peer = await open();
    await peer.handshake();
    peer.command('connect', 1, obj);
    const answer = await peer.waitForCommand((c) => c.transactionId === 1);
    expect(answer.name).toBe('_error');
    expect(peer.statusCodes()).toEqual(['NetConnection.Connect.Rejected']);
    await expectClosed(peer, code);
  });

  it.each(['publish', 'play', 'createStream', 'releaseStream'])('row 27: %s before connect -> _error, close', async (name) => {
    const peer = await open();
    await peer.handshake();
    peer.command(name, 2, null, ['cam']);
    expect((await peer.waitForCommand((c) => c.transactionId === 2)).name).toBe('_error');
    await expectClosed(peer, 'command_before_connect');
  });

  it('row 27: connect twice -> _error, close', async () => {
    const peer = await connected();
    peer.command('connect', 3, { app: 'live', tcUrl: 'rtmp://127.0.0.1/live' });
    expect((await peer.waitForCommand((c) => c.transactionId === 3)).name).toBe('_error');
    await expectClosed(peer, 'connect_twice');
  });

  it('row 28: createStream x 100 fails after the cap of 3, then closes', async () => {
    const peer = await connected();
    peer.write(cat(...Array.from({ length: 100 }, (_, i) => encodeMessageChunks({ csid: 3, timestamp: 0, typeId: MSG.commandAmf0, streamId: 0, payload: encodeCommand('createStream', 2 + i, null) }, 128))));
    await expectClosed(peer, 'too_many_streams');
    expect(peer.commands().filter((c) => c.transactionId >= 2).map((c) => c.name)).toEqual(['_result', '_result', '_result', '_error']);
  });

  it('(c) the canary never stalled longer than a GOP, (b) nothing uncaught, (e) no spawn, no file outside the media root', () => rig.expectCleanRun());
});
