import { EdgeCommand, edgeFlags } from '../../cli/edge.js';
import { readDocument } from '../../edge/service.js';
import { weightOf } from '../../edge/rollout.js';
import type { ReleaseEntry } from '../../runtime/edge-router/release-document.js';
import { renderTable } from '../../ui/table.js';

interface ListedRelease extends ReleaseEntry {
  /** stable, candidate (with its weight), or nothing. */
  role?: string;
}

export default class ReleaseList extends EdgeCommand<typeof ReleaseList> {
  static summary = 'The releases of a stage, newest first, and which one is stable or rolling out.';

  static examples = ['<%= config.bin %> <%= command.id %>', '<%= config.bin %> <%= command.id %> --stage prod --json'];

  static flags = { ...edgeFlags };

  async run(): Promise<{ location: string; stable: string | null; releases: ListedRelease[] }> {
    const edge = await this.edge();
    const document = await readDocument(edge);
    const rollout = document.rollout;
    const releases = [...document.releases].reverse().map((release): ListedRelease => {
      const live = rollout?.candidate === release.id && (rollout.state === 'running' || rollout.state === 'paused');
      const role = release.id === document.stable ? 'stable' : live ? `candidate ${weightOf(rollout!)}% (${rollout!.state})` : rollout?.candidate === release.id ? `candidate (${rollout.state})` : undefined;
      return { ...release, ...(role ? { role } : {}) };
    });
    this.log(
      releases.length
        ? renderTable(releases, [
            { header: 'RELEASE', value: (r) => r.id },
            { header: 'ROLE', value: (r) => r.role ?? '' },
            { header: 'CREATED', value: (r) => r.createdAt },
            { header: 'BY', value: (r) => r.createdBy, shrink: true },
            { header: 'FILES', value: (r) => String(r.files) },
            { header: 'KIB', value: (r) => (r.bytes / 1024).toFixed(1) },
          ], process.stdout.columns)
        : `No releases in ${edge.documentLocation} yet: sprout release create uploads one.`,
    );
    return { location: edge.documentLocation, stable: document.stable, releases };
  }
}
