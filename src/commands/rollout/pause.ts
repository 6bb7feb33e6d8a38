import { dryRunFlag } from '../../cli/base-command.js';
import { edgeFlags } from '../../cli/edge.js';
import { RolloutCommand } from '../../cli/rollout.js';
import { pause } from '../../edge/service.js';

export default class RolloutPause extends RolloutCommand<typeof RolloutPause> {
  static summary = 'Hold the rollout at its current share: no step moves until it is resumed.';

  static description = 'Viewers keep the split they have now (pausing stops the plan, not the traffic: sprout rollout abort does that).';

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --stage prod --json'];

  static flags = { ...edgeFlags, 'dry-run': dryRunFlag };

  async run() {
    return this.report(await pause(await this.edge(), { dryRun: this.flags['dry-run'] }), this.flags['dry-run'], 'pause');
  }
}
