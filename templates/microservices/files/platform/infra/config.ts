import { readFileSync } from 'node:fs';
import { type PlatformContext, type PlatformDomain, parsePlatformDomain } from './context.js';
import { toResourceName } from './sprout/context-values.js';

export { toResourceName };

/** What the platform stack is built from: `sprout:platform`, or the local preview below. */
export interface PlatformConfig {
  stage: string;
  project: string;
  stackName: string;
  /** Absent for the local preview, which stays environment-agnostic. */
  env?: { account: string; region: string };
  domain: PlatformDomain;
}

/** The parts of the workspace's sprout.json the local preview reads. */
export interface WorkspaceFile {
  name?: unknown;
  stages?: Record<string, { account?: unknown; domainLabel?: unknown } | undefined>;
  domain?: { mode?: unknown; name?: unknown; hostedZoneId?: unknown; account?: unknown };
  services?: Record<
    string,
    { path?: unknown; account?: unknown; domain?: unknown; stages?: Record<string, { account?: unknown } | undefined> } | undefined
  >;
}

const LOCAL_STAGE = 'local';
const workspaceFileUrl = new URL('../../sprout.json', import.meta.url);

export function loadPlatformConfig(context: PlatformContext | undefined): PlatformConfig {
  if (context) {
    const { stage, project, stackName, account, region, domain } = context;
    return { stage, project, stackName, env: { account, region }, domain };
  }
  return localPlatformConfig(JSON.parse(readFileSync(workspaceFileUrl, 'utf8')) as WorkspaceFile);
}

/**
 * Without `sprout:platform` (a plain `cdk synth` or `npm run synth`), a preview of the platform
 * for the `local` stage, from the workspace's sprout.json: the role trusts every account the
 * file names besides the zone's and may delegate `<service>.local.<root>` (or the stage's
 * domainLabel), and the shared domain of path mode is `local.<root>`. `sprout deploy` passes
 * the real values per stage.
 */
export function localPlatformConfig(sprout: WorkspaceFile): PlatformConfig {
  if (typeof sprout.name !== 'string' || sprout.name === '') fail('"name" must be a non-empty string');
  if (!sprout.domain) fail('there is no "domain" section; the platform app needs the root domain, its hosted zone id and the mode');
  const project = sprout.name;
  const resourceName = toResourceName(project);
  const rootDomain = sprout.domain.name;
  const label = sprout.stages?.[LOCAL_STAGE]?.domainLabel ?? LOCAL_STAGE;
  const underLabel = (name: string) => [name, label, rootDomain].filter(Boolean).join('.');
  const services = Object.entries(sprout.services ?? {});

  const domain =
    sprout.domain.mode === 'subdomain'
      ? {
          mode: 'subdomain',
          rootDomain,
          hostedZoneId: sprout.domain.hostedZoneId,
          delegationRoleName: delegationRoleName(resourceName, LOCAL_STAGE),
          trustedAccounts: trustedAccounts(sprout),
          delegatedNames: services.map(([name, service]) => (typeof service?.domain === 'string' ? service.domain : underLabel(name))),
        }
      : { mode: sprout.domain.mode, rootDomain, hostedZoneId: sprout.domain.hostedZoneId, domainName: underLabel('') };
  return {
    stage: LOCAL_STAGE,
    project,
    stackName: `${resourceName}-platform-${LOCAL_STAGE}`,
    domain: parsePlatformDomain(domain, 'sprout.json domain (as the local preview reads it)'),
  };
}

/** `sprout-dns-<project>-<stage>`, as sprout names it, within IAM's 64 characters. */
export function delegationRoleName(resourceName: string, stage: string): string {
  return `sprout-dns-${resourceName}`.slice(0, 63 - stage.length) + `-${stage}`;
}

/**
 * Every account a service may be deployed to (stages, services and their per-stage overrides)
 * but the zone's own, whose services write their NS record without the role. When the file
 * names no other account (everything in one account), the preview trusts that one.
 */
function trustedAccounts(sprout: WorkspaceFile): unknown[] {
  const services = Object.values(sprout.services ?? {});
  const named = [
    ...Object.values(sprout.stages ?? {}).map((stage) => stage?.account),
    ...services.map((service) => service?.account),
    ...services.flatMap((service) => Object.values(service?.stages ?? {}).map((stage) => stage?.account)),
    sprout.domain?.account,
  ].filter((account) => account !== undefined);
  const others = named.filter((account) => account !== sprout.domain?.account);
  return others.length > 0 ? others : named;
}

function fail(message: string): never {
  throw new Error(`sprout.json: ${message}`);
}
