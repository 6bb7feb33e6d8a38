import { Args, Flags } from '@oclif/core';

import { dryRunFlag } from '../../cli/base-command.js';
import { EdgeCommand, edgeFlags } from '../../cli/edge.js';
import { stopExperiment } from '../../edge/experiment-service.js';
import { renderExperiment } from '../../edge/experiment-status.js';

export default class ExperimentStop extends EdgeCommand<typeof ExperimentStop> {
  static summary = 'Stop an experiment; with --winner, the winner becomes the stable release for its paths.';

  static description = `Without --winner, the experiment's paths go back to what every viewer gets anyway. With --winner, the winner takes them: for an experiment on the whole site (/*) whose winner is a release, that release becomes the stage's stable release (refused while a rollout is in progress: finish it first, or roll the winner out with sprout rollout start); otherwise every viewer on the experiment's paths gets the winner from now on, until another experiment takes those paths. The counts stay readable with sprout experiment results.`;

  static examples = [
    '<%= config.bin %> <%= command.id %> checkout-button --winner b',
    { description: 'Stop the only running experiment, keeping nothing', command: '<%= config.bin %> <%= command.id %> --stage prod --json' },
  ];

  static args = { name: Args.string({ description: 'The experiment (optional when only one is running).' }) };

  static flags = {
    ...edgeFlags,
    winner: Flags.string({ description: 'The variant that won (see sprout experiment results).' }),
    'dry-run': dryRunFlag,
  };

  async run() {
    const edge = await this.edge();
    const dryRun = Boolean(this.flags['dry-run']);
    const result = await stopExperiment(edge, { name: this.args.name, winner: this.flags.winner, dryRun });
    const last = result.document.history.at(-1);
    this.log(`${dryRun ? 'Dry run: would stop; nothing written.\n' : ''}${renderExperiment(result.experiment)}${last?.detail ? `\n${last.detail}.` : ''}`);
    return { location: edge.documentLocation, revision: result.document.revision, stable: result.document.stable, experiment: result.experiment, written: result.written, dryRun };
  }
}
