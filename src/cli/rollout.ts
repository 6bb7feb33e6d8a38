import type { Command } from '@oclif/core';

import { SproutError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import type { Verdict } from '../edge/gates.js';
import type { Written } from '../edge/service.js';
import { exitCodeOf, renderStatus, type RolloutStatus, statusOf } from '../edge/status.js';
import { watchPlan } from '../edge/watch.js';
import { listrTaskRunner } from '../ui/tasks.js';
import { EdgeCommand } from './edge.js';

/** What the writing `sprout rollout` commands share: print the new state, drive it with --watch. */
export abstract class RolloutCommand<T extends typeof Command> extends EdgeCommand<T> {
  protected async report(result: Written, dryRun: boolean, verb: string, verdict?: Verdict): Promise<RolloutStatus & { written: boolean; dryRun: boolean }> {
    const edge = await this.edge();
    const status = statusOf(result.document, edge.documentLocation, edge.now(), verdict);
    const prefix = dryRun ? `Dry run: would ${verb}; nothing written.\n` : result.written ? '' : `Nothing to ${verb}: it is already so.\n`;
    this.log(`${prefix}${renderStatus(status, { historyLines: 5 })}`);
    return { ...status, written: result.written, dryRun };
  }

  /** --watch: drives the remaining steps; exit 1 when it rolled back, 69 when it paused. */
  protected async watch(tickSeconds?: number): Promise<RolloutStatus> {
    const edge = await this.edge();
    const animated = !this.jsonEnabled() && Boolean(process.stderr.isTTY) && !process.env.CI;
    const outcome = await watchPlan(edge, listrTaskRunner({ animated }), { ...(tickSeconds ? { tickSeconds } : {}) });
    const status = statusOf(outcome.document, edge.documentLocation, edge.now(), outcome.end && 'verdict' in outcome.end ? outcome.end.verdict : undefined);
    this.log(renderStatus(status, { historyLines: 5 }));
    const code = exitCodeOf(status.health);
    if (code === ExitCode.failure) {
      throw new SproutError('ROLLOUT_ABORTED', `The rollout of ${status.rollout?.candidate} was aborted: ${status.rollout?.reason ?? ''}`.trim(), {
        details: { status },
        suggestions: ['Fix the release and start a new rollout: sprout release create && sprout rollout start <release>.'],
      });
    }
    this.exitStatus = code;
    return status;
  }
}
