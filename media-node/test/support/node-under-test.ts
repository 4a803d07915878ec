import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig } from '../../src/server/config/index.ts';
import type { NodeConfig } from '../../src/server/config/index.ts';
import { createMemoryLogger } from '../../src/server/log/index.ts';
import type { MemoryLogger } from '../../src/server/log/index.ts';
import { startNode } from '../../src/server/node.ts';
import type { RunningNode } from '../../src/server/node.ts';

export interface NodeUnderTest {
  readonly node: RunningNode;
  readonly log: MemoryLogger;
  readonly rtmp: (path: string) => string;
  readonly http: (path: string) => string;
  readonly api: (path: string) => string;
  stop(): Promise<void>;
}

/** A media node in this process on free loopback ports, with a temp data dir and an in-memory log. */
export async function startNodeUnderTest(overrides: Record<string, unknown> = {}): Promise<NodeUnderTest> {
  const dataDir = mkdtempSync(join(tmpdir(), 'runnel-e2e-'));
  const parsed = validateConfig({
    data_dir: dataDir,
    listen: { host: '127.0.0.1', rtmp: 0, http: 0, api: 0, srt: 0, rtc: 0 },
    ...overrides,
  });
  const config: NodeConfig = { ...parsed, serverId: 'vid-e2etest' };
  const log = createMemoryLogger('info');
  const node = await startNode(config, log);
  return {
    node,
    log,
    rtmp: (p) => `rtmp://127.0.0.1:${node.ports.rtmp}${p}`,
    http: (p) => `http://127.0.0.1:${node.ports.http}${p}`,
    api: (p) => `http://127.0.0.1:${node.ports.api}${p}`,
    async stop() {
      await node.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
