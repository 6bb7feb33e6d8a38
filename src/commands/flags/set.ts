import { Args, Flags } from '@oclif/core';

import { dryRunFlag } from '../../cli/base-command.js';
import { FlagChangeCommand } from '../../cli/flag-change.js';
import { storeFlags, writeFlags } from '../../cli/flag-store.js';
import { setFlag } from '../../feature-flags/edit.js';

export default class FlagsSet extends FlagChangeCommand<typeof FlagsSet> {
  static summary = 'Change a flag: on or off, a percentage or split, targets, rules.';

  static description = `Rules are "<attribute> <operator> <value> [and …] => <variant>", tried in order; operators: equals, not-equals, in, not-in, starts-with, ends-with, gt, gte, lt, lte, semver-eq, semver-gt, semver-gte, semver-lt, semver-lte. A percentage is sticky per targeting key, and raising it never takes the feature away from anyone who had it.`;

  static examples = [
    { description: 'On for 25% of users', command: '<%= config.bin %> <%= command.id %> new-checkout --on --percent 25' },
    { description: 'Always on for two testers', command: '<%= config.bin %> <%= command.id %> new-checkout --target alice=on --target bob=on' },
    { description: 'A rule', command: '<%= config.bin %> <%= command.id %> new-checkout --rule "country in DE,AT => on" --rule "appVersion semver-lt 2.0.0 => off"' },
    { description: 'A three-way split, on AppConfig with a gradual deployment', command: '<%= config.bin %> <%= command.id %> button-colour --split control=50,green=25,red=25 --stage prod --strategy AppConfig.Canary10Percent20Minutes --wait' },
    { description: 'See the change without writing it', command: '<%= config.bin %> <%= command.id %> new-checkout --percent 50 --dry-run' },
  ];

  static args = { key: Args.string({ description: 'The flag to change.', required: true }) };

  static flags = {
    ...storeFlags,
    ...writeFlags,
    on: Flags.boolean({ description: 'Turn it on.', exclusive: ['off'] }),
    off: Flags.boolean({ description: 'Turn it off: everyone gets the off variant.', exclusive: ['on'] }),
    percent: Flags.string({ description: 'Boolean flags: the share of users who get on (0–100, two decimals at most).', exclusive: ['split'] }),
    split: Flags.string({ description: 'variant=percent,… (the rest gets the default variant).', exclusive: ['percent'] }),
    target: Flags.string({ description: 'key=variant: this targeting key always gets that variant (repeatable).', multiple: true }),
    untarget: Flags.string({ description: 'Remove a targeting key from the lists (repeatable).', multiple: true }),
    rule: Flags.string({ description: 'A rule (repeatable, in order); replaces the current rules.', multiple: true }),
    'clear-rules': Flags.boolean({ description: 'Remove every rule.' }),
    'default-variant': Flags.string({ description: 'The variant served when on and nothing else decides.' }),
    description: Flags.string({ description: 'What the flag is for.' }),
    'dry-run': dryRunFlag,
  };

  async run() {
    const percent = this.flags.percent === undefined ? undefined : Number(this.flags.percent.replace(/%$/, ''));
    return this.change((document) =>
      setFlag(document, this.args.key, {
        enabled: this.flags.on ? true : this.flags.off ? false : undefined,
        percent,
        split: this.flags.split,
        targets: this.flags.target,
        untarget: this.flags.untarget,
        rules: this.flags.rule,
        clearRules: this.flags['clear-rules'],
        description: this.flags.description,
        defaultVariant: this.flags['default-variant'],
      }),
      this.args.key,
    );
  }
}
