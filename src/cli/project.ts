import { Flags } from '@oclif/core';

import { type LoadedConfig, findProjectRoot, loadProjectConfig } from '../project/config-file.js';

/** Flags of the commands that work on a project's stages. */
export const stageFlag = Flags.string({
  char: 's',
  description: 'The stage, as named in sprout.json "stages". Default: its "defaultStage".',
  helpGroup: 'GLOBAL',
});

export const profileFlag = Flags.string({
  description: 'AWS profile for the base credentials, instead of each stage\'s own (roles are still assumed from it).',
  helpGroup: 'GLOBAL',
});

export const concurrencyFlag = Flags.integer({
  description: 'How many apps to work on at once.',
  default: 4,
  min: 1,
  max: 32,
});

/** The sprout.json of the project around the current folder (exit 3 when there is none or it is invalid). */
export async function currentProject(cwd = process.cwd()): Promise<LoadedConfig> {
  return loadProjectConfig(findProjectRoot(cwd));
}

/** Serializes questions, so concurrent tasks never ask two things at once. */
export function oneQuestionAtATime(ask: (question: string) => Promise<boolean>): (question: string) => Promise<boolean> {
  let queue: Promise<unknown> = Promise.resolve();
  return (question) => {
    const answer = queue.then(() => ask(question));
    queue = answer.catch(() => {});
    return answer;
  };
}
