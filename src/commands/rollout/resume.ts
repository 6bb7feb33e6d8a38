import { Flags } from '@oclif/core';

import { dryRunFlag } from '../../cli/base-command.js';
import { edgeFlags } from '../../cli/edge.js';
import { RolloutCommand } from '../../cli/rollout.js';
import { resume } from '../../edge/service.js';

export default class RolloutResume extends RolloutCommand<typeof RolloutResume> {
  static summary = 'Let a paused rollout go on: the step starts over, and its gates judge only what comes next.';

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --watch'];

  static flags = { ...edgeFlags, watch: Flags.boolean({ description: 'Drive the rest of the plan here (see rollout start --watch).' }), 'dry-run': dryRunFlag };

  async run() {
    const resumed = await this.report(await resume(await this.edge(), { dryRun: this.flags['dry-run'] }), this.flags['dry-run'], 'resume');
    if (!this.flags.watch || this.flags['dry-run']) return resumed;
    return { ...(await this.watch()), written: true, dryRun: false };
  }
}
