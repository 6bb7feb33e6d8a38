import type { Reporter } from '../ui/reporter.js';
import type { Task, TaskRunner } from '../ui/tasks.js';
import type { AppRunner, RequireApproval, StackOutputs } from './apps.js';
import { recordOutputs, urlsIn } from './outputs.js';
import type { DeployPlan, DeployTarget } from './plan.js';

export interface DeployDeps {
  runner: AppRunner;
  tasks: TaskRunner;
  reporter: Reporter;
  now: () => Date;
  /** What must still happen once an app's stacks deployed (waiting for the edge router to be live); a failure fails the app. */
  afterDeploy?: (target: DeployTarget, stacks: StackOutputs[], progress: (line: string) => void) => Promise<void>;
}

export interface DeployOptions {
  /** How many services deploy at once. */
  concurrency: number;
  requireApproval: RequireApproval;
}

export type AppStatus = 'deployed' | 'failed' | 'skipped';

export interface AppOutcome {
  kind: DeployTarget['kind'];
  name: string;
  account: string;
  region: string;
  status: AppStatus;
  stacks: StackOutputs[];
  urls: string[];
  error?: string;
  /** For a failure: the error's code and exit code (3: credentials or configuration, which no retry fixes). */
  errorCode?: string;
  exitCode?: number;
  suggestions?: string[];
  seconds?: number;
}

export interface DeployOutcome {
  stage: string;
  apps: AppOutcome[];
  /** .sprout/outputs/<stage>.json, written once at the end (absent when nothing deployed). */
  outputsFile?: string;
  /** ok: all deployed · partial: some failed or skipped (exit 68) · failed: none deployed (exit 1). */
  status: 'ok' | 'partial' | 'failed';
}

/**
 * Deploys a plan: the platform app first (services rely on its delegation role or shared domain),
 * then the services, up to `concurrency` at a time, each streaming the toolkit's progress into
 * its own task. One failure does not stop the others; the outputs of every app that deployed
 * are recorded in one atomic write.
 */
export async function deployPlan(plan: DeployPlan, options: DeployOptions, deps: DeployDeps): Promise<DeployOutcome> {
  const outcomes = new Map<DeployTarget, AppOutcome>();
  const platform = plan.targets.filter((t) => t.kind === 'platform');
  const services = plan.targets.filter((t) => t.kind === 'service');

  await deps.tasks.run(platform.map((target) => deployTask(target, options, deps, outcomes)));
  const platformFailed = platform.some((t) => outcomes.get(t)?.status === 'failed');
  if (platformFailed) {
    for (const target of services) outcomes.set(target, outcome(target, 'skipped', [], 'not deployed: the platform app failed first'));
  } else {
    await deps.tasks.run(services.map((target) => deployTask(target, options, deps, outcomes)), { concurrency: options.concurrency });
  }

  const apps = plan.targets.map((target) => outcomes.get(target) ?? outcome(target, 'skipped', [], 'not run'));
  const deployed = plan.targets.filter((target) => outcomes.get(target)?.status === 'deployed');
  const outputsFile = deployed.length
    ? await recordOutputs(
        plan.root,
        plan.stage,
        deployed.map((target) => ({ name: target.name, account: target.account, region: target.region, url: target.url, stacks: outcomes.get(target)!.stacks })),
        deps.now(),
      )
    : undefined;
  const status = deployed.length === apps.length ? 'ok' : deployed.length === 0 ? 'failed' : 'partial';
  return { stage: plan.stage, apps, outputsFile, status };
}

function deployTask(target: DeployTarget, options: DeployOptions, deps: DeployDeps, outcomes: Map<DeployTarget, AppOutcome>): Task {
  return {
    title: `Deploy ${target.name} to ${target.account}/${target.region}`,
    run: async (log) => {
      const started = deps.now().getTime();
      try {
        const stacks = await deps.runner.deploy(target, { requireApproval: options.requireApproval, progress: log });
        await deps.afterDeploy?.(target, stacks, log);
        const seconds = Math.round((deps.now().getTime() - started) / 1000);
        outcomes.set(target, { ...outcome(target, 'deployed', stacks), seconds });
        return `Deployed ${target.name} (${stacks.map((s) => s.stackName).join(', ')}) in ${seconds} s`;
      } catch (error) {
        const { code, exitCode, suggestions } = error as { code?: string; exitCode?: number; suggestions?: string[] };
        outcomes.set(target, {
          ...outcome(target, 'failed', [], (error as Error).message),
          ...(typeof code === 'string' ? { errorCode: code } : {}),
          ...(typeof exitCode === 'number' ? { exitCode } : {}),
          ...(suggestions?.length ? { suggestions } : {}),
        });
        throw error;
      }
    },
  };
}

function outcome(target: DeployTarget, status: AppStatus, stacks: StackOutputs[], error?: string): AppOutcome {
  const urls = [...new Set([...(target.url && status === 'deployed' ? [target.url] : []), ...stacks.flatMap((s) => urlsIn(s.outputs))])];
  return { kind: target.kind, name: target.name, account: target.account, region: target.region, status, stacks, urls, ...(error ? { error } : {}) };
}
