import { rm } from 'node:fs/promises';
import { join } from 'node:path';

import type { Pattern } from '../catalog/catalog.js';
import { PreconditionError, UsageError } from '../core/errors.js';
import { findConflicts } from '../scaffold/conflicts.js';
import { planService, SERVICES_DIR } from '../scaffold/workspace.js';
import { writeProject } from '../scaffold/write.js';
import { type LoadedConfig, saveProjectConfig } from './config-file.js';
import type { ProjectConfig, ServiceConfig, ServiceOverride } from './schema.js';

export interface AddServiceRequest {
  name: string;
  pattern: string;
  account?: string;
  region?: string;
  /** Subdomain mode: the service's host name. */
  domain?: string;
  /** Path mode: the service's base path. */
  basePath?: string;
  /** Put account/region/domain/path under this stage only; otherwise they hold for every stage. */
  stage?: string;
  dryRun: boolean;
}

export interface AddServiceDeps {
  catalog: () => Pattern[];
  versions: () => Record<string, string>;
  signal?: AbortSignal;
}

export interface AddServiceResult {
  name: string;
  pattern: string;
  path: string;
  files: string[];
  service: ServiceConfig;
  dryRun: boolean;
}

/**
 * Scaffolds a service from a catalog pattern into services/<name> (atomically, through the same
 * planning and writing as `create`) and registers it in sprout.json. The registration is an
 * optimistic write; if it fails, the new folder is removed again.
 */
export async function addService(loaded: LoadedConfig, request: AddServiceRequest, deps: AddServiceDeps): Promise<AddServiceResult> {
  const config = loaded.config;
  assertWorkspace(config);
  const { serviceSchema } = await import('./schema.js');
  const entry = buildEntry(request);
  const checked = serviceSchema.safeParse(entry);
  if (!checked.success) {
    throw new UsageError('INVALID_SERVICE', `Invalid service settings: ${checked.error.issues.map((i) => `${i.path.join('.') || 'service'}: ${i.message}`).join('; ')}.`, {
      suggestions: ['See sprout services add --help.'],
    });
  }
  assertNewService(config, request);

  const planned = await planService(request.name, request.pattern, deps.catalog(), deps.versions());
  const target = join(loaded.root, planned.path);
  const conflicts = await findConflicts(loaded.root, planned.files);
  if (conflicts.length) {
    throw new PreconditionError('FILE_CONFLICT', `${planned.path} already holds files of the new service: ${conflicts.slice(0, 5).join(', ')}. Nothing was written.`, {
      details: { conflicts },
      suggestions: [`Choose another name, or move ${planned.path} away.`],
    });
  }
  const result = { name: request.name, pattern: request.pattern, path: planned.path, files: planned.files.map((f) => f.path), service: checked.data, dryRun: request.dryRun };
  if (request.dryRun) return result;

  await writeProject(target, planned.files.map((file) => ({ ...file, path: file.path.slice(planned.path.length + 1) })), { signal: deps.signal });
  try {
    await saveProjectConfig(loaded, { ...config, services: { ...config.services, [request.name]: checked.data } });
  } catch (error) {
    await rm(target, { recursive: true, force: true });
    throw error;
  }
  return result;
}

export interface RemoveServiceResult {
  name: string;
  path: string;
  deletedFiles: boolean;
  dryRun: boolean;
}

/** Unregisters a service; its folder stays unless deleteFiles (asked for separately by the command). */
export async function removeService(loaded: LoadedConfig, name: string, options: { deleteFiles: boolean; dryRun: boolean }): Promise<RemoveServiceResult> {
  const services = loaded.config.services ?? {};
  const service = services[name];
  if (!service) {
    throw new PreconditionError('UNKNOWN_SERVICE', `No service named "${name}" in sprout.json.`, {
      suggestions: [`Services: ${Object.keys(services).join(', ') || 'none'}.`],
    });
  }
  const result = { name, path: service.path, deletedFiles: options.deleteFiles, dryRun: options.dryRun };
  if (options.dryRun) return result;
  const { [name]: _removed, ...rest } = services;
  await saveProjectConfig(loaded, { ...loaded.config, services: rest });
  if (options.deleteFiles) await rm(join(loaded.root, service.path), { recursive: true, force: true });
  return result;
}

function assertWorkspace(config: ProjectConfig): void {
  if (config.services === undefined && config.pattern !== 'microservices') {
    throw new PreconditionError('NOT_A_WORKSPACE', `${config.name} is a single app (${config.pattern}), not a workspace of services.`, {
      suggestions: ['Create a workspace and add services to it: sprout create my-platform --pattern microservices'],
    });
  }
}

function buildEntry(request: AddServiceRequest): Record<string, unknown> {
  if (request.domain && request.basePath) {
    throw new UsageError('CONFLICTING_FLAGS', '--domain and --path cannot be used together.', {
      suggestions: ['Use --domain in subdomain mode, --path in path mode (sprout.json "domain.mode").'],
    });
  }
  const override: ServiceOverride = Object.fromEntries(
    Object.entries({ account: request.account, region: request.region, domain: request.domain, basePath: request.basePath }).filter(([, v]) => v !== undefined),
  );
  const base = { path: `${SERVICES_DIR}/${request.name}`, pattern: request.pattern };
  if (!request.stage) return { ...base, ...override };
  return Object.keys(override).length ? { ...base, stages: { [request.stage]: override } } : base;
}

/** Names, host names and base paths are unique across the services of a workspace. */
function assertNewService(config: ProjectConfig, request: AddServiceRequest): void {
  const services = config.services ?? {};
  if (!/^[a-z][a-z0-9-]{0,39}$/.test(request.name)) {
    throw new UsageError('INVALID_SERVICE', `"${request.name}" is not a valid service name: use lower-case letters, digits and dashes, starting with a letter (at most 40).`);
  }
  if (services[request.name]) {
    throw new PreconditionError('DUPLICATE_SERVICE', `There is already a service named "${request.name}".`, {
      suggestions: ['Choose another name, or remove it first: sprout services remove ' + request.name],
    });
  }
  if (request.stage && !config.stages[request.stage]) {
    throw new PreconditionError('UNKNOWN_STAGE', `There is no stage "${request.stage}" in sprout.json.`, {
      suggestions: [`Stages: ${Object.keys(config.stages).join(', ')}.`],
    });
  }
  const mode = config.domain?.mode;
  if (request.domain && mode === 'path') throw new UsageError('WRONG_DOMAIN_MODE', 'sprout.json uses path mode: give the service a --path, not a --domain.');
  if (request.basePath && mode !== 'path') throw new UsageError('WRONG_DOMAIN_MODE', 'sprout.json is not in path mode: give the service a --domain (subdomain mode), not a --path.');
  const normalize = (path: string) => path.replace(/^\//, '');
  for (const [name, service] of Object.entries(services)) {
    const entries = [service, ...Object.values(service.stages ?? {})];
    if (request.domain && entries.some((e) => e.domain === request.domain)) {
      throw new PreconditionError('DUPLICATE_DOMAIN', `The service "${name}" already uses the host name ${request.domain}.`);
    }
    if (request.basePath && entries.some((e) => e.basePath && normalize(e.basePath) === normalize(request.basePath!))) {
      throw new PreconditionError('DUPLICATE_PATH', `The service "${name}" already uses the base path /${normalize(request.basePath)}.`);
    }
  }
}
