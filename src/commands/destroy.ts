import { Flags } from '@oclif/core';

import { dryRunFlag, SproutCommand } from '../cli/base-command.js';
import { concurrencyFlag, currentProject, profileFlag, stageFlag } from '../cli/project.js';
import { CancelledError, SproutError, UsageError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { type DestroyOutcome, destroyPlan } from '../deploy/destroy.js';
import { resolvePlan } from '../deploy/plan.js';
import { toolkitRunner } from '../deploy/toolkit-runner.js';
import { describePlan, planSummary } from '../ui/plan.js';
import { inquirerPrompter } from '../ui/prompts.js';
import { listrTaskRunner } from '../ui/tasks.js';

export default class Destroy extends SproutCommand<typeof Destroy> {
  static summary = 'Delete every stack of a stage (asks first).';

  static description = `Destroys the services (in parallel), then the platform app. It asks for confirmation unless --yes, and refuses to run without --yes when nobody can be asked (CI, pipes, --json).

Lambda@Edge functions cannot be deleted while CloudFront holds their replicas; sprout's templates retain them, and destroy lists each one with the command to delete it later.`;

  static examples = [
    '<%= config.bin %> <%= command.id %> --stage dev',
    { description: 'In CI', command: '<%= config.bin %> <%= command.id %> -s preview-42 --yes --json' },
    { description: 'See what would be destroyed', command: '<%= config.bin %> <%= command.id %> -s dev --dry-run' },
  ];

  static flags = {
    stage: stageFlag,
    profile: profileFlag,
    service: Flags.string({ description: 'Only this service (repeatable); the platform app stays.', multiple: true }),
    concurrency: concurrencyFlag,
    'dry-run': dryRunFlag,
  };

  async run(): Promise<DestroyOutcome | { dryRun: true; plan: ReturnType<typeof describePlan> }> {
    const project = await currentProject();
    const stage = this.flags.stage ?? project.config.defaultStage;
    let plan = resolvePlan(project.config, project.root, { stage, services: this.flags.service, profile: this.flags.profile });
    // Destroying some services must not take the platform the others rely on.
    if (this.flags.service?.length) plan = { ...plan, targets: plan.targets.filter((t) => t.kind === 'service') };
    if (this.flags['dry-run']) {
      this.log(planSummary(plan).replace('dry run: nothing deployed', 'dry run: nothing destroyed'));
      return { dryRun: true, plan: describePlan(plan) };
    }
    await this.confirm(`Destroy ${plan.targets.map((t) => `${t.stackName} (${t.account}/${t.region})`).join(', ')}? This deletes their resources.`);

    const outcome = await destroyPlan(plan, { concurrency: this.flags.concurrency }, {
      runner: toolkitRunner({ sessionName: () => `sprout-${stage}` }),
      tasks: listrTaskRunner({ animated: this.interactive && Boolean(process.stderr.isTTY) }),
    });
    for (const followUp of outcome.followUps) this.warn(followUp);
    if (outcome.status === 'failed') {
      throw new SproutError('DESTROY_FAILED', `Nothing was destroyed in ${stage}: ${outcome.apps.map((a) => `${a.name}: ${a.error ?? a.status}`).join('; ')}`, {
        details: { apps: outcome.apps, followUps: outcome.followUps },
        suggestions: ['Fix the failure above and run it again: stacks already gone are skipped.'],
      });
    }
    if (outcome.status === 'partial') this.exitStatus = ExitCode.partial;
    for (const app of outcome.apps) this.log(`${app.name}: ${app.status}${app.error ? ` (${app.error})` : ''}`);
    return outcome;
  }

  private async confirm(question: string): Promise<void> {
    if (this.flags.yes) return;
    if (!this.interactive) {
      throw new UsageError('CONFIRMATION_REQUIRED', 'sprout destroy deletes resources and nobody is here to confirm it.', {
        suggestions: ['Add --yes to confirm, or run it at a terminal.'],
      });
    }
    const yes = await inquirerPrompter().confirm({ message: question, default: false });
    if (!yes) throw new CancelledError('Nothing was destroyed.');
  }
}
