import { Flags } from '@oclif/core';

import { dryRunFlag } from '../../cli/base-command.js';
import { edgeFlags } from '../../cli/edge.js';
import { RolloutCommand } from '../../cli/rollout.js';
import { promote } from '../../edge/service.js';

export default class RolloutPromote extends RolloutCommand<typeof RolloutPromote> {
  static summary = 'Move the rollout on by hand, without its gates: one step, or (--full) all the way.';

  static description = 'A person\'s decision, recorded in the history: the next step\'s share now, whatever the gates say. With --full the candidate serves everyone at once and becomes the stable release.';

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --full --stage prod'];

  static flags = { ...edgeFlags, full: Flags.boolean({ description: 'Straight to 100%: the candidate becomes the stable release.' }), 'dry-run': dryRunFlag };

  async run() {
    const edge = await this.edge();
    return this.report(await promote(edge, { full: this.flags.full, dryRun: this.flags['dry-run'] }), this.flags['dry-run'], this.flags.full ? 'promote in full' : 'promote one step');
  }
}
