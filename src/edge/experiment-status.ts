import type { Experiment } from '../runtime/edge-router/release-document.js';

/** One experiment for people: its state, paths, variants with targets and weights, and its times. */
export function renderExperiment(experiment: Experiment): string {
  const state =
    experiment.state === 'running'
      ? `running since ${experiment.startedAt}`
      : `stopped ${experiment.stoppedAt}${experiment.winner ? `, winner ${experiment.winner}${experiment.pinned ? ' (every viewer on its paths gets it)' : ''}` : ', no winner'}`;
  const width = Math.max(...experiment.variants.map((v) => v.name.length));
  return [
    `${experiment.name}: ${state}`,
    `  paths ${experiment.paths.join(', ')} · metric ${experiment.metric} · at least ${experiment.minSample.toLocaleString('en-US')} exposures per variant`,
    ...experiment.variants.map((v, i) => `  ${v.name.padEnd(width)}  ${`${v.weight}%`.padStart(7)}  ${v.target}${i === 0 ? '  (control)' : ''}`),
  ].join('\n');
}
