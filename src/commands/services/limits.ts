import { SproutCommand } from '../../cli/base-command.js';
import { concurrencyFlag, currentProject, profileFlag, stageFlag } from '../../cli/project.js';
import { type AccountConcurrency, lambdaConcurrency } from '../../aws/account-limits.js';
import { accountsOf } from '../../deploy/accounts.js';
import { resolvePlan } from '../../deploy/plan.js';
import { renderTable } from '../../ui/table.js';

export default class ServicesLimits extends SproutCommand<typeof ServicesLimits> {
  static summary = 'Show each account\'s Lambda concurrency limit and what is left unreserved.';

  static description = 'Lambda concurrency is shared by every function of an account and region: one busy service throttles its neighbours. Separate accounts give each service its own pool; this shows each pool (GetAccountSettings) and which services draw on it.';

  static examples = ['<%= config.bin %> <%= command.id %> --stage prod', '<%= config.bin %> <%= command.id %> -s prod --json'];

  static flags = { stage: stageFlag, profile: profileFlag, concurrency: concurrencyFlag };

  async run(): Promise<{ stage: string; accounts: Array<AccountConcurrency & { services: string[] }> }> {
    const project = await currentProject();
    const stage = this.flags.stage ?? project.config.defaultStage;
    const plan = resolvePlan(project.config, project.root, { stage, profile: this.flags.profile });
    const accounts = await accountsOf(plan, (account) => lambdaConcurrency(account.account, account.region, account.credentials, `sprout-${stage}`), this.flags.concurrency);
    this.log(
      renderTable(accounts, [
        { header: 'ACCOUNT', value: (a) => a.account },
        { header: 'REGION', value: (a) => a.region },
        { header: 'LIMIT', value: (a) => String(a.concurrentExecutions) },
        { header: 'UNRESERVED', value: (a) => String(a.unreservedConcurrentExecutions) },
        { header: 'SERVICES', value: (a) => a.services.join(', '), shrink: true },
      ], process.stdout.columns),
    );
    return { stage, accounts };
  }
}
