import { resolvePlan } from '../deploy/plan.js';
import type { ProjectConfig } from './schema.js';

export interface ServiceRow {
  name: string;
  pattern: string;
  path: string;
  account?: string;
  region?: string;
  stackName?: string;
  url?: string;
  /** Why it cannot be resolved for this stage (shown, not thrown: listing must still work). */
  problem?: string;
}

/** Each service, resolved for the stage one by one, so one broken entry does not hide the others. */
export function serviceRows(config: ProjectConfig, root: string, stage: string): ServiceRow[] {
  return Object.entries(config.services ?? {}).map(([name, service]) => {
    const row: ServiceRow = { name, pattern: service.pattern, path: service.path };
    if (stage === 'local' || !config.stages[stage]) return row;
    try {
      const target = resolvePlan(config, root, { stage, services: [name] }).targets.find((t) => t.kind === 'service')!;
      return { ...row, account: target.account, region: target.region, stackName: target.stackName, url: target.url };
    } catch (error) {
      const problems = (error as { details?: { problems?: string[] } }).details?.problems;
      return { ...row, problem: problems?.join('; ') ?? (error as Error).message };
    }
  });
}
