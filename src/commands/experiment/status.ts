import { Args } from '@oclif/core';

import { EdgeCommand, edgeFlags } from '../../cli/edge.js';
import { findExperiment } from '../../edge/experiments.js';
import { renderExperiment } from '../../edge/experiment-status.js';
import { readDocument } from '../../edge/service.js';

export default class ExperimentStatus extends EdgeCommand<typeof ExperimentStatus> {
  static summary = 'The experiments of a stage: running or stopped, paths, variants, weights and winners.';

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> checkout-button --stage prod --json'];

  static args = { name: Args.string({ description: 'Only this experiment.' }) };

  static flags = { ...edgeFlags };

  async run() {
    const edge = await this.edge();
    const document = await readDocument(edge);
    const experiments = this.args.name ? [findExperiment(document, this.args.name)] : [...(document.experiments ?? [])].reverse();
    this.log(
      experiments.length
        ? [`Stage ${document.stage}: ${edge.documentLocation} (revision ${document.revision})`, ...experiments.map(renderExperiment)].join('\n\n')
        : `No experiments in ${edge.documentLocation} yet: sprout experiment start <name> --variants control=stable:50,b=<release>:50 starts one.`,
    );
    return { location: edge.documentLocation, revision: document.revision, stable: document.stable, experiments };
  }
}
