import { Args } from '@oclif/core';

import { findPattern, loadCatalog } from '../../catalog/catalog.js';
import type { TemplateManifest, TemplateOption } from '../../catalog/schema.js';
import { renderDiagram } from '../../ui/diagram.js';
import { renderTable } from '../../ui/table.js';
import { SproutCommand } from '../../cli/base-command.js';

export default class PatternsShow extends SproutCommand<typeof PatternsShow> {
  static summary = 'Show a pattern: what it is, when to use it, its options and its architecture diagram.';

  static examples = [
    '<%= config.bin %> <%= command.id %> backend-api',
    '<%= config.bin %> <%= command.id %> saga --json',
  ];

  static args = {
    id: Args.string({ description: 'The pattern id (see "sprout patterns list").', required: true }),
  };

  async run(): Promise<TemplateManifest & { status: string }> {
    const pattern = findPattern(loadCatalog(), this.args.id);
    const { manifest, status } = pattern;
    if (!this.jsonEnabled()) this.log(await describe(manifest, status));
    return { ...manifest, status };
  }
}

async function describe(manifest: TemplateManifest, status: string): Promise<string> {
  const sections = [
    `${manifest.title} (${manifest.id}) · ${manifest.level} · ${status}`,
    manifest.summary,
    manifest.description,
    `Use it when: ${manifest.useWhen}`,
    `Avoid it when: ${manifest.avoidWhen}`,
    `Services: ${manifest.services.join(', ')}\nTags: ${manifest.tags.join(', ')}`,
    ...(manifest.httpEndpoint ? [] : ['No HTTP endpoint: events, streams or the AWS API drive it, so it takes no custom domain (no "domain" in sprout.json).']),
    ...(manifest.extends ? [`Builds on: ${manifest.extends.pattern} (the project includes its code; see "sprout patterns show ${manifest.extends.pattern}")`] : []),
    manifest.options.length ? `Options (sprout create -p ${manifest.id} --option name=value):\n${optionsTable(manifest.options)}` : 'Options: none',
    `Architecture:\n${await renderDiagram(manifest.diagram)}`,
  ];
  if (status === 'planned') sections.push('This pattern is planned: "sprout create" cannot generate it yet.');
  else sections.push(`Create it: sprout create my-app --pattern ${manifest.id}`);
  return sections.join('\n\n');
}

function optionsTable(options: TemplateOption[]): string {
  return renderTable(options, [
    { header: 'NAME', value: (o) => o.name },
    { header: 'TYPE', value: (o) => (o.type === 'enum' ? o.choices.join('|') : o.type) },
    { header: 'DEFAULT', value: (o) => String(o.default) },
    { header: 'DESCRIPTION', value: (o) => o.description, shrink: true },
  ], process.stdout.columns);
}
