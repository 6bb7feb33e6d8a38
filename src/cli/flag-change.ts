import type { Command } from '@oclif/core';

import { SproutError } from '../core/errors.js';
import { ExitCode } from '../core/exit-codes.js';
import { reachesNobody } from '../feature-flags/edit.js';
import { type ChangeResult, changeFlags, rolledBack, stillDeploying } from '../feature-flags/flags.js';
import type { FlagDocument } from '../runtime/flags/model.js';
import { SproutCommand } from './base-command.js';
import { storeFor } from './flag-store.js';

interface ChangeFlagsInput {
  stage?: string;
  profile?: string;
  service?: string;
  function?: string[];
  strategy?: string;
  wait?: boolean;
  'dry-run'?: boolean;
}

/**
 * What every writing `sprout flags` command does around its edit: open the stage's store, apply
 * the edit conditionally, print the changes, and map the deployment's state to the exit code
 * (69 still deploying, 1 rolled back).
 */
export abstract class FlagChangeCommand<T extends typeof Command> extends SproutCommand<T> {
  protected async change(edit: (document: FlagDocument) => FlagDocument, key?: string): Promise<ChangeResult & { stage: string }> {
    const flags = this.flags as ChangeFlagsInput;
    const { store, stage } = await storeFor(flags);
    const typed = `sprout ${this.id?.replaceAll(':', ' ')} ${this.argv.join(' ')}`.trim();
    let edited: FlagDocument | undefined;
    const result = await changeFlags(store, (document) => (edited = edit(document)), { command: typed, dryRun: flags['dry-run'] === true, strategy: flags.strategy, wait: flags.wait === true, now: new Date() });
    const flag = key ? edited?.flags[key] : undefined;
    if (flag && reachesNobody(flag)) {
      this.warn(`${key} is on but still serves off to everyone: give it --percent, --target or --rule (--percent 100 turns it on for everyone).`);
    }
    const header = result.dryRun ? `Dry run: would change ${result.location}:` : result.changes.length ? `Changed ${result.location}:` : `Nothing to change in ${result.location}.`;
    this.log([header, ...result.changes.map((line) => `  ${line}`)].join('\n'));
    const { deployment } = result;
    if (result.version) {
      this.log(`Version ${result.version}${deployment ? `, deployment ${deployment.id}: ${deployment.state}${deployment.percentage !== undefined ? ` (${deployment.percentage}%)` : ''}` : ''}`);
    }
    if (rolledBack(deployment)) {
      throw new SproutError('DEPLOYMENT_ROLLED_BACK', `Version ${result.version} was saved but its deployment ended ${deployment!.state}: the change is not live.`, {
        details: { ...result },
        suggestions: ["Check the environment's CloudWatch alarms, then try again; sprout flags history shows the deployments."],
      });
    }
    if (stillDeploying(deployment)) {
      this.warn(`The deployment is still rolling out${deployment!.strategy ? ` (${deployment!.strategy})` : ''}; pass --wait to follow it to the end.`);
      this.exitStatus = ExitCode.inProgress;
    }
    return { ...result, stage };
  }
}
