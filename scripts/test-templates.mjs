#!/usr/bin/env node
// npm run test:templates [-- <id> ...]: the template harness, for every ready template or the ids given.
import { spawnSync } from 'node:child_process';

const ids = process.argv.slice(2).filter((arg) => !arg.startsWith('-'));
const result = spawnSync('npx', ['vitest', 'run', 'test/templates'], {
  stdio: 'inherit',
  env: { ...process.env, ...(ids.length ? { SPROUT_TEMPLATES: ids.join(',') } : {}) },
});
process.exit(result.status ?? 1);
