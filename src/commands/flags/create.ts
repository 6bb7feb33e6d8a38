import { Args, Flags } from '@oclif/core';

import { dryRunFlag } from '../../cli/base-command.js';
import { FlagChangeCommand } from '../../cli/flag-change.js';
import { storeFlags, writeFlags } from '../../cli/flag-store.js';
import { createFlag } from '../../feature-flags/edit.js';

export default class FlagsCreate extends FlagChangeCommand<typeof FlagsCreate> {
  static summary = 'Create a feature flag (off until you turn it on).';

  static examples = [
    '<%= config.bin %> <%= command.id %> new-checkout --description "One-page checkout"',
    { description: 'A string flag with variants', command: '<%= config.bin %> <%= command.id %> button-colour --type string --variant control=blue --variant treatment=green' },
    '<%= config.bin %> <%= command.id %> page-size --type number --variant small=10 --variant large=50 --default-variant small --stage dev',
  ];

  static args = { key: Args.string({ description: 'The flag key: a lower-case letter, then letters, digits, - and _.', required: true }) };

  static flags = {
    ...storeFlags,
    ...writeFlags,
    type: Flags.string({ description: 'The value type.', options: ['boolean', 'string', 'number'], default: 'boolean' }),
    description: Flags.string({ description: 'What the flag is for.' }),
    variant: Flags.string({ description: 'string/number flags: a variant as name=value (repeatable).', multiple: true }),
    'default-variant': Flags.string({ description: 'Served when on and nothing else decides. Default: the first variant (off for boolean flags).' }),
    'off-variant': Flags.string({ description: 'Served when the flag is off. Default: the default variant.' }),
    'dry-run': dryRunFlag,
  };

  async run() {
    return this.change((document) =>
      createFlag(document, {
        key: this.args.key,
        type: this.flags.type as 'boolean' | 'string' | 'number',
        description: this.flags.description,
        variants: this.flags.variant,
        defaultVariant: this.flags['default-variant'],
        offVariant: this.flags['off-variant'],
      }),
    );
  }
}
