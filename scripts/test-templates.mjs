#!/usr/bin/env node
// npm run test:templates [-- <id> ...]: the template harness, for every ready template or the ids given.
// Each template has its own file in test/templates/harness/, so vitest runs them in parallel workers.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const ids = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const files = ids.map((id) => `test/templates/harness/${id}.test.ts`);
const missing = files.filter((file) => !existsSync(file));
if (missing.length) {
  console.error(`No harness file for: ${missing.join(', ')} (a ready template needs test/templates/harness/<id>.test.ts)`);
  process.exit(2);
}
const result = spawnSync('npx', ['vitest', 'run', ...(files.length ? files : ['test/templates/harness'])], { stdio: 'inherit' });
process.exit(result.status ?? 1);
