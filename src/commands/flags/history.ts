import { Args } from '@oclif/core';

import { SproutCommand } from '../../cli/base-command.js';
import { storeFlags, storeFor } from '../../cli/flag-store.js';
import type { HistoryEntry } from '../../feature-flags/store.js';
import { renderTable } from '../../ui/table.js';

export default class FlagsHistory extends SproutCommand<typeof FlagsHistory> {
  static summary = 'The versions of the flags, with who changed what and when, where the store keeps that.';

  static description = 'AppConfig: every hosted version (sprout records the command, the actor and the time in its description) and where it was deployed. local: the last 50 changes. lambda-env: the published versions, when an alias is used.';

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> new-checkout --stage prod --json'];

  static args = { key: Args.string({ description: 'Only the changes that mention this flag.' }) };

  static flags = { ...storeFlags };

  async run(): Promise<{ location: string; versions: HistoryEntry[] }> {
    const { store } = await storeFor(this.flags);
    const all = await store.history();
    const versions = this.args.key ? all.filter((v) => v.description?.includes(` ${this.args.key}`)) : all;
    this.log(
      versions.length
        ? renderTable(versions, [
            { header: 'VERSION', value: (v) => v.version },
            { header: 'WHEN', value: (v) => v.at ?? '' },
            { header: 'LIVE', value: (v) => v.deployed ?? '' },
            { header: 'CHANGE', value: (v) => v.description ?? '', shrink: true },
          ], process.stdout.columns)
        : `No history in ${store.location}.`,
    );
    return { location: store.location, versions };
  }
}
