import { mapConcurrent } from '../core/concurrency.js';
import type { CredentialSource, DeployPlan } from './plan.js';

export interface PlanAccount {
  account: string;
  region: string;
  credentials: CredentialSource;
  services: string[];
}

/** Each account and region of a plan once, with the services in it. */
export function planAccounts(plan: DeployPlan): PlanAccount[] {
  const accounts = new Map<string, PlanAccount>();
  for (const target of plan.targets.filter((t) => t.kind === 'service')) {
    const key = `${target.account}/${target.region}`;
    const known = accounts.get(key);
    if (known) known.services.push(target.name);
    else accounts.set(key, { account: target.account, region: target.region, credentials: target.credentials, services: [target.name] });
  }
  return [...accounts.values()];
}

/** Asks something of every account of a plan, `concurrency` at a time, keeping the plan's order. */
export async function accountsOf<T>(plan: DeployPlan, ask: (account: PlanAccount) => Promise<T>, concurrency: number): Promise<Array<T & { services: string[] }>> {
  return mapConcurrent(planAccounts(plan), concurrency, async (account) => ({ ...(await ask(account)), services: account.services }));
}
