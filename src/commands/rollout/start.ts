import { Args, Flags } from '@oclif/core';

import { dryRunFlag } from '../../cli/base-command.js';
import { edgeFlags } from '../../cli/edge.js';
import { RolloutCommand } from '../../cli/rollout.js';
import { DEFAULT_INTERVAL_SECONDS, DEFAULT_MAX_ERROR_RATE, DEFAULT_MIN_REQUESTS, DEFAULT_STEPS, parseDuration, parseRate, parseSteps } from '../../edge/inputs.js';
import { readDocument, startRollout } from '../../edge/service.js';
import { PreconditionError } from '../../core/errors.js';
import { DEFAULT_TICK_SECONDS } from '../../edge/watch.js';

export default class RolloutStart extends RolloutCommand<typeof RolloutStart> {
  static summary = 'Start sending a share of viewers to a release, step by step, behind gates.';

  static description = `The candidate gets the first step's share of viewers at once (within the router's cache time, 10 s by default), chosen by a hash of each viewer's id cookie: the same viewer keeps the same release, and raising the share never moves anyone back.

Each step lasts --interval. A step passes when every --alarm is OK and the candidate's 5xx rate is at most --max-error-rate once --min-requests requests were seen; with fewer, the verdict is inconclusive and the rollout pauses instead of failing. With --watch this command drives the plan and rolls back by itself when a gate fails; without it, run sprout rollout advance (by hand or on a CI schedule) to move on. Ctrl-C stops the watching, not the rollout: sprout rollout resume --watch picks it up again.`;

  static examples = [
    { description: 'Roll out with the default plan (5, 25, 50, 100% every 10 minutes) and drive it here', command: '<%= config.bin %> <%= command.id %> r-3f9a1c0d2b4e --watch' },
    { description: 'Three steps, gated on an alarm, in CI', command: '<%= config.bin %> <%= command.id %> r-3f9a1c0d2b4e --steps 10,50,100 --interval 30m --alarm checkout-errors --stage prod --json' },
    { description: 'The newest release', command: '<%= config.bin %> <%= command.id %> latest --steps 10,50,100' },
  ];

  static args = { release: Args.string({ description: 'The release id (sprout release list), or "latest".', required: true }) };

  static flags = {
    ...edgeFlags,
    steps: Flags.string({ description: `The candidate's share at each step, in percent, rising to 100. Default: ${DEFAULT_STEPS.join(',')}.` }),
    interval: Flags.string({ description: `How long each step lasts (90s, 10m, 1h). Default: ${DEFAULT_INTERVAL_SECONDS / 60}m.` }),
    'max-error-rate': Flags.string({ description: `The candidate's highest acceptable share of 5xx origin responses. Default: ${DEFAULT_MAX_ERROR_RATE * 100}%.` }),
    'min-requests': Flags.integer({ description: `Candidate requests needed in a step before its error rate is judged. Default: ${DEFAULT_MIN_REQUESTS}.`, min: 0 }),
    alarm: Flags.string({ description: 'A CloudWatch alarm (in the stage\'s region) that must be OK (repeatable).', multiple: true }),
    watch: Flags.boolean({ description: 'Drive the whole plan here, rolling back by itself when a gate fails.' }),
    tick: Flags.integer({ description: `With --watch: seconds between two looks at the gates. Default: ${DEFAULT_TICK_SECONDS}.`, min: 1, hidden: true }),
    'dry-run': dryRunFlag,
  };

  async run() {
    const edge = await this.edge();
    const dryRun = this.flags['dry-run'];
    const candidate = this.args.release === 'latest' ? await latestRelease(edge) : this.args.release;
    const result = await startRollout(edge, {
      candidate,
      steps: this.flags.steps ? parseSteps(this.flags.steps) : DEFAULT_STEPS,
      intervalSeconds: this.flags.interval ? parseDuration(this.flags.interval, '--interval') : DEFAULT_INTERVAL_SECONDS,
      gates: {
        maxErrorRate: this.flags['max-error-rate'] ? parseRate(this.flags['max-error-rate'], '--max-error-rate') : DEFAULT_MAX_ERROR_RATE,
        minRequests: this.flags['min-requests'] ?? DEFAULT_MIN_REQUESTS,
        alarms: this.flags.alarm ?? [],
      },
      dryRun,
    });
    const started = await this.report(result, dryRun, 'start the rollout');
    if (!this.flags.watch || dryRun) return started;
    return { ...(await this.watch(this.flags.tick)), written: true, dryRun };
  }
}

async function latestRelease(edge: Parameters<typeof readDocument>[0]): Promise<string> {
  const newest = (await readDocument(edge)).releases.at(-1);
  if (!newest) throw new PreconditionError('NO_RELEASES', `There are no releases in stage ${edge.stage} yet.`, { suggestions: ['Upload one: sprout release create.'] });
  return newest.id;
}
