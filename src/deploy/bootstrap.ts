import type { Pattern } from '../catalog/catalog.js';
import type { Task, TaskRunner } from '../ui/tasks.js';
import type { Progress } from './apps.js';
import type { CredentialSource, DeployPlan } from './plan.js';

/** One account and region to prepare for CDK deploys (the CDKToolkit stack). */
export interface BootstrapEnvironment {
  account: string;
  region: string;
  credentials: CredentialSource;
  /** The apps that need it, for the record. */
  for: string[];
}

export interface BootstrapSettings {
  /** Accounts (a CI or tools account) allowed to deploy into these environments. */
  trust: string[];
  /** Policies CloudFormation deploys with; the CDK requires them when --trust is given. */
  executionPolicies: string[];
}

export interface Bootstrapper {
  bootstrap(environment: BootstrapEnvironment, settings: BootstrapSettings, progress: Progress): Promise<'bootstrapped' | 'unchanged'>;
}

/** AdministratorAccess is what `cdk bootstrap` uses by default; sprout says so, and --execution-policy narrows it. */
export const DEFAULT_EXECUTION_POLICY = 'arn:aws:iam::aws:policy/AdministratorAccess';

/**
 * Every account and region the stage touches. Web patterns (tag "edge") put their Lambda@Edge
 * functions in us-east-1, so their accounts need us-east-1 bootstrapped as well.
 */
export function bootstrapEnvironments(plan: DeployPlan, catalog: Pattern[]): BootstrapEnvironment[] {
  const environments = new Map<string, BootstrapEnvironment>();
  const add = (account: string, region: string, credentials: CredentialSource, app: string) => {
    const key = `${account}/${region}`;
    const known = environments.get(key);
    if (known) known.for.push(app);
    else environments.set(key, { account, region, credentials, for: [app] });
  };
  for (const target of plan.targets) {
    add(target.account, target.region, target.credentials, target.name);
    const edge = catalog.find((p) => p.manifest.id === target.pattern)?.manifest.tags.includes('edge');
    if (edge && target.region !== 'us-east-1') add(target.account, 'us-east-1', target.credentials, `${target.name} (Lambda@Edge)`);
  }
  return [...environments.values()];
}

export interface BootstrapOutcome {
  account: string;
  region: string;
  for: string[];
  status: 'bootstrapped' | 'unchanged' | 'failed';
  error?: string;
}

export async function bootstrapAll(
  environments: BootstrapEnvironment[],
  settings: BootstrapSettings,
  deps: { bootstrapper: Bootstrapper; tasks: TaskRunner; concurrency: number },
): Promise<BootstrapOutcome[]> {
  const outcomes: BootstrapOutcome[] = environments.map((env) => ({ account: env.account, region: env.region, for: env.for, status: 'failed' }));
  const tasks: Task[] = environments.map((env, index) => ({
    title: `Bootstrap aws://${env.account}/${env.region}`,
    run: async (log) => {
      try {
        const status = await deps.bootstrapper.bootstrap(env, settings, log);
        outcomes[index]!.status = status;
        return `aws://${env.account}/${env.region} ${status === 'unchanged' ? 'was already bootstrapped' : 'bootstrapped'}`;
      } catch (error) {
        outcomes[index]!.error = (error as Error).message;
        throw error;
      }
    },
  }));
  await deps.tasks.run(tasks, { concurrency: deps.concurrency });
  return outcomes;
}
