import { Args, Flags } from '@oclif/core';

import { SproutCommand } from '../../cli/base-command.js';
import { storeFlags, storeFor } from '../../cli/flag-store.js';
import { existing } from '../../feature-flags/edit.js';
import { parseContext } from '../../feature-flags/describe.js';
import { evaluateFlag } from '../../runtime/flags/evaluate.js';

export default class FlagsEval extends SproutCommand<typeof FlagsEval> {
  static summary = 'Evaluate a flag for a context, with the same code the functions run: the variant, the reason and the rule.';

  static examples = [
    '<%= config.bin %> <%= command.id %> new-checkout --context targetingKey=user-42',
    '<%= config.bin %> <%= command.id %> new-checkout --context targetingKey=user-42,country=DE,appVersion=2.3.0 --json',
  ];

  static args = { key: Args.string({ description: 'The flag.', required: true }) };

  static flags = {
    ...storeFlags,
    context: Flags.string({ char: 'c', description: 'The evaluation context as key=value,… (targetingKey is what splits and targets use).' }),
  };

  async run() {
    const { store } = await storeFor(this.flags);
    const { document, version } = await store.read();
    const flag = existing(document, this.args.key);
    const context = parseContext(this.flags.context ?? '');
    const fallback = flag.type === 'boolean' ? false : flag.type === 'number' ? 0 : '';
    const resolution = evaluateFlag(document, this.args.key, fallback, context);
    this.log(
      `${this.args.key} = ${JSON.stringify(resolution.value)}${resolution.variant ? ` (variant ${resolution.variant})` : ''} · ${resolution.reason}` +
        `${resolution.rule ? ` · rule: ${resolution.rule}` : ''}${resolution.errorCode ? ` · ${resolution.errorCode}${resolution.errorMessage ? `: ${resolution.errorMessage}` : ''}` : ''}`,
    );
    return { key: this.args.key, version, context, ...resolution };
  }
}
