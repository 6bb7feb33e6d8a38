import { credentialsFor } from './credentials.js';
import type { CredentialSource } from '../deploy/plan.js';

export interface AccountConcurrency {
  account: string;
  region: string;
  /** The account's concurrent executions limit in the region (1,000 by default). */
  concurrentExecutions: number;
  /** What is left after reserved concurrency: the pool every function without a reservation shares. */
  unreservedConcurrentExecutions: number;
}

/** Lambda GetAccountSettings in one account and region, with that account's credentials. */
export async function lambdaConcurrency(account: string, region: string, credentials: CredentialSource, sessionName: string): Promise<AccountConcurrency> {
  const { GetAccountSettingsCommand, LambdaClient } = await import('@aws-sdk/client-lambda');
  const client = new LambdaClient({ region, credentials: await credentialsFor(credentials, { region, sessionName }) });
  try {
    const { AccountLimit } = await client.send(new GetAccountSettingsCommand({}));
    return {
      account,
      region,
      concurrentExecutions: AccountLimit?.ConcurrentExecutions ?? 0,
      unreservedConcurrentExecutions: AccountLimit?.UnreservedConcurrentExecutions ?? 0,
    };
  } finally {
    client.destroy();
  }
}
