import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Command tests run the built CLI (bin/run.js → dist/), so build when src/ is newer than the build. */
export default function setup(): void {
  const manifest = join(root, 'oclif.manifest.json');
  if (existsSync(manifest) && existsSync(join(root, 'dist')) && newest(join(root, 'src')) <= statSync(manifest).mtimeMs) return;
  execSync('npm run build', { cwd: root, stdio: 'inherit' });
}

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}
