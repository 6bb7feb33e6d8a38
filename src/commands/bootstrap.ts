import { Flags } from '@oclif/core';

import { dryRunFlag, SproutCommand } from '../cli/base-command.js';
import { concurrencyFlag, currentProject, profileFlag, stageFlag } from '../cli/project.js';
import { loadCatalog } from '../catalog/catalog.js';
import { SproutError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { type BootstrapOutcome, bootstrapAll, bootstrapEnvironments, DEFAULT_EXECUTION_POLICY } from '../deploy/bootstrap.js';
import { resolvePlan } from '../deploy/plan.js';
import { toolkitBootstrapper } from '../deploy/toolkit-runner.js';
import { listrTaskRunner } from '../ui/tasks.js';

export default class Bootstrap extends SproutCommand<typeof Bootstrap> {
  static summary = 'CDK-bootstrap every account and region a stage deploys to.';

  static description = `Prepares each account/region of the stage for CDK deploys (the CDKToolkit stack), with that account's own credentials. Web patterns also get us-east-1, where Lambda@Edge lives.

--trust lets another account (a CI or tools account) deploy; CloudFormation then deploys with the --execution-policy policies (default AdministratorAccess, as cdk bootstrap does: narrow it for production).`;

  static examples = [
    '<%= config.bin %> <%= command.id %> --stage dev',
    { description: 'Let the CI account deploy to every prod account', command: '<%= config.bin %> <%= command.id %> -s prod --trust 999999999999' },
    { description: 'With a narrower execution policy', command: '<%= config.bin %> <%= command.id %> -s prod --trust 999999999999 --execution-policy arn:aws:iam::123456789012:policy/cdk-deploy' },
    '<%= config.bin %> <%= command.id %> -s prod --dry-run --json',
  ];

  static flags = {
    stage: stageFlag,
    profile: profileFlag,
    trust: Flags.string({ description: 'An account allowed to deploy into these environments (repeatable).', multiple: true }),
    'execution-policy': Flags.string({ description: 'A managed policy ARN CloudFormation deploys with, used with --trust (repeatable).', multiple: true }),
    concurrency: concurrencyFlag,
    'dry-run': dryRunFlag,
  };

  async run(): Promise<{ stage: string; dryRun: boolean; trust: string[]; environments: BootstrapOutcome[] | Array<{ account: string; region: string; for: string[] }> }> {
    const project = await currentProject();
    const stage = this.flags.stage ?? project.config.defaultStage;
    const trust = this.flags.trust ?? [];
    const bad = trust.filter((a) => !/^\d{12}$/.test(a));
    if (bad.length) throw new SproutError('INVALID_ACCOUNT', `--trust takes 12-digit account ids, not ${bad.join(', ')}.`, { exitCode: ExitCode.usage });
    const plan = resolvePlan(project.config, project.root, { stage, profile: this.flags.profile });
    const environments = bootstrapEnvironments(plan, loadCatalog());
    const executionPolicies = this.flags['execution-policy'] ?? [DEFAULT_EXECUTION_POLICY];
    if (trust.length && !this.flags['execution-policy']) {
      this.warn(`CloudFormation will deploy with ${DEFAULT_EXECUTION_POLICY} for the trusted accounts; pass --execution-policy to narrow it.`);
    }
    if (this.flags['dry-run']) {
      for (const env of environments) this.log(`aws://${env.account}/${env.region}  for ${env.for.join(', ')}`);
      return { stage, dryRun: true, trust, environments: environments.map(({ account, region, for: apps }) => ({ account, region, for: apps })) };
    }
    const outcomes = await bootstrapAll(environments, { trust, executionPolicies }, {
      bootstrapper: toolkitBootstrapper(`sprout-${stage}`),
      tasks: listrTaskRunner({ animated: this.interactive && Boolean(process.stderr.isTTY) }),
      concurrency: this.flags.concurrency,
    });
    const failed = outcomes.filter((o) => o.status === 'failed');
    if (failed.length === outcomes.length) {
      throw new SproutError('BOOTSTRAP_FAILED', `No environment was bootstrapped: ${failed.map((o) => `aws://${o.account}/${o.region}: ${o.error}`).join('; ')}`, {
        details: { environments: outcomes },
      });
    }
    if (failed.length) this.exitStatus = ExitCode.partial;
    for (const o of outcomes) this.log(`aws://${o.account}/${o.region}  ${o.status}${o.error ? `: ${o.error}` : ''}`);
    return { stage, dryRun: false, trust, environments: outcomes };
  }
}
