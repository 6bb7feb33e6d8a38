import { Args, Flags } from '@oclif/core';

import { EdgeCommand, edgeFlags } from '../../cli/edge.js';
import { PreconditionError } from '../../core/errors.js';
import { findExperiment } from '../../edge/experiments.js';
import { parseRates } from '../../edge/inputs.js';
import { readDocument } from '../../edge/service.js';

export default class ExperimentSimulate extends EdgeCommand<typeof ExperimentSimulate> {
  static summary = 'On the local stage: send simulated viewers through the real edge router and record conversions.';

  static description = `Each simulated viewer requests a page under the experiment's paths through the project's edge router (the code Lambda@Edge runs), keeps the cookies it gets like a browser, and converts at the --rates of its variant. The router's exposures and the conversions are appended to .sprout/local/edge-metrics.jsonl, which sprout experiment results reads. Only for the local stage: it tries the whole flow without an AWS account.`;

  static examples = ['<%= config.bin %> <%= command.id %> checkout-button --viewers 20000 --rates control=10%,b=12%'];

  static args = { name: Args.string({ description: 'The experiment (optional when only one is running).' }) };

  static flags = {
    ...edgeFlags,
    viewers: Flags.integer({ description: 'How many distinct viewers.', default: 10_000, min: 1, max: 1_000_000 }),
    rates: Flags.string({ description: 'Conversion rate of each variant: name=rate,… (10% or 0.10).', required: true }),
    pages: Flags.integer({ description: 'Pages each viewer requests (exposures still count once per viewer).', default: 2, min: 1, max: 20 }),
    seed: Flags.integer({ description: 'The random seed: the same seed gives the same traffic.', default: 1 }),
  };

  async run() {
    const edge = await this.edge();
    if (edge.stage !== 'local') {
      throw new PreconditionError('LOCAL_ONLY', `sprout experiment simulate writes the local stage's metrics; stage ${edge.stage} has real traffic.`, { suggestions: ['Run it without --stage (or with --stage local).'] });
    }
    const experiment = findExperiment(await readDocument(edge), this.args.name, 'running');
    const rates = parseRates(this.flags.rates);
    const unknown = [...rates.keys()].filter((name) => !experiment.variants.some((v) => v.name === name));
    if (unknown.length) throw new PreconditionError('UNKNOWN_VARIANT', `--rates names ${unknown.join(', ')}, not variants of ${experiment.name} (${experiment.variants.map((v) => v.name).join(', ')}).`);
    const { simulateTraffic } = await import('../../edge/experiment-simulation.js');
    const project = await this.project();
    const result = await simulateTraffic({ root: project.root, stage: edge.stage, experiment, viewers: this.flags.viewers, rates, pagesPerViewer: this.flags.pages, seed: this.flags.seed, now: () => edge.now().getTime() });
    const variants = Object.fromEntries(result.variants);
    this.log(
      [
        `${result.requests.toLocaleString('en-US')} requests from ${this.flags.viewers.toLocaleString('en-US')} viewers through the edge router, recorded in ${result.file}:`,
        ...[...result.variants].map(([name, c]) => `  ${name}: ${c.viewers.toLocaleString('en-US')} viewers, ${c.conversions.toLocaleString('en-US')} conversions`),
        'Now: sprout experiment results',
      ].join('\n'),
    );
    return { experiment: experiment.name, requests: result.requests, file: result.file, variants };
  }
}
