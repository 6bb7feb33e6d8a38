import { Flags } from '@oclif/core';

import { EdgeCommand, edgeFlags } from '../../cli/edge.js';
import { parseDuration } from '../../edge/inputs.js';
import { liveRollout } from '../../edge/rollout.js';
import { judgeStep, readDocument } from '../../edge/service.js';
import { exitCodeOf, renderStatus, type RolloutStatus, statusOf } from '../../edge/status.js';
import { ExitCode } from '../../core/exit-codes.js';

export default class RolloutStatusCommand extends EdgeCommand<typeof RolloutStatusCommand> {
  static summary = 'Where the rollout stands: the step, the split, time in the step, the gates\' verdict and the history.';

  static description = `Exit codes: 0 when nothing is in progress (no rollout, or it completed), 1 when it was aborted or its gates fail now, 69 while it is running or paused. With --watch it looks again every few seconds until the rollout ends or --timeout passes (then 69). It only observes: sprout rollout start --watch or sprout rollout advance move the plan.`;

  static examples = [
    '<%= config.bin %> <%= command.id %>',
    { description: 'In CI: wait up to an hour for the rollout to finish', command: '<%= config.bin %> <%= command.id %> --stage prod --watch --timeout 1h --json' },
  ];

  static flags = {
    ...edgeFlags,
    watch: Flags.boolean({ description: 'Keep looking until the rollout completes or is aborted.' }),
    timeout: Flags.string({ description: 'With --watch: give up after this long (90s, 10m, 1h) with exit 69. Default: no limit.' }),
    every: Flags.integer({ description: 'With --watch: seconds between two looks.', default: 15, min: 1 }),
    history: Flags.integer({ description: 'How many history entries to print (--json has them all).', default: 10, min: 0 }),
  };

  async run(): Promise<RolloutStatus> {
    const edge = await this.edge();
    const deadline = this.flags.timeout ? edge.now().getTime() + parseDuration(this.flags.timeout, '--timeout') * 1000 : Number.POSITIVE_INFINITY;
    let status = await this.look();
    while (this.flags.watch && (status.health === 'progressing' || status.health === 'paused') && edge.now().getTime() < deadline) {
      this.reporter.info(`${status.health}: ${status.rollout?.weights.candidate}% on ${status.rollout?.candidate}${status.verdict ? `; gates ${status.verdict.result}` : ''}`);
      await edge.sleep(Math.min(this.flags.every * 1000, Math.max(1000, deadline - edge.now().getTime())));
      status = await this.look();
    }
    this.log(renderStatus(status, { historyLines: this.flags.history }));
    this.exitStatus = exitCodeOf(status.health);
    if (this.flags.watch && this.exitStatus === ExitCode.inProgress) this.warn(`Still ${status.health} when the --timeout ran out.`);
    return status;
  }

  private async look(): Promise<RolloutStatus> {
    const edge = await this.edge();
    const document = await readDocument(edge);
    const live = liveRollout(document);
    const verdict = live ? await judgeStep(edge, live) : undefined;
    return statusOf(document, edge.documentLocation, edge.now(), verdict);
  }
}
