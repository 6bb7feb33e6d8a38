import { Flags } from '@oclif/core';

import { openFlagStore } from '../feature-flags/select.js';
import type { FlagStore } from '../feature-flags/store.js';
import { PREDEFINED_STRATEGIES } from '../feature-flags/appconfig-store.js';
import { currentProject, profileFlag, stageFlag } from './project.js';

/** Flags every `sprout flags` command takes to find the store. */
export const storeFlags = {
  stage: stageFlag,
  profile: profileFlag,
  service: Flags.string({ description: 'In a workspace: the service whose flags these are.', helpGroup: 'GLOBAL' }),
  function: Flags.string({ description: 'lambda-env store: a function carrying the flags (repeatable), instead of the stage\'s configured ones.', multiple: true, helpGroup: 'GLOBAL' }),
};

/** Flags of the commands that write. */
export const writeFlags = {
  strategy: Flags.string({
    description: `AppConfig deployment strategy (an id, or one of AWS's predefined: ${PREDEFINED_STRATEGIES.join(', ')}). Default: the stage's, else AppConfig.AllAtOnce.`,
  }),
  wait: Flags.boolean({ description: 'AppConfig: follow the deployment to its end (without it, exit 69 while it is still deploying).' }),
};

export async function storeFor(flags: { stage?: string; profile?: string; service?: string; function?: string[] }): Promise<{ store: FlagStore; stage: string }> {
  const project = await currentProject();
  const stage = flags.stage ?? project.config.defaultStage;
  return { store: await openFlagStore(project, { stage, service: flags.service, profile: flags.profile, functions: flags.function }), stage };
}
