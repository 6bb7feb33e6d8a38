import { assertReady, filesLayers, findPattern, type Pattern } from '../catalog/catalog.js';
import type { OptionValue, TemplateManifest } from '../catalog/schema.js';
import { type PlannedFile, planProject } from './plan.js';

/** Where a workspace keeps its services. */
export const SERVICES_DIR = 'services';

export interface PlannedService {
  name: string;
  pattern: string;
  /** The service folder, relative to the workspace root. */
  path: string;
  /** Its files, with paths relative to the workspace root. */
  files: PlannedFile[];
  unpinnedDependencies: string[];
}

/** The files of one service, scaffolded from a catalog pattern with its option defaults. */
export async function planService(
  name: string,
  patternId: string,
  catalog: Pattern[],
  versions: Record<string, string>,
  options: Record<string, OptionValue> = {},
): Promise<PlannedService> {
  const pattern = findPattern(catalog, patternId);
  assertReady(pattern, catalog);
  const path = `${SERVICES_DIR}/${name}`;
  const layers = filesLayers(pattern.manifest, pattern.filesDir, catalog);
  const plan = await planProject({
    filesDir: pattern.filesDir,
    baseLayers: layers.slice(0, -1),
    omit: layers.at(-1)!.omit,
    name,
    pattern: patternId,
    options: { ...defaults(pattern.manifest), ...options },
    versions,
  });
  return {
    name,
    pattern: patternId,
    path,
    files: plan.files.map((file) => ({ ...file, path: `${path}/${file.path}` })),
    unpinnedDependencies: plan.unpinnedDependencies,
  };
}

/** The services a workspace template starts with (template.json "workspace"). */
export async function planWorkspaceServices(manifest: TemplateManifest, catalog: Pattern[], versions: Record<string, string>): Promise<PlannedService[]> {
  const services: PlannedService[] = [];
  for (const service of manifest.workspace?.services ?? []) services.push(await planService(service.name, service.pattern, catalog, versions));
  return services;
}

export function defaults(manifest: TemplateManifest): Record<string, OptionValue> {
  return Object.fromEntries(manifest.options.map((option) => [option.name, option.default]));
}

/** Options that also configure sprout itself: option name → dot path in sprout.json. */
export function configPaths(manifest: TemplateManifest): Record<string, string> {
  return Object.fromEntries(manifest.options.flatMap((option) => (option.configPath ? [[option.name, option.configPath]] : [])));
}
