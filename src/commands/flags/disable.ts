import { Args } from '@oclif/core';

import { dryRunFlag } from '../../cli/base-command.js';
import { FlagChangeCommand } from '../../cli/flag-change.js';
import { storeFlags, writeFlags } from '../../cli/flag-store.js';
import { setFlag } from '../../feature-flags/edit.js';

export default class FlagsDisable extends FlagChangeCommand<typeof FlagsDisable> {
  static summary = 'Turn a flag off: everyone gets its off variant, in seconds.';

  static examples = ['<%= config.bin %> <%= command.id %> new-checkout', '<%= config.bin %> <%= command.id %> new-checkout --stage prod --wait --json'];

  static args = { key: Args.string({ description: 'The flag.', required: true }) };

  static flags = { ...storeFlags, ...writeFlags, 'dry-run': dryRunFlag };

  async run() {
    return this.change((document) => setFlag(document, this.args.key, { enabled: false }));
  }
}
