import { dryRunFlag, SproutCommand } from '../../cli/base-command.js';
import { storeFlags, storeFor, writeFlags } from '../../cli/flag-store.js';
import { ExitCode } from '../../core/exit-codes.js';
import { actor, stillDeploying } from '../../feature-flags/flags.js';
import type { RollbackResult } from '../../feature-flags/store.js';

export default class FlagsRollback extends SproutCommand<typeof FlagsRollback> {
  static summary = 'Go back to the flags before the last change.';

  static description = 'AppConfig: a deployment still rolling out is stopped (AppConfig rolls it back); one completed in the last 72 hours is reverted; an older one is replaced by deploying the previous version. local: the previous document. lambda-env: the alias goes back one version.';

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --stage prod --wait --json'];

  static flags = { ...storeFlags, wait: writeFlags.wait, 'dry-run': dryRunFlag };

  async run(): Promise<RollbackResult | { dryRun: true; location: string }> {
    const { store } = await storeFor(this.flags);
    if (this.flags['dry-run']) {
      this.log(`Dry run: would roll back ${store.location}.`);
      return { dryRun: true, location: store.location };
    }
    const result = await store.rollback({ wait: this.flags.wait === true, description: `sprout flags rollback · by ${actor()} · ${new Date().toISOString()}` });
    this.log(`${result.action.replaceAll('-', ' ')}: version ${result.version}${result.deployment ? `, deployment ${result.deployment.id} ${result.deployment.state}` : ''}`);
    if (stillDeploying(result.deployment)) this.exitStatus = ExitCode.inProgress;
    return result;
  }
}
