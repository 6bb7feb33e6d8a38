// npm run sync:runtime: copies the code that ships into generated projects (src/runtime/cdk/*)
// into every template folder that carries it (templates/*/files/**/infra/sprout/). One source,
// many copies: edit src/runtime/cdk and run this; test/runtime/sync.test.ts fails on a stale copy.
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const runtimeSource = join(root, 'src', 'runtime', 'cdk');

export function runtimeFiles(): string[] {
  return readdirSync(runtimeSource).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
}

/** Every templates/<id>/files/**\/infra/sprout folder (node_modules and cdk.out excluded). */
export function runtimeTargets(): string[] {
  const targets: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name === 'cdk.out') continue;
      const path = join(dir, entry.name);
      if (entry.name === 'sprout' && basename(dir) === 'infra') targets.push(path);
      else walk(path);
    }
  };
  for (const id of readdirSync(join(root, 'templates'))) {
    const files = join(root, 'templates', id, 'files');
    if (existsSync(files)) walk(files);
  }
  return targets;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const target of runtimeTargets()) {
    for (const file of runtimeFiles()) copyFileSync(join(runtimeSource, file), join(target, file));
    console.log(`synced ${runtimeFiles().length} files into ${relative(root, target)}`);
  }
}
