import type { DeployPlan } from '../deploy/plan.js';
import { renderTable } from './table.js';

/** The plan as --json shows it: everything sprout will do, per app, without secrets. */
export function describePlan(plan: DeployPlan) {
  return {
    project: plan.project,
    stage: plan.stage,
    apps: plan.targets.map((t) => ({
      kind: t.kind,
      name: t.name,
      dir: t.dir,
      pattern: t.pattern,
      account: t.account,
      region: t.region,
      stackName: t.stackName,
      credentials: t.credentials,
      url: t.url,
      context: t.context,
    })),
  };
}

export function planSummary(plan: DeployPlan): string {
  const table = renderTable(plan.targets, [
    { header: 'APP', value: (t) => t.name },
    { header: 'ACCOUNT', value: (t) => t.account },
    { header: 'REGION', value: (t) => t.region },
    { header: 'STACK', value: (t) => t.stackName },
    { header: 'CREDENTIALS', value: (t) => [t.credentials.profile && `profile ${t.credentials.profile}`, t.credentials.roleArn && `role ${t.credentials.roleArn}`].filter(Boolean).join(' → ') || 'default chain' },
    { header: 'URL', value: (t) => t.url ?? '', shrink: true },
  ], process.stdout.columns);
  const order = plan.targets.some((t) => t.kind === 'platform') ? 'The platform app deploys first, then the services in parallel.' : 'The services deploy in parallel.';
  return `Plan for ${plan.project}, stage ${plan.stage} (dry run: nothing deployed):\n${table}\n${order}`;
}
