import { Flags } from '@oclif/core';

import { dryRunFlag } from '../../cli/base-command.js';
import { edgeFlags } from '../../cli/edge.js';
import { RolloutCommand } from '../../cli/rollout.js';
import { abort } from '../../edge/service.js';

export default class RolloutAbort extends RolloutCommand<typeof RolloutAbort> {
  static summary = 'Stop the rollout now: the candidate\'s share goes to 0 at once.';

  static description = 'New requests get the stable release within the router\'s cache time (10 s by default). The candidate\'s files stay in the bucket and in sprout release list, and the stable release is unchanged; start a new rollout when a fixed release is ready.';

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --reason "checkout broken on Safari" --stage prod'];

  static flags = { ...edgeFlags, reason: Flags.string({ description: 'Why, for the history.' }), 'dry-run': dryRunFlag };

  async run() {
    const edge = await this.edge();
    const result = await abort(edge, { reason: this.flags.reason, dryRun: this.flags['dry-run'] });
    const status = await this.report(result, this.flags['dry-run'], 'abort');
    const candidate = result.document.rollout?.candidate;
    this.log(`Still deployed: ${candidate} (no traffic; files under ${edge.releasesLocation}${candidate}/), and the stable release ${result.document.stable ?? '(the deployed site)'} serving everyone.`);
    return status;
  }
}
