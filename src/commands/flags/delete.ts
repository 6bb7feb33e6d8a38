import { Args, Flags } from '@oclif/core';

import { dryRunFlag } from '../../cli/base-command.js';
import { FlagChangeCommand } from '../../cli/flag-change.js';
import { storeFlags, writeFlags } from '../../cli/flag-store.js';
import { deleteFlag } from '../../feature-flags/edit.js';

export default class FlagsDelete extends FlagChangeCommand<typeof FlagsDelete> {
  static summary = 'Retire a flag: first mark it deprecated, then remove it with --force.';

  static description = 'Code that still reads a removed flag gets its default value; marking it deprecated first lets you find and remove those reads while the flag still works.';

  static examples = ['<%= config.bin %> <%= command.id %> old-banner', '<%= config.bin %> <%= command.id %> old-banner --force'];

  static args = { key: Args.string({ description: 'The flag.', required: true }) };

  static flags = {
    ...storeFlags,
    ...writeFlags,
    force: Flags.boolean({ description: 'Remove it from the document.' }),
    reason: Flags.string({ description: 'Why it is being retired (kept with the deprecation mark).' }),
    'dry-run': dryRunFlag,
  };

  async run() {
    return this.change((document) => deleteFlag(document, this.args.key, { force: this.flags.force === true, now: new Date(), reason: this.flags.reason }));
  }
}
