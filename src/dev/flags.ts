import { localFlagStore } from '../feature-flags/local-store.js';
import { decodeAppConfig } from '../runtime/flags/codec.js';
import type { ResolvedApp } from './types.js';

/** The custom resource that writes a stack's first flag document into AppConfig (infra/sprout/feature-flags.ts). */
export const INITIAL_FLAGS_TYPE = 'Custom::SproutInitialFeatureFlags';

/**
 * What the stack would do on its first deploy: write its initial flags, here into the local store,
 * and only when the store is still empty (from then on `sprout flags … --stage local` owns them,
 * as a redeploy never reverts flags in AWS). Returns the flags written, or [] when none were.
 */
export async function seedLocalFlags(app: ResolvedApp, root: string): Promise<string[]> {
  const initial = app.ofType(INITIAL_FLAGS_TYPE).map((resource) => resource.properties.Content).filter((content): content is string => typeof content === 'string');
  if (initial.length === 0) return [];
  const store = localFlagStore(root);
  const current = await store.read();
  if (Object.keys(current.document.flags).length > 0) return [];
  const flags = Object.assign({}, ...initial.map((content) => decodeAppConfig(content).flags));
  await store.write({ version: 1, flags }, { expected: current.version, description: 'sprout dev: the stack’s initial flags', wait: true });
  return Object.keys(flags);
}
