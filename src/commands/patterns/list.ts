import { Flags } from '@oclif/core';

import { filterCatalog, loadCatalog } from '../../catalog/catalog.js';
import { TAGS } from '../../catalog/ids.js';
import { renderTable } from '../../ui/table.js';
import { SproutCommand } from '../../cli/base-command.js';

export interface PatternSummary {
  id: string;
  title: string;
  summary: string;
  services: string[];
  tags: string[];
  level: string;
  status: 'ready' | 'planned';
}

export default class PatternsList extends SproutCommand<typeof PatternsList> {
  static summary = 'List the serverless architecture patterns sprout can scaffold.';

  static description = 'Each pattern is ready (sprout create can generate it) or planned (described, not buildable yet).';

  static examples = [
    '<%= config.bin %> <%= command.id %>',
    '<%= config.bin %> <%= command.id %> --tag async',
    '<%= config.bin %> <%= command.id %> --search "step functions"',
    '<%= config.bin %> <%= command.id %> --json | jq -r \'.result.patterns[] | select(.status == "ready") | .id\'',
  ];

  static flags = {
    tag: Flags.string({ description: 'Only patterns with this tag.', options: [...TAGS] }),
    search: Flags.string({ description: 'Only patterns whose id, title, summary, description or services contain every word.' }),
  };

  async run(): Promise<{ patterns: PatternSummary[] }> {
    const patterns = filterCatalog(loadCatalog(), { tag: this.flags.tag, search: this.flags.search }).map(
      ({ manifest, status }): PatternSummary => ({
        id: manifest.id,
        title: manifest.title,
        summary: manifest.summary,
        services: manifest.services,
        tags: manifest.tags,
        level: manifest.level,
        status,
      }),
    );
    if (patterns.length === 0) {
      this.warn('No pattern matches. Run "sprout patterns list" without filters to see them all.');
    } else {
      this.log(
        renderTable(
          patterns,
          [
            { header: 'ID', value: (p) => p.id },
            { header: 'TITLE', value: (p) => p.title },
            { header: 'STATUS', value: (p) => p.status },
            { header: 'SERVICES', value: (p) => p.services.join(', '), shrink: true },
          ],
          process.stdout.columns,
        ),
      );
    }
    return { patterns };
  }
}
