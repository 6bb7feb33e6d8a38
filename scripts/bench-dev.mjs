#!/usr/bin/env node
// Part of npm run bench: how long `sprout dev` takes to serve a generated backend-api project
// (synth included), and its request latency through API Gateway → handler → dynalite, cold and warm.
// Figures are printed, never asserted.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'bin', 'run.js');
const runs = Number(process.env.BENCH_DEV_RUNS ?? 3);
const scratch = mkdtempSync(join(tmpdir(), 'sprout-bench-dev-'));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Starts sprout dev, resolves with the ready event and the time it took, and the process. */
function start(dir) {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [cli, 'dev', '--port', '0', '--json'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const said = [];
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`sprout dev exited ${code} before it was ready:\n${said.slice(-10).join('\n')}`)));
    createInterface({ input: child.stderr }).on('line', (line) => {
      said.push(line);
      if (!line.includes('"event":"ready"')) return;
      resolve({ child, ready: JSON.parse(line), ms: Number(process.hrtime.bigint() - started) / 1e6 });
    });
  });
}

async function timed(work) {
  const started = process.hrtime.bigint();
  await work();
  return Number(process.hrtime.bigint() - started) / 1e6;
}

try {
  const dir = join(scratch, 'app');
  const created = spawnSync(process.execPath, [cli, 'create', dir, '-p', 'backend-api', '--yes', '--no-install', '--no-git'], { stdio: 'ignore' });
  if (created.status !== 0) throw new Error('create failed');
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  writeFileSync(join(dir, 'package-lock.json'), '{"name":"bench","lockfileVersion":3,"requires":true,"packages":{}}\n');
  const ready = [];
  const cold = [];
  const warm = [];
  for (let i = 0; i < runs; i++) {
    const { child, ready: event, ms } = await start(dir);
    ready.push(ms);
    const items = `${event.apis[0].url}/items`;
    const post = () => fetch(items, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"bench"}' }).then((r) => r.arrayBuffer());
    cold.push(await timed(post));
    for (let j = 0; j < 20; j++) warm.push(await timed(post));
    child.kill('SIGINT');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  console.log(`sprout dev on backend-api, median of ${runs} starts (ms)`);
  console.log(`${'synth to ready (serving)'.padEnd(56)} ${median(ready).toFixed(0).padStart(6)}`);
  console.log(`${'POST /items, cold start of the handler'.padEnd(56)} ${median(cold).toFixed(0).padStart(6)}`);
  console.log(`${'POST /items, warm (API Gateway → handler → dynalite)'.padEnd(56)} ${median(warm).toFixed(0).padStart(6)}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
