import { Args } from '@oclif/core';

import { SproutCommand } from '../../cli/base-command.js';
import { storeFlags, storeFor } from '../../cli/flag-store.js';
import { describeSplit, describeTargeting } from '../../feature-flags/describe.js';
import { existing } from '../../feature-flags/edit.js';
import type { Flag } from '../../runtime/flags/model.js';

export default class FlagsGet extends SproutCommand<typeof FlagsGet> {
  static summary = 'Show one flag in full.';

  static examples = ['<%= config.bin %> <%= command.id %> new-checkout', '<%= config.bin %> <%= command.id %> new-checkout --stage prod --json'];

  static args = { key: Args.string({ description: 'The flag.', required: true }) };

  static flags = { ...storeFlags };

  async run(): Promise<{ key: string; version: string; flag: Flag }> {
    const { store } = await storeFor(this.flags);
    const { document, version } = await store.read();
    const flag = existing(document, this.args.key);
    this.log(
      [
        `${this.args.key} (${flag.type}) · ${flag.deprecated ? `deprecated since ${flag.deprecated.since}` : flag.enabled ? 'on' : 'off'} · version ${version} of ${store.location}`,
        ...(flag.description ? [flag.description] : []),
        `Variants: ${Object.entries(flag.variants).map(([name, value]) => `${name}=${JSON.stringify(value)}`).join(', ')} (default ${flag.defaultVariant}, off ${flag.offVariant})`,
        `Split: ${describeSplit(flag) || 'none'}`,
        `Targeting: ${describeTargeting(flag) || 'none'}`,
        ...(flag.rules ?? []).map((rule, i) => `Rule ${i + 1}: ${rule.description ?? `${rule.conditions.map((c) => `${c.attribute} ${c.op} ${JSON.stringify(c.value)}`).join(' and ')} => ${rule.variant}`}`),
      ].join('\n'),
    );
    return { key: this.args.key, version, flag };
  }
}
