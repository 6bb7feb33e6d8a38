import { Args, Flags } from '@oclif/core';

import { EdgeCommand, edgeFlags } from '../../cli/edge.js';
import { UsageError } from '../../core/errors.js';
import { gatherCounts } from '../../edge/experiment-service.js';

export default class ExperimentResults extends EdgeCommand<typeof ExperimentResults> {
  static summary = 'Did B win? Rates with intervals, lift, p-values, a sample ratio check and a verdict.';

  static description = `Counts come from the router's exposures (one per viewer and variant, from every region Lambda@Edge ran in) and the backend's conversions, from the experiment's start until it stopped or now. For each variant: exposures, conversions, the rate with its Wilson interval, the lift over the control with its interval and the p-value (two-proportion z-test; chi-square across more than two variants, pairwise p-values Bonferroni-corrected). A sample ratio mismatch (chi-square of exposures against the weights, p < 0.001) marks the results untrustworthy, and no winner is called before every variant reaches its minimum sample. --json returns every number.`;

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> checkout-button --confidence 0.99 --stage prod --json'];

  static args = { name: Args.string({ description: 'The experiment (optional when the stage has one running, or only one).' }) };

  static flags = {
    ...edgeFlags,
    confidence: Flags.string({ description: 'Confidence level of the intervals and the verdict, between 0.5 and 0.999.', default: '0.95' }),
  };

  async run() {
    const confidence = Number(this.flags.confidence);
    if (!(confidence >= 0.5 && confidence <= 0.999)) throw new UsageError('BAD_CONFIDENCE', `--confidence ${this.flags.confidence}: give a level between 0.5 and 0.999, such as 0.95.`);
    const edge = await this.edge();
    const gathered = await gatherCounts(edge, this.args.name);
    const [{ analyze }, { renderAnalysis }] = await Promise.all([import('../../experiments/analysis.js'), import('../../experiments/render.js')]);
    const { experiment } = gathered;
    const analysis = analyze({
      variants: experiment.variants.map((v) => ({ name: v.name, weight: v.weight, ...(gathered.counts.get(v.name) ?? { exposures: 0, conversions: 0 }) })),
      minSample: experiment.minSample,
      confidence,
    });
    const window = { from: gathered.window.from.toISOString(), to: gathered.window.to.toISOString() };
    this.log(`${experiment.name} (${experiment.state}), metric ${experiment.metric}, ${window.from} – ${window.to}\nFrom ${gathered.source}\n\n${renderAnalysis(analysis, { width: process.stdout.columns })}`);
    return { experiment, window, source: gathered.source, analysis };
  }
}
