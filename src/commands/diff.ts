import { Flags } from '@oclif/core';

import { SproutCommand } from '../cli/base-command.js';
import { concurrencyFlag, currentProject, profileFlag, stageFlag } from '../cli/project.js';
import { type DiffedApp, diffPlan } from '../deploy/destroy.js';
import { resolvePlan } from '../deploy/plan.js';
import { toolkitRunner } from '../deploy/toolkit-runner.js';
import { stableReleaseContext } from '../edge/deploy-context.js';
import { listrTaskRunner } from '../ui/tasks.js';

export default class Diff extends SproutCommand<typeof Diff> {
  static summary = 'Compare each app of a stage with what is deployed.';

  static description = 'Synthesizes every app of the stage and diffs it against its deployed stacks, in each app\'s own account. The CDK diff goes to stderr; --json gives the counts and the kind of permission change per stack.';

  static examples = [
    '<%= config.bin %> <%= command.id %> --stage dev',
    '<%= config.bin %> <%= command.id %> -s prod --service catalog --json',
    { description: 'Fail a CI job when a stage drifted from the code', command: '<%= config.bin %> <%= command.id %> -s prod --fail' },
  ];

  static flags = {
    stage: stageFlag,
    profile: profileFlag,
    service: Flags.string({ description: 'Only this service (repeatable).', multiple: true }),
    concurrency: concurrencyFlag,
    fail: Flags.boolean({ description: 'Exit 1 when there is any difference.' }),
  };

  async run(): Promise<{ stage: string; apps: DiffedApp[] }> {
    const project = await currentProject();
    const stage = this.flags.stage ?? project.config.defaultStage;
    const plan = resolvePlan(project.config, project.root, { stage, services: this.flags.service, profile: this.flags.profile });
    const apps = await diffPlan(plan, {
      runner: toolkitRunner({
        sessionName: () => `sprout-${stage}`,
        // As deploy does, so the edge router's baked stable release shows no change.
        extraContext: (target, credentials) => stableReleaseContext(project.root, target, credentials, (message) => this.warn(message)),
      }),
      tasks: listrTaskRunner({ animated: false }),
      concurrency: this.flags.concurrency,
    });
    const failed = apps.filter((a) => a.error);
    if (failed.length) this.exitStatus = failed.length === apps.length ? 1 : 68;
    else if (this.flags.fail && apps.some((a) => a.stacks.some((s) => s.changes > 0))) this.exitStatus = 1;
    for (const app of apps) {
      const changes = app.stacks.reduce((sum, s) => sum + s.changes, 0);
      const broadening = app.stacks.some((s) => s.permissionChanges === 'broadening') ? ', widens permissions' : '';
      this.log(`${app.name}: ${app.error ? `failed: ${app.error}` : changes ? `${changes} difference${changes > 1 ? 's' : ''}${broadening}` : 'no differences'}`);
    }
    return { stage, apps };
  }
}
