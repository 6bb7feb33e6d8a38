import type { TaskRunner } from '../ui/tasks.js';
import type { AppRunner, DestroyedStack, StackDiff } from './apps.js';
import type { EdgeFunction } from './edge.js';
import { forgetOutputs } from './outputs.js';
import type { DeployPlan, DeployTarget } from './plan.js';

export interface DestroyedApp {
  kind: DeployTarget['kind'];
  name: string;
  account: string;
  region: string;
  status: 'destroyed' | 'failed' | 'skipped';
  stacks: DestroyedStack[];
  edgeFunctions: EdgeFunction[];
  error?: string;
}

export interface DestroyOutcome {
  stage: string;
  apps: DestroyedApp[];
  /** What is left to do by hand, such as deleting retained Lambda@Edge functions. */
  followUps: string[];
  status: 'ok' | 'partial' | 'failed';
}

/**
 * Destroys in the reverse order of deploy: the services (in parallel), then the platform they
 * relied on, which is skipped if a service could not be destroyed.
 */
export async function destroyPlan(plan: DeployPlan, options: { concurrency: number }, deps: { runner: AppRunner; tasks: TaskRunner }): Promise<DestroyOutcome> {
  const results = new Map<DeployTarget, DestroyedApp>();
  const services = plan.targets.filter((t) => t.kind === 'service');
  const platform = plan.targets.filter((t) => t.kind === 'platform');
  const task = (target: DeployTarget) => ({
    title: `Destroy ${target.name} in ${target.account}/${target.region}`,
    run: async (log: (line: string) => void) => {
      try {
        const { stacks, edgeFunctions } = await deps.runner.destroy(target, log);
        results.set(target, { ...app(target, 'destroyed'), stacks, edgeFunctions });
        return `Destroyed ${target.name} (${stacks.map((s) => s.stackName + (s.existed ? '' : ' (was not deployed)')).join(', ')})`;
      } catch (error) {
        results.set(target, { ...app(target, 'failed'), error: (error as Error).message });
        throw error;
      }
    },
  });
  await deps.tasks.run(services.map(task), { concurrency: options.concurrency });
  if (services.every((t) => results.get(t)?.status === 'destroyed')) await deps.tasks.run(platform.map(task));
  const apps = plan.targets.map((t) => results.get(t) ?? { ...app(t, 'skipped'), error: 'kept: a service that relies on it was not destroyed' });
  await forgetOutputs(plan.root, plan.stage, apps.filter((a) => a.status === 'destroyed').map((a) => a.name));
  const destroyed = apps.filter((a) => a.status === 'destroyed').length;
  return {
    stage: plan.stage,
    apps,
    followUps: apps.flatMap(edgeFollowUps),
    status: destroyed === apps.length ? 'ok' : destroyed === 0 ? 'failed' : 'partial',
  };
}

function app(target: DeployTarget, status: DestroyedApp['status']): DestroyedApp {
  return { kind: target.kind, name: target.name, account: target.account, region: target.region, status, stacks: [], edgeFunctions: [] };
}

/** How to finish with the Lambda@Edge functions an app had. */
export function edgeFollowUps(app: DestroyedApp): string[] {
  return app.edgeFunctions.map((fn) => {
    const name = fn.functionName ?? `the function of ${fn.logicalId}`;
    if (fn.retained) {
      return `${app.name}: the Lambda@Edge function ${name} (${fn.stackName}) was kept, as CloudFront still holds replicas of it. Delete it in a few hours: aws lambda delete-function --region us-east-1 --function-name ${fn.functionName ?? '<name>'}`;
    }
    return `${app.name}: the Lambda@Edge function ${name} (${fn.stackName}) is not retained, so deleting its stack fails while CloudFront holds replicas (a few hours after the distribution lets go). Run "sprout destroy" again then, or retain edge functions (RemovalPolicy.RETAIN), as the sprout templates do.`;
  });
}

export interface DiffedApp {
  name: string;
  account: string;
  region: string;
  stacks: StackDiff[];
  error?: string;
}

/** The differences between each app and what is deployed, app by app. */
export async function diffPlan(plan: DeployPlan, deps: { runner: AppRunner; tasks: TaskRunner; concurrency: number }): Promise<DiffedApp[]> {
  const diffs: DiffedApp[] = plan.targets.map((t) => ({ name: t.name, account: t.account, region: t.region, stacks: [] }));
  await deps.tasks.run(
    plan.targets.map((target, index) => ({
      title: `Diff ${target.name} against ${target.account}/${target.region}`,
      run: async (log) => {
        try {
          diffs[index]!.stacks = await deps.runner.diff(target, log);
          const changes = diffs[index]!.stacks.reduce((sum, s) => sum + s.changes, 0);
          return `${target.name}: ${changes === 0 ? 'no differences' : `${changes} difference${changes > 1 ? 's' : ''}`}`;
        } catch (error) {
          diffs[index]!.error = (error as Error).message;
          throw error;
        }
      },
    })),
    { concurrency: deps.concurrency },
  );
  return diffs;
}
