import { copyFile } from 'node:fs/promises';

import { Flags } from '@oclif/core';

import { dryRunFlag, SproutCommand } from '../cli/base-command.js';
import { concurrencyFlag, currentProject, oneQuestionAtATime, profileFlag, stageFlag } from '../cli/project.js';
import { SproutError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { type DeployOutcome, deployPlan } from '../deploy/deploy.js';
import { type DeployPlan, resolvePlan } from '../deploy/plan.js';
import { toolkitRunner } from '../deploy/toolkit-runner.js';
import { installEdgeRouter } from '../edge/after-deploy.js';
import { stableReleaseContext } from '../edge/deploy-context.js';
import { describePlan, planSummary } from '../ui/plan.js';
import { inquirerPrompter } from '../ui/prompts.js';
import { renderTable } from '../ui/table.js';
import { listrTaskRunner } from '../ui/tasks.js';

export default class Deploy extends SproutCommand<typeof Deploy> {
  static summary = 'Deploy every service of a stage, each to its own account, region and domain.';

  static description = `Resolves the plan from sprout.json (each service's account, region, credentials, stack and domain), then deploys each CDK app through the CDK Toolkit Library: the platform app first, then the services in parallel. Stack outputs are saved to .sprout/outputs/<stage>.json.

Exit 68 when some apps deployed and others failed; each app's status is in the result.`;

  static examples = [
    { description: 'Show the plan without calling AWS', command: '<%= config.bin %> <%= command.id %> --stage prod --dry-run' },
    { description: 'Deploy a stage', command: '<%= config.bin %> <%= command.id %> --stage dev' },
    { description: 'Two services, in CI, no approval prompts', command: '<%= config.bin %> <%= command.id %> -s prod --service catalog --service orders --require-approval never --json' },
    { description: 'From a CI account, through each stage\'s role', command: '<%= config.bin %> <%= command.id %> -s prod --profile ci --concurrency 8' },
  ];

  static flags = {
    stage: stageFlag,
    profile: profileFlag,
    service: Flags.string({ description: 'Only this service (repeatable). Default: all.', multiple: true }),
    concurrency: concurrencyFlag,
    'require-approval': Flags.string({
      description: 'broadening: changes that widen IAM permissions or security groups need a person\'s yes (refused when nobody can be asked); never: deploy without asking.',
      options: ['never', 'broadening'],
      default: 'broadening',
    }),
    'outputs-file': Flags.string({ description: 'Also copy the stage\'s outputs to this file.' }),
    'dry-run': dryRunFlag,
  };

  async run(): Promise<DeployOutcome | { dryRun: true; plan: ReturnType<typeof describePlan> }> {
    const project = await currentProject();
    const stage = this.flags.stage ?? project.config.defaultStage;
    const plan: DeployPlan = resolvePlan(project.config, project.root, { stage, services: this.flags.service, profile: this.flags.profile });
    for (const warning of plan.warnings) this.warn(warning);
    if (this.flags['dry-run']) {
      this.log(planSummary(plan));
      return { dryRun: true, plan: describePlan(plan) };
    }

    const requireApproval = this.flags['require-approval'] as 'never' | 'broadening';
    const interactive = this.interactive;
    const prompter = interactive ? inquirerPrompter() : undefined;
    const outcome = await deployPlan(
      plan,
      { concurrency: this.flags.concurrency, requireApproval },
      {
        runner: toolkitRunner({
          sessionName: () => `sprout-${stage}`,
          confirm: prompter ? oneQuestionAtATime((message) => prompter.confirm({ message, default: false })) : undefined,
          // The edge router bakes in the stable release, to serve when it cannot read the release document.
          extraContext: (target, credentials) => stableReleaseContext(project.root, target, credentials, (message) => this.warn(message)),
        }),
        // Questions and an animated task list would fight over the terminal.
        tasks: listrTaskRunner({ animated: interactive && Boolean(process.stderr.isTTY) && requireApproval === 'never' }),
        reporter: this.reporter,
        now: () => new Date(),
        afterDeploy: (target, stacks, progress) => installEdgeRouter(target, stacks, progress, `sprout-${stage}`),
      },
    );
    if (this.flags['outputs-file'] && outcome.outputsFile) await copyFile(outcome.outputsFile, this.flags['outputs-file']);
    if (outcome.status === 'failed') throw deployFailed(stage, outcome);
    if (outcome.status === 'partial') this.exitStatus = ExitCode.partial;
    this.log(
      renderTable(outcome.apps, [
        { header: 'APP', value: (a) => a.name },
        { header: 'STATUS', value: (a) => a.status },
        { header: 'ACCOUNT/REGION', value: (a) => `${a.account}/${a.region}` },
        { header: 'URLS', value: (a) => a.urls.join(' ') || (a.error ?? ''), shrink: true },
      ], process.stdout.columns),
    );
    if (outcome.outputsFile) this.log(`\nOutputs saved to ${outcome.outputsFile}`);
    return outcome;
  }
}

/** Nothing deployed: a precondition (exit 3) when every failure was one (credentials, configuration), else a failure. */
function deployFailed(stage: string, outcome: DeployOutcome): SproutError {
  const failures = outcome.apps.filter((a) => a.status === 'failed');
  const precondition = failures.length > 0 && failures.every((a) => a.exitCode === ExitCode.precondition);
  const message = `Nothing was deployed to ${stage}: ${outcome.apps.map((a) => `${a.name} ${a.status}${a.error ? ` (${a.error})` : ''}`).join('; ')}`;
  return new SproutError(precondition ? failures[0]!.errorCode ?? 'DEPLOY_FAILED' : 'DEPLOY_FAILED', message, {
    exitCode: precondition ? ExitCode.precondition : ExitCode.failure,
    details: { apps: outcome.apps },
    suggestions: [...new Set(failures.flatMap((a) => a.suggestions ?? []))].concat(
      precondition ? [] : ['Fix the first failure above and run the deploy again; each run deploys only what changed.'],
    ),
  });
}
