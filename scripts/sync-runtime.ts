// npm run sync:runtime: copies the code that ships into generated projects into every template
// folder that carries it: src/runtime/cdk/* into templates/*/files/**/infra/sprout/, and
// src/runtime/flags/* into templates/*/files/**/src/sprout/flags/, src/runtime/edge-router/* into
// templates/*/files/**/src/sprout/edge-router/, src/runtime/experiments/* (recording A/B
// experiment conversions) into templates/*/files/**/src/sprout/experiments/, src/runtime/test/*
// (test helpers: a CDK test app, the cdk-nag suite) into templates/*/files/**/test/sprout/. One
// source, many copies: edit src/runtime and run this; test/runtime/sync.test.ts fails on a stale copy.
import { copyFileSync, existsSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

/** What ships where: a source folder, and the folder (as trailing path segments) that receives it in a project. */
export const RUNTIME = [
  { source: join(root, 'src', 'runtime', 'cdk'), into: ['infra', 'sprout'] },
  { source: join(root, 'src', 'runtime', 'flags'), into: ['src', 'sprout', 'flags'] },
  { source: join(root, 'src', 'runtime', 'edge-router'), into: ['src', 'sprout', 'edge-router'] },
  { source: join(root, 'src', 'runtime', 'experiments'), into: ['src', 'sprout', 'experiments'] },
  { source: join(root, 'src', 'runtime', 'test'), into: ['test', 'sprout'] },
] as const;

export function runtimeFiles(source: string): string[] {
  return readdirSync(source).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
}

/** Every templates/<id>/files/**\/<into> folder (node_modules and cdk.out excluded). */
export function runtimeTargets(into: readonly string[]): string[] {
  const targets: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name === 'cdk.out') continue;
      const path = join(dir, entry.name);
      if (path.split(sep).slice(-into.length).join('/') === into.join('/')) targets.push(path);
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
  for (const { source, into } of RUNTIME) {
    for (const target of runtimeTargets(into)) {
      for (const file of runtimeFiles(source)) copyFileSync(join(source, file), join(target, file));
      console.log(`synced ${runtimeFiles(source).length} files into ${relative(root, target)}`);
    }
  }
}
