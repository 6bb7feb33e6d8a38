import { existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

let built: Promise<string> | undefined;

/**
 * The script each execution environment runs: dist/dev/lambda/worker.js next to this module in
 * the built CLI. Run from sources (tests, tsx) there is only worker.ts, so it is bundled once per
 * process with esbuild into a temporary .mjs: the worker then runs on plain Node with no loader
 * hooks that could change how the user's bundle is imported.
 */
export function workerScript(): Promise<string> {
  const compiled = fileURLToPath(new URL('./worker.js', import.meta.url));
  if (existsSync(compiled)) return Promise.resolve(compiled);
  built ??= buildFromSource(fileURLToPath(new URL('./worker.ts', import.meta.url))).catch((error: unknown) => {
    built = undefined;
    throw error;
  });
  return built;
}

async function buildFromSource(source: string): Promise<string> {
  const protocol = source.replace(/worker\.ts$/, 'protocol.ts');
  const hash = createHash('sha256')
    .update(await readFile(source))
    .update(await readFile(protocol))
    .digest('hex')
    .slice(0, 16);
  const dir = join(tmpdir(), 'sprout-dev-lambda');
  const outfile = join(dir, `worker-${hash}.mjs`);
  if (existsSync(outfile)) return outfile;
  await mkdir(dir, { recursive: true });
  const { build } = await import('esbuild');
  // Written aside then renamed: parallel test processes never fork a half-written script.
  const partial = `${outfile}.${process.pid}.tmp`;
  await build({ entryPoints: [source], outfile: partial, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'silent' });
  await rename(partial, outfile);
  return outfile;
}
