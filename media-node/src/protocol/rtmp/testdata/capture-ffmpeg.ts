/**
 * Dev tool, not part of the product (nothing imports it): a tiny RTMP relay
 * around RtmpServerSession on a free port, used to capture what real peers
 * send and to check that they accept what we send.
 *
 *   npx node media-node/src/protocol/rtmp/testdata/capture-ffmpeg.ts out.bin
 *   ffmpeg -re -f lavfi -i testsrc=size=160x120:rate=10 -f lavfi -i sine -t 1 \
 *     -c:v libx264 -g 10 -c:a aac -f flv rtmp://127.0.0.1:PORT/live/x
 *   ffmpeg -i rtmp://127.0.0.1:PORT/live/x -f null -      # plays what was published
 *
 * The bytes connection N sent are written to out.bin.N when it closes.
 * Every player gets everything published so far on its stream name, then
 * live messages.
 */
import { createServer, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { RtmpServerSession, type RtmpServerOutput } from '../server-session.ts';
import { chunkMessageParts } from '../chunk-writer.ts';
import { csidForType, type RtmpMessage } from '../message.ts';

const outFile = process.argv[2] ?? 'capture.bin';
interface Player {
  socket: Socket;
  session: RtmpServerSession;
  streamId: number;
  name: string;
}
const published = new Map<string, RtmpMessage[]>();
const players = new Set<Player>();
let connections = 0;

function sendMedia(p: Player, m: RtmpMessage): void {
  const parts = chunkMessageParts({ ...m, csid: csidForType(m.typeId), streamId: p.streamId }, p.session.outChunkSize);
  for (const part of parts) p.socket.write(part);
}

const server = createServer((socket) => {
  const session = new RtmpServerSession({ now: Date.now() });
  const log: Buffer[] = [];
  const index = connections++;
  let publishing = '';
  const timer = setInterval(() => apply(session.tick(Date.now())), 1000);
  function apply(outs: RtmpServerOutput[]): void {
    for (const o of outs) {
      switch (o.kind) {
        case 'send':
          socket.write(o.bytes);
          break;
        case 'publish':
          publishing = o.streamName;
          published.set(publishing, []);
          apply(session.acceptPublish(o.streamId));
          break;
        case 'play': {
          apply(session.acceptPlay(o.streamId));
          const p = { socket, session, streamId: o.streamId, name: o.streamName };
          players.add(p);
          for (const m of published.get(p.name) ?? []) sendMedia(p, m);
          break;
        }
        case 'media':
          published.get(publishing)?.push(o.message);
          for (const p of players) if (p.name === publishing) sendMedia(p, o.message);
          break;
        case 'close':
          console.log('close', o.reason, o.message);
          socket.end();
          break;
        default:
          console.log(o.kind);
      }
    }
  }
  socket.on('data', (d) => {
    log.push(d);
    apply(session.receive(new Uint8Array(d), Date.now()));
  });
  socket.on('error', () => {});
  socket.on('close', () => {
    clearInterval(timer);
    for (const p of players) if (p.socket === socket) players.delete(p);
    apply(session.close('socket_closed'));
    writeFileSync(`${outFile}.${index}`, Buffer.concat(log));
  });
});
server.listen(0, '127.0.0.1', () => console.log('PORT', (server.address() as { port: number }).port));
