import { Args, Flags } from '@oclif/core';

import { dryRunFlag } from '../../cli/base-command.js';
import { EdgeCommand, edgeFlags } from '../../cli/edge.js';
import { startExperiment } from '../../edge/experiment-service.js';
import { renderExperiment } from '../../edge/experiment-status.js';
import { parseVariants } from '../../edge/inputs.js';
import { EXPERIMENT_METRICS } from '../../runtime/experiments/conversions.js';

export const DEFAULT_MIN_SAMPLE = 1000;

export default class ExperimentStart extends EdgeCommand<typeof ExperimentStart> {
  static summary = 'Start an A/B test at the edge: split viewers between variants, sticky, and count exposures.';

  static description = `Each viewer gets one variant, chosen by a hash of its id cookie with the experiment's own salt: it keeps that variant for the whole experiment (nobody is reshuffled), and its variant is independent of any rollout running at the same time. A variant is a release (sprout release list), "stable" (what the viewer gets without the experiment, rollout included) or an origin's domain name (an API variant). The router counts one exposure per viewer and variant and gives the page a sprout-x-<name> cookie; the backend records conversions with the project's conversion helper. Read the verdict with sprout experiment results.

Experiments need the router from this version of sprout: deploy the stage (sprout deploy) before the first one.`;

  static examples = [
    { description: 'Half of the viewers of the checkout pages get a new release', command: '<%= config.bin %> <%= command.id %> checkout-button --variants control=stable:50,b=r-3f9a1c0d2b4e:50 --paths "/checkout/*"' },
    { description: 'Three variants, even split, the whole site, in CI', command: '<%= config.bin %> <%= command.id %> pricing --variants control=stable,b=r-3f9a1c0d2b4e,c=r-77aa0c1d9e2f --min-sample 5000 --stage prod --json' },
  ];

  static args = { name: Args.string({ description: 'The experiment\'s name (lowercase letters, digits, dashes): its metrics are recorded under it.', required: true }) };

  static flags = {
    ...edgeFlags,
    variants: Flags.string({ description: 'name=target[:weight%],… the first is the control. Without weights, an even split.', required: true }),
    paths: Flags.string({ description: 'Comma-separated path patterns it applies to: /*, /checkout/*, /pricing.', default: '/*' }),
    metric: Flags.string({ description: 'The primary metric: the conversion name the backend records.', default: EXPERIMENT_METRICS.defaultMetric }),
    'min-sample': Flags.integer({ description: 'Exposures each variant needs before a winner can be called.', default: DEFAULT_MIN_SAMPLE, min: 1 }),
    'dry-run': dryRunFlag,
  };

  async run() {
    const edge = await this.edge();
    const dryRun = Boolean(this.flags['dry-run']);
    const result = await startExperiment(edge, {
      name: this.args.name,
      paths: this.flags.paths.split(',').map((p) => p.trim()).filter(Boolean),
      variants: parseVariants(this.flags.variants),
      metric: this.flags.metric,
      minSample: this.flags['min-sample'],
      dryRun,
    });
    this.log(`${dryRun ? 'Dry run: would start; nothing written.\n' : ''}${renderExperiment(result.experiment)}\nIn ${edge.documentLocation}: new viewers get their variant within the router's cache time.`);
    return { location: edge.documentLocation, revision: result.document.revision, experiment: result.experiment, written: result.written, dryRun };
  }
}
