#!/usr/bin/env node
// npm run bench: median wall time of the commands people run most, next to bare node startup
// measured in the same run. Figures are printed, never asserted: timings belong here, not in tests.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.env.BENCH_RUNS ?? 15);
const cli = join(root, 'bin', 'run.js');
const scratch = mkdtempSync(join(tmpdir(), 'sprout-bench-'));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function time(args, prepare) {
  const samples = [];
  for (let i = 0; i < runs + 1; i++) {
    const argv = prepare ? prepare(i) : args;
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, argv, { cwd: scratch, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: '1' } });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    if (result.status !== 0) throw new Error(`${argv.join(' ')} exited ${result.status}: ${result.stderr}`);
    if (i > 0) samples.push(ms); // the first run warms the file system cache
  }
  return median(samples);
}

try {
  const node = time(['-e', '0']);
  const rows = [
    ['node -e 0', node, null],
    ['sprout --version', time([cli, '--version']), 3],
    ['sprout patterns list --json', time([cli, 'patterns', 'list', '--json']), null],
    ['sprout create DIR -p backend-api --no-install --no-git', time(null, (i) => [cli, 'create', `app-${i}`, '-p', 'backend-api', '--no-install', '--no-git']), null],
  ];
  console.log(`median of ${runs} runs (ms), Node ${process.version}`);
  for (const [label, ms] of rows) console.log(`${label.padEnd(56)} ${ms.toFixed(0).padStart(6)}  ${(ms / node).toFixed(1)}x node`);
  const version = rows[1][1];
  const create = rows[3][1];
  console.log('');
  console.log(`target: --version within 3x of node startup: ${(version / node).toFixed(1)}x ${version <= 3 * node ? 'met' : 'NOT met'}`);
  console.log(`target: create without install under 1 s:    ${create.toFixed(0)} ms ${create < 1000 ? 'met' : 'NOT met'}`);
  console.log('');
  const edge = spawnSync(process.execPath, [join(root, 'scripts', 'bench-edge-router.mjs')], { stdio: 'inherit' });
  if (edge.status !== 0) throw new Error(`bench-edge-router.mjs exited ${edge.status}`);
  console.log('');
  const dev = spawnSync(process.execPath, [join(root, 'scripts', 'bench-dev.mjs')], { stdio: 'inherit' });
  if (dev.status !== 0) throw new Error(`bench-dev.mjs exited ${dev.status}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
