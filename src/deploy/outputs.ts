import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

import { writeAtomically } from '../project/config-file.js';
import type { StackOutputs } from './apps.js';

/** .sprout/outputs/<stage>.json: what each app's stacks output at their last successful deploy. */
export interface StageOutputs {
  stage: string;
  updatedAt: string;
  services: Record<string, ServiceOutputs>;
}

export interface ServiceOutputs {
  account: string;
  region: string;
  url?: string;
  deployedAt: string;
  stacks: Record<string, Record<string, string>>;
}

export function outputsFile(root: string, stage: string): string {
  return join(root, '.sprout', 'outputs', `${stage}.json`);
}

export async function readOutputs(root: string, stage: string): Promise<StageOutputs | undefined> {
  try {
    return JSON.parse(await readFile(outputsFile(root, stage), 'utf8')) as StageOutputs;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Merges this run's outputs into the stage's file: apps not deployed this time keep their
 * last outputs. The file is replaced in one step, so it is never half-written.
 */
export async function recordOutputs(
  root: string,
  stage: string,
  deployed: Array<{ name: string; account: string; region: string; url?: string; stacks: StackOutputs[] }>,
  now: Date,
): Promise<string> {
  const previous = await readOutputs(root, stage);
  const services = { ...previous?.services };
  for (const app of deployed) {
    services[app.name] = {
      account: app.account,
      region: app.region,
      ...(app.url ? { url: app.url } : {}),
      deployedAt: now.toISOString(),
      stacks: Object.fromEntries(app.stacks.map((stack) => [stack.stackName, stack.outputs])),
    };
  }
  const file = outputsFile(root, stage);
  await mkdir(join(root, '.sprout', 'outputs'), { recursive: true });
  await writeAtomically(file, `${JSON.stringify({ stage, updatedAt: now.toISOString(), services }, null, 2)}\n`);
  return file;
}

/** The URLs among a stack's outputs (keys ending in Url or Endpoint, values that are http(s) addresses). */
export function urlsIn(outputs: Record<string, string>): string[] {
  return Object.entries(outputs)
    .filter(([key, value]) => /(url|endpoint)$/i.test(key) && /^https?:\/\//.test(value))
    .map(([, value]) => value);
}

/** Drops destroyed apps from the stage's outputs file (their outputs no longer exist). */
export async function forgetOutputs(root: string, stage: string, names: string[]): Promise<void> {
  const current = await readOutputs(root, stage);
  if (!current || !names.some((name) => current.services[name])) return;
  const services = Object.fromEntries(Object.entries(current.services).filter(([name]) => !names.includes(name)));
  await writeAtomically(outputsFile(root, stage), `${JSON.stringify({ ...current, services }, null, 2)}\n`);
}
