// Child process of `runnel bench hls`: s3rver, the S3 the node under test
// uploads HLS to, on a free loopback port, pinned with the publishers (so its
// CPU is not the node's). Usage: node s3rver-main.ts <directory> <bucket>.
// Tells its parent the port over IPC, then serves until it is killed.
import S3rver from 's3rver';
import type { S3rverReady } from './s3rver-child.ts';

const [directory, bucket] = process.argv.slice(2);
if (directory === undefined || bucket === undefined || process.send === undefined) {
  process.stderr.write('usage: node s3rver-main.ts <directory> <bucket> (with an IPC channel)\n');
  process.exit(2);
}
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory, configureBuckets: [{ name: bucket }] });
const { port } = await server.run();
process.send({ type: 'ready', port } satisfies S3rverReady);
// The parent's SIGTERM ends the process (Node's default): s3rver has nothing to flush.
