import { dryRunFlag } from '../../cli/base-command.js';
import { edgeFlags } from '../../cli/edge.js';
import { RolloutCommand } from '../../cli/rollout.js';
import { SproutError } from '../../core/errors.js';
import { ExitCode } from '../../core/exit-codes.js';
import { advance } from '../../edge/service.js';

export default class RolloutAdvance extends RolloutCommand<typeof RolloutAdvance> {
  static summary = 'Move the rollout one step on, only if its gates pass.';

  static description = `The gates are judged over the current step so far. Pass: the next step's share (reaching 100% makes the candidate the stable release), exit 0. Fail: the rollout is aborted at once and the candidate gets no traffic, exit 1. Inconclusive (too few requests, an alarm with insufficient data): the rollout is paused for a person, exit 69. Calling it on a schedule in CI moves the plan forward without a process that watches.`;

  static examples = [
    '<%= config.bin %> <%= command.id %>',
    { description: 'From a CI schedule', command: '<%= config.bin %> <%= command.id %> --stage prod --json' },
  ];

  static flags = { ...edgeFlags, 'dry-run': dryRunFlag };

  async run() {
    const edge = await this.edge();
    const result = await advance(edge, { dryRun: this.flags['dry-run'] });
    const status = await this.report(result, this.flags['dry-run'], 'advance', result.verdict);
    const outcome = { ...status, action: result.action };
    if (result.action === 'aborted') {
      throw new SproutError('GATE_FAILED', `A gate failed, so the rollout ${this.flags['dry-run'] ? 'would be' : 'was'} aborted: ${result.verdict.summary} (window ${result.verdict.window.from} – ${result.verdict.window.to}).`, {
        details: outcome,
        suggestions: ['The candidate gets no traffic now. Fix it, then sprout release create and sprout rollout start.'],
      });
    }
    if (result.action === 'paused') {
      this.warn(`Not advanced: ${result.verdict.summary}. The rollout is paused; sprout rollout resume lets traffic build up, sprout rollout promote moves on regardless.`);
      this.exitStatus = ExitCode.inProgress;
    }
    return outcome;
  }
}
