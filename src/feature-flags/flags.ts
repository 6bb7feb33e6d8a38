import { userInfo, hostname } from 'node:os';

import type { FlagDocument } from '../runtime/flags/model.js';
import { assertValid, documentChanges } from './edit.js';
import type { Deployment, FlagStore } from './store.js';

export interface ChangeOptions {
  /** The command as typed, kept as the version's description ("flags set checkout --percent 25"). */
  command: string;
  dryRun: boolean;
  strategy?: string;
  wait: boolean;
  now: Date;
}

export interface ChangeResult {
  store: FlagStore['kind'];
  location: string;
  /** One line per changed field: "flags.checkout.split.on: 0 → 2500". */
  changes: string[];
  dryRun: boolean;
  /** The version written (absent on a dry run or when nothing changed). */
  version?: string;
  deployment?: Deployment;
}

/**
 * Read → edit → validate → conditional write. The edit is pure; a document the stores would refuse
 * never leaves the machine, and a dry run shows the changes it would write.
 */
export async function changeFlags(store: FlagStore, edit: (document: FlagDocument) => FlagDocument, options: ChangeOptions): Promise<ChangeResult> {
  const current = await store.read();
  const next = edit(current.document);
  assertValid(next);
  const changes = documentChanges(current.document, next);
  const base = { store: store.kind, location: store.location, changes, dryRun: options.dryRun };
  if (options.dryRun || changes.length === 0) return base;
  const written = await store.write(next, {
    expected: current.version,
    description: `${options.command} · by ${actor()} · ${options.now.toISOString()}`,
    strategy: options.strategy,
    wait: options.wait,
  });
  return { ...base, version: written.version, ...(written.deployment ? { deployment: written.deployment } : {}) };
}

/** Who made a change, for stores that keep history: CI's actor when there is one, else user@host. */
export function actor(env: NodeJS.ProcessEnv = process.env): string {
  const ci = env.GITHUB_ACTOR ?? env.GITLAB_USER_LOGIN ?? env.BUILDKITE_BUILD_CREATOR ?? env.CIRCLE_USERNAME;
  if (ci) return `${ci} (CI)`;
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return 'unknown';
  }
}

/** Still rolling out: the command exits 69 unless it waited. */
export function stillDeploying(deployment: Deployment | undefined): boolean {
  return deployment !== undefined && ['DEPLOYING', 'BAKING', 'VALIDATING'].includes(deployment.state);
}

/** AppConfig stopped it (an alarm, or someone): the change is not live. */
export function rolledBack(deployment: Deployment | undefined): boolean {
  return deployment !== undefined && ['ROLLED_BACK', 'REVERTED', 'ROLLING_BACK'].includes(deployment.state);
}
