import { SproutCommand } from '../../cli/base-command.js';
import { storeFlags, storeFor } from '../../cli/flag-store.js';
import { describeSplit, describeTargeting } from '../../feature-flags/describe.js';
import type { Flag } from '../../runtime/flags/model.js';
import { renderTable } from '../../ui/table.js';

export default class FlagsList extends SproutCommand<typeof FlagsList> {
  static summary = 'List the flags of a stage: state, split and targeting, and which version is live.';

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --stage prod --json'];

  static flags = { ...storeFlags };

  async run(): Promise<{ stage: string; store: string; location: string; version: string; deployed?: string; flags: Array<{ key: string } & Flag> }> {
    const { store, stage } = await storeFor(this.flags);
    const [{ document, version }, deployed] = await Promise.all([store.read(), store.deployed()]);
    const flags = Object.entries(document.flags).map(([key, flag]) => ({ key, ...flag }));
    this.log(`${store.location} · version ${version}${deployed ? ` · live: ${deployed}` : ''}\n`);
    this.log(
      flags.length
        ? renderTable(flags, [
            { header: 'KEY', value: (f) => f.key },
            { header: 'STATE', value: (f) => (f.deprecated ? 'deprecated' : f.enabled ? 'on' : 'off') },
            { header: 'TYPE', value: (f) => f.type },
            { header: 'SPLIT', value: (f) => describeSplit(f) },
            { header: 'TARGETING', value: (f) => describeTargeting(f), shrink: true },
          ], process.stdout.columns)
        : 'No flags yet. Create one: sprout flags create <key>',
    );
    return { stage, store: store.kind, location: store.location, version, ...(deployed ? { deployed } : {}), flags };
  }
}
