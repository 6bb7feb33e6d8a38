import { join } from 'node:path';

import { PreconditionError } from '../core/errors.js';
import { nearest } from '../core/nearest.js';
import type { DomainConfig, ProjectConfig, ServiceConfig, ServiceOverride, StageConfig } from '../project/schema.js';
import type { DeploymentDomain, SproutDeployment } from '../runtime/cdk/deployment.js';

/** How to reach an account: base credentials from a profile (or the default chain), then maybe a role. */
export interface CredentialSource {
  profile?: string;
  roleArn?: string;
}

/**
 * The `sprout:deployment` context every service app receives: the same type the apps parse it
 * with (src/runtime/cdk/deployment.ts, shipped into every project), so the two cannot drift.
 */
export type DeploymentContext = SproutDeployment;
export type ServiceDomainContext = DeploymentDomain;

/** The `sprout:platform` context the workspace's platform app receives. */
export interface PlatformContext {
  stage: string;
  project: string;
  stackName: string;
  account: string;
  region: string;
  domain:
    | { mode: 'subdomain'; rootDomain: string; hostedZoneId: string; delegationRoleName: string; trustedAccounts: string[]; delegatedNames: string[] }
    | { mode: 'path'; rootDomain: string; hostedZoneId: string; domainName: string };
}

/** One CDK app to deploy: a service, or the workspace's platform app, which goes first. */
export interface DeployTarget {
  kind: 'service' | 'platform';
  name: string;
  stage: string;
  /** The app's folder, absolute. */
  dir: string;
  pattern?: string;
  account: string;
  region: string;
  credentials: CredentialSource;
  /** The main stack's name (apps may add stacks, such as Lambda@Edge's us-east-1 stack). */
  stackName: string;
  /** Where the service answers, when a domain is configured. */
  url?: string;
  context: { 'sprout:deployment': DeploymentContext } | { 'sprout:platform': PlatformContext };
}

export interface DeployPlan {
  project: string;
  stage: string;
  root: string;
  /** The platform app (when there is one) first; the services after it, in parallel. */
  targets: DeployTarget[];
  /** What deserves a look before deploying, though it may well work. */
  warnings: string[];
}

export interface PlanRequest {
  stage: string;
  /** Only these services (and the platform they rely on); all when empty. */
  services?: string[];
  /** --profile: base credentials for every account, instead of each stage's own. */
  profile?: string;
}

export const PLATFORM_DIR = 'platform';

/**
 * Turns sprout.json and a stage into the exact list of apps to deploy: each service's account,
 * region, credentials, stack name and domain. Pure: no AWS call, no file read. Every problem
 * in the configuration is reported at once (exit 3).
 */
export function resolvePlan(config: ProjectConfig, root: string, request: PlanRequest): DeployPlan {
  const stage = config.stages[request.stage];
  if (!stage) {
    throw new PreconditionError('UNKNOWN_STAGE', `There is no stage "${request.stage}" in sprout.json.`, {
      suggestions: [
        ...nearest(request.stage, Object.keys(config.stages), 1).map((s) => `Did you mean --stage ${s}?`),
        `Stages: ${Object.keys(config.stages).join(', ')}. Add one under "stages" in sprout.json.`,
      ],
    });
  }
  if (request.stage === 'local') {
    throw new PreconditionError('LOCAL_STAGE', 'The local stage runs on this machine and has nothing to deploy to AWS.', {
      suggestions: ['Deploy to an AWS stage: sprout deploy --stage dev (add it under "stages" in sprout.json with an account and a region).'],
    });
  }

  const problems: string[] = [];
  const project = stackSafe(config.name);
  const label = stage.domainLabel ?? request.stage;
  const services = selectServices(config, request.services ?? []);
  const workspace = config.services !== undefined && Object.keys(config.services).length > 0;

  const targets: DeployTarget[] = [];
  for (const [name, service] of services) {
    const override: ServiceOverride = { ...pick(service), ...service.stages?.[request.stage] };
    const account = override.account ?? stage.account;
    const region = override.region ?? stage.region;
    const where = workspace ? `services.${name}` : 'the project';
    if (!account) problems.push(`${where}: no account for stage "${request.stage}" (set stages.${request.stage}.account${workspace ? ` or services.${name}.account` : ''})`);
    if (!region) problems.push(`${where}: no region for stage "${request.stage}" (set stages.${request.stage}.region${workspace ? ` or services.${name}.region` : ''})`);
    if (!account || !region) continue;
    const stackName = workspace ? `${project}-${stackSafe(name)}-${request.stage}` : `${project}-${request.stage}`;
    const domain = config.domain ? serviceDomain(config.domain, { name, override, account, region, label, project, stage: request.stage, stageConfig: stage, workspace, problems }) : undefined;
    targets.push({
      kind: 'service',
      name,
      stage: request.stage,
      dir: join(root, service.path),
      pattern: service.pattern,
      account,
      region,
      credentials: credentialsFor(account, stage, override, request, problems, where),
      stackName,
      url: domain && (domain.mode === 'subdomain' ? `https://${domain.hostName}` : `https://${domain.domainName}/${domain.basePath}`),
      context: { 'sprout:deployment': { stage: request.stage, project: config.name, service: name, stackName, account, region, ...(domain ? { domain } : {}) } },
    });
  }

  const serviceTargets = targets.filter((t) => t.kind === 'service');
  findDuplicates(serviceTargets, problems);
  const platform = workspace && config.domain ? platformTarget(config, config.domain, serviceTargets, { root, project, label, stage, stageName: request.stage, request, problems }) : undefined;

  if (problems.length) {
    throw new PreconditionError('PLAN_INVALID', `sprout.json cannot be deployed to stage "${request.stage}":\n  ${problems.join('\n  ')}`, {
      details: { stage: request.stage, problems },
      suggestions: ['Fix sprout.json, then check the plan with: sprout deploy --stage ' + request.stage + ' --dry-run'],
    });
  }
  const all = platform ? [platform, ...serviceTargets] : serviceTargets;
  return { project: config.name, stage: request.stage, root, targets: all, warnings: sharedCredentialWarnings(all, request.stage) };
}

/**
 * One profile (or the default chain) for several accounts works only when the other accounts
 * trust it: the CDK reaches them through their bootstrap roles. Worth saying before a deploy.
 */
function sharedCredentialWarnings(targets: DeployTarget[], stage: string): string[] {
  const byCredentials = new Map<string, Set<string>>();
  for (const target of targets) {
    if (target.credentials.roleArn) continue;
    const key = target.credentials.profile ? `profile ${target.credentials.profile}` : 'the default credentials';
    byCredentials.set(key, (byCredentials.get(key) ?? new Set()).add(target.account));
  }
  return [...byCredentials].flatMap(([key, accounts]) =>
    accounts.size < 2
      ? []
      : [
          `accounts ${[...accounts].sort().join(', ')} are all reached with ${key}: the CDK deploys into the ones that are not its own through their bootstrap roles, so they must trust its account (sprout bootstrap --stage ${stage} --trust <that account>), or give the stage a roleName to assume in each`,
        ],
  );
}

/** A stack name CloudFormation accepts: letters, digits and dashes, starting with a letter. */
export function stackSafe(name: string): string {
  const safe = name
    .toLowerCase()
    .replace(/^@/, '')
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/-{2,}/g, '-');
  return /^[a-z]/.test(safe) ? safe : `app-${safe}`;
}

function selectServices(config: ProjectConfig, only: string[]): Array<[string, ServiceConfig]> {
  const all: Array<[string, ServiceConfig]> = Object.entries(config.services ?? {});
  if (all.length === 0) {
    if (only.length) throw new PreconditionError('NOT_A_WORKSPACE', 'This project has no services to choose from: it deploys as one app.', {
      suggestions: ['Drop --service, or create a workspace: sprout create my-platform --pattern microservices'],
    });
    return [[stackSafe(config.name), { path: '.', pattern: config.pattern }]];
  }
  const unknown = only.filter((name) => !config.services![name]);
  if (unknown.length) {
    const names = all.map(([name]) => name);
    throw new PreconditionError('UNKNOWN_SERVICE', `No service named ${unknown.map((n) => `"${n}"`).join(', ')} in sprout.json.`, {
      suggestions: [...unknown.flatMap((n) => nearest(n, names, 1).map((s) => `Did you mean --service ${s}?`)), `Services: ${names.join(', ')}.`],
    });
  }
  return only.length ? all.filter(([name]) => only.includes(name)) : all;
}

function pick(service: ServiceConfig): ServiceOverride {
  const { account, region, profile, roleArn, domain, basePath } = service;
  return Object.fromEntries(Object.entries({ account, region, profile, roleArn, domain, basePath }).filter(([, v]) => v !== undefined));
}

/**
 * Credentials for one account, most specific first: the service's own profile or role, then
 * --profile, then the stage's role name assumed in that account, then the stage's role (only
 * if it lives in that account) or profile, then the default chain (environment, SSO, instance).
 */
function credentialsFor(
  account: string,
  stage: StageConfig,
  override: ServiceOverride,
  request: PlanRequest,
  problems: string[],
  where: string,
): CredentialSource {
  if (override.roleArn) return { ...(request.profile ? { profile: request.profile } : {}), roleArn: override.roleArn };
  if (override.profile) return { profile: override.profile };
  const profile = request.profile ?? stage.profile;
  if (stage.roleName) return { ...(profile ? { profile } : {}), roleArn: `arn:aws:iam::${account}:role/${stage.roleName}` };
  if (stage.roleArn) {
    const roleAccount = stage.roleArn.split(':')[4];
    if (roleAccount !== account) {
      problems.push(
        `${where}: deploys to account ${account}, but stage "${request.stage}" assumes a role in account ${roleAccount} (set stages.${request.stage}.roleName, or a roleArn or profile on the service)`,
      );
    }
    return { ...(profile ? { profile } : {}), roleArn: stage.roleArn };
  }
  return profile ? { profile } : {};
}

interface DomainInput {
  name: string;
  override: ServiceOverride;
  account: string;
  region: string;
  label: string;
  project: string;
  stage: string;
  stageConfig: StageConfig;
  workspace: boolean;
  problems: string[];
}

function serviceDomain(domain: DomainConfig, input: DomainInput): ServiceDomainContext | undefined {
  const dnsAccount = domain.account ?? input.stageConfig.account ?? input.account;
  const where = input.workspace ? `services.${input.name}` : 'the project';
  if (domain.mode === 'subdomain') {
    const hostName = input.override.domain ?? [input.name, input.label, domain.name].filter(Boolean).join('.');
    if (!hostName.endsWith(`.${domain.name}`)) {
      input.problems.push(`${where}: host name ${hostName} is not under the root domain ${domain.name}, so its zone cannot be delegated`);
    }
    const crossAccount = dnsAccount !== input.account;
    if (crossAccount && !input.workspace) {
      input.problems.push(
        `the project deploys to account ${input.account} but the ${domain.name} zone is in account ${dnsAccount}: cross-account delegation needs the platform app of a workspace (sprout create x --pattern microservices)`,
      );
    }
    return {
      mode: 'subdomain',
      hostName,
      parentZoneName: domain.name,
      parentHostedZoneId: domain.hostedZoneId,
      ...(crossAccount ? { delegationRoleArn: `arn:aws:iam::${dnsAccount}:role/${delegationRoleName(input.project, input.stage)}` } : {}),
    };
  }
  if (!input.workspace) {
    input.problems.push('path mode needs the shared custom domain of a workspace\'s platform app (sprout create x --pattern microservices); a single app can use subdomain mode');
  }
  const basePath = (input.override.basePath ?? [domain.basePathPrefix ?? 'api', input.name].filter(Boolean).join('/')).replace(/^\//, '');
  return { mode: 'path', domainName: pathDomainName(domain, input.label), basePath };
}

function pathDomainName(domain: DomainConfig, label: string): string {
  return label ? `${label}.${domain.name}` : domain.name;
}

/** IAM role names are at most 64 characters: a long project name is cut, never the stage (stages must not share a role). */
export function delegationRoleName(project: string, stage: string): string {
  const room = 64 - 'sprout-dns-'.length - stage.length - 1;
  return `sprout-dns-${project.slice(0, room).replace(/-+$/, '')}-${stage}`;
}

function findDuplicates(targets: DeployTarget[], problems: string[]): void {
  const seen = new Map<string, string>();
  const paths: Array<[string, string]> = [];
  for (const target of targets) {
    const domain = 'sprout:deployment' in target.context ? target.context['sprout:deployment'].domain : undefined;
    if (!domain) continue;
    if (domain.mode === 'subdomain') {
      const other = seen.get(domain.hostName);
      if (other) problems.push(`services ${other} and ${target.name} both use the host name ${domain.hostName}`);
      seen.set(domain.hostName, target.name);
    } else {
      for (const [otherName, otherPath] of paths) {
        const [a, b] = [domain.basePath, otherPath].sort((x, y) => x.length - y.length) as [string, string];
        if (a === b || b.startsWith(`${a}/`)) problems.push(`services ${otherName} and ${target.name} have overlapping base paths /${otherPath} and /${domain.basePath}`);
      }
      paths.push([target.name, domain.basePath]);
    }
  }
}

interface PlatformInput {
  root: string;
  project: string;
  label: string;
  stage: StageConfig;
  stageName: string;
  request: PlanRequest;
  problems: string[];
}

function platformTarget(config: ProjectConfig, domain: DomainConfig, services: DeployTarget[], input: PlatformInput): DeployTarget | undefined {
  const account = domain.account ?? input.stage.account;
  const stackName = `${input.project}-platform-${input.stageName}`;
  if (!account) {
    input.problems.push(`domain: no account owns the ${domain.name} zone for stage "${input.stageName}" (set domain.account or stages.${input.stageName}.account)`);
    return undefined;
  }
  const credentials = credentialsFor(account, input.stage, {}, input.request, input.problems, 'the platform app');
  const base = { stage: input.stageName, project: config.name, stackName, account };
  if (domain.mode === 'subdomain') {
    const trustedAccounts = [...new Set(services.map((s) => s.account).filter((a) => a !== account))].sort();
    // Without a service in another account, nothing needs the delegation role.
    if (trustedAccounts.length === 0) return undefined;
    const region = domain.region ?? 'us-east-1';
    const delegatedNames = services.flatMap((s) => {
      const d = (s.context as { 'sprout:deployment': DeploymentContext })['sprout:deployment'].domain;
      return d?.mode === 'subdomain' && s.account !== account ? [d.hostName] : [];
    });
    return platform(input.root, region, credentials, stackName, account, {
      ...base,
      region,
      domain: { mode: 'subdomain', rootDomain: domain.name, hostedZoneId: domain.hostedZoneId, delegationRoleName: delegationRoleName(input.project, input.stageName), trustedAccounts, delegatedNames },
    });
  }
  const region = domain.region ?? input.stage.region;
  if (!region) {
    input.problems.push(`domain: no region for the shared custom domain (set domain.region or stages.${input.stageName}.region)`);
    return undefined;
  }
  for (const service of services) {
    if (service.account !== account || service.region !== region) {
      input.problems.push(
        `services.${service.name}: path mode maps every service onto one API Gateway custom domain in ${account}/${region}, and API Gateway only maps APIs of its own account and region; this service is in ${service.account}/${service.region} (use subdomain mode for services in other accounts)`,
      );
    }
  }
  const domainName = pathDomainName(domain, input.label);
  return {
    ...platform(input.root, region, credentials, stackName, account, {
      ...base,
      region,
      domain: { mode: 'path', rootDomain: domain.name, hostedZoneId: domain.hostedZoneId, domainName },
    }),
    url: `https://${domainName}`,
  };
}

function platform(root: string, region: string, credentials: CredentialSource, stackName: string, account: string, context: PlatformContext): DeployTarget {
  return { kind: 'platform', name: 'platform', stage: context.stage, dir: join(root, PLATFORM_DIR), account, region, credentials, stackName, context: { 'sprout:platform': context } };
}
