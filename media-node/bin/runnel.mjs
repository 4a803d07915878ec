#!/usr/bin/env node
// The `runnel` command. Runnel needs Node 24 (it runs its TypeScript sources
// directly); when started by an older Node, re-run under the project's pinned
// runtime (the `node` package from the npm registry).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'src', 'cli.ts');
const major = Number(process.versions.node.split('.')[0]);
if (major >= 24) {
  await import(cli);
} else {
  let nodeBin;
  try {
    nodeBin = join(dirname(createRequire(import.meta.url).resolve('node/package.json')), 'bin', 'node');
  } catch {
    process.stderr.write(`runnel needs Node 24 or newer (this is ${process.version}); run "npm install" in the repository first.\n`);
    process.exit(1);
  }
  const r = spawnSync(nodeBin, [cli, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
