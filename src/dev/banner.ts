import { relative } from 'node:path';

import type { SandboxSummary } from './sandbox.js';
import type { DevTiming } from './types.js';

/** The startup banner: every URL and resource, what is not emulated, and how waits are timed. */
export function renderBanner(summary: SandboxSummary, options: { root: string; timing: DevTiming; watch: boolean }): string {
  const lines = [`sprout dev: ${summary.project} (stage local), no AWS account involved`, ''];
  const row = (label: string, value: string) => lines.push(`  ${label.padEnd(15)}${value}`);
  for (const d of summary.distributions) row('CloudFront', `${d.url}  (edge router on ${relative(options.root, summary.releaseDocument)})`);
  for (const a of summary.apis) row(a.kind === 'http' ? 'HTTP API' : 'REST API', `${a.url}  (${a.name})`);
  if (summary.distributions.length + summary.apis.length === 0) row('URLs', 'none: this app serves no HTTP (invoke it through its triggers)');
  lines.push('');
  const list = (label: string, names: string[]) => {
    if (names.length) row(label, names.join(', '));
  };
  list('Functions', summary.functions);
  list('Tables', summary.tables);
  list('Buckets', summary.buckets);
  list('Streams', summary.streams);
  list('Queues', summary.queues);
  list('Topics', summary.topics);
  list('Rules', summary.rules);
  list('State machines', summary.stateMachines);
  row('Flags', `${relative(options.root, summary.flags.file)}${summary.flags.seeded.length ? ` (seeded: ${summary.flags.seeded.join(', ')})` : ''}; sprout flags … --stage local applies within 1 s`);
  if (summary.notEmulated.length) {
    lines.push('', '  Not emulated (these resources do nothing locally):');
    for (const n of summary.notEmulated) lines.push(`    ${n.type} ${n.resource}: ${n.reason}`);
  }
  if (summary.warnings.length) {
    lines.push('', '  Differences from AWS:');
    for (const w of summary.warnings) lines.push(`    ${w}`);
  }
  lines.push('');
  lines.push(
    options.timing.scale === 1
      ? "  Timing: AWS's own visibility timeouts and retry back-off (--real-time)."
      : `  Timing: AWS's visibility timeouts, retry back-off and batching windows run ×${options.timing.scale} (--real-time for AWS's).`,
  );
  lines.push(`  Data lives in memory until sprout dev stops.${options.watch ? ' Watching for changes: a change re-synthesizes and restarts the handlers, keeping the data.' : ''} Ctrl-C stops everything.`);
  return lines.join('\n');
}
