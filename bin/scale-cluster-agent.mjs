#!/usr/bin/env node
// Entry of the `scale-cluster-agent` command: checks Node, tunes glibc's
// malloc (bin/malloc-tuning.mjs), then runs the built headless bundle
// (out/main/headless.js, made by `npm run build`).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { withMallocTuning } from './malloc-tuning.mjs';

const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  process.stderr.write(`scale-cluster-agent needs Node.js 22 or newer; this is ${process.version}.\n`);
  process.exit(1);
}
// Once, before anything is allocated: the same process, re-executed with the tunable set.
const tuned = withMallocTuning(process.env);
if (tuned && typeof process.execve === 'function') {
  process.execve(process.execPath, [process.execPath, ...process.execArgv, ...process.argv.slice(1)], tuned);
}
const bundle = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main', 'headless.js');
if (!existsSync(bundle)) {
  process.stderr.write('scale-cluster-agent is not built yet: run `npm run build` in the project folder.\n');
  process.exit(1);
}
const { main } = await import(pathToFileURL(bundle).href);
process.exit(await main(process.argv.slice(2)));
