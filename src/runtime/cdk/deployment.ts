// Copied from sprout's src/runtime/cdk by `npm run sync:runtime`: edit it there, not in a project.

/**
 * The `sprout:deployment` context value: what `sprout deploy` decided for this app (stage,
 * stack name, account, region, domain). The contract is in sprout's templates/README.md,
 * "Deploying through sprout". Plain checks, no schema library: generated projects depend on
 * nothing but aws-cdk-lib and constructs for their infrastructure.
 */

export const SPROUT_DEPLOYMENT_CONTEXT = 'sprout:deployment';

/** The service's own hosted zone, delegated from the parent zone. */
export interface SubdomainDeployment {
  mode: 'subdomain';
  /** The service's host name, such as `catalog.dev.example.com`; its hosted zone has this name. */
  hostName: string;
  /** The parent zone the delegation (NS record) goes into, such as `example.com`. */
  parentZoneName: string;
  parentHostedZoneId: string;
  /** The platform's delegation role in the DNS account; absent when the parent zone is in this account. */
  delegationRoleArn?: string;
}

/** A base path on the shared custom domain that the platform app created. */
export interface PathDeployment {
  mode: 'path';
  /** The shared custom domain, such as `api.example.com`. */
  domainName: string;
  /** The API mapping key, such as `api/catalog` (a leading slash is accepted). */
  basePath: string;
}

export type DeploymentDomain = SubdomainDeployment | PathDeployment;

export interface SproutDeployment {
  /** Wins over the plain `stage` context. */
  stage: string;
  /** The project (workspace) name from the root sprout.json. */
  project: string;
  /** The service name; the project name for a single-app project. */
  service: string;
  /** The main stack's name, decided by sprout: `<project>[-<service>]-<stage>`. */
  stackName: string;
  account: string;
  region: string;
  /** Only when sprout.json has a `domain` section. */
  domain?: DeploymentDomain;
}

const ACCOUNT = /^\d{12}$/;
const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
const STAGE = /^[A-Za-z0-9_-]{1,64}$/;
// CloudFormation: starts with a letter, then letters, digits and dashes, at most 128 characters.
const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const HOSTED_ZONE_ID = /^Z[A-Z0-9]{4,32}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
// API Gateway allows at most 300 characters in an API mapping key.
const BASE_PATH = /^\/?(?=[^/].{0,299}$)[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;

/** Reads `sprout:deployment` from the app's context: undefined when sprout did not set it. */
export function readSproutDeployment(scope: { node: { tryGetContext(key: string): unknown } }): SproutDeployment | undefined {
  return parseSproutDeployment(scope.node.tryGetContext(SPROUT_DEPLOYMENT_CONTEXT));
}

/**
 * Validates the context value: an object, or a JSON string (`cdk synth -c sprout:deployment='{…}'`).
 * Unknown fields are ignored, so a project keeps working when a newer sprout adds one.
 */
export function parseSproutDeployment(value: unknown): SproutDeployment | undefined {
  if (value === undefined) return undefined;
  const input = objectAt(typeof value === 'string' ? parseJson(value) : value, SPROUT_DEPLOYMENT_CONTEXT);
  const field = (name: string, pattern: RegExp, expected: string) =>
    matching(input[name], pattern, `${SPROUT_DEPLOYMENT_CONTEXT}.${name}`, expected);
  const deployment: SproutDeployment = {
    stage: field('stage', STAGE, 'a stage name of letters, digits, - and _'),
    project: field('project', /^.+$/, 'a non-empty project name'),
    service: field('service', /^.+$/, 'a non-empty service name'),
    stackName: field('stackName', STACK_NAME, 'a CloudFormation stack name (a letter, then letters, digits and -)'),
    account: field('account', ACCOUNT, 'a 12-digit AWS account id'),
    region: field('region', REGION, 'an AWS region such as eu-west-1'),
  };
  if (input.domain !== undefined) deployment.domain = parseDomain(input.domain);
  return deployment;
}

function parseDomain(value: unknown): DeploymentDomain {
  const path = `${SPROUT_DEPLOYMENT_CONTEXT}.domain`;
  const input = objectAt(value, path);
  const field = (name: string, pattern: RegExp, expected: string) => matching(input[name], pattern, `${path}.${name}`, expected);
  if (input.mode === 'path') {
    return {
      mode: 'path',
      domainName: field('domainName', HOST_NAME, 'a lower-case host name such as api.example.com'),
      basePath: field('basePath', BASE_PATH, 'a base path of lower-case segments such as api/catalog'),
    };
  }
  if (input.mode !== 'subdomain') fail(`${path}.mode`, '"subdomain" or "path"', input.mode);
  const domain: SubdomainDeployment = {
    mode: 'subdomain',
    hostName: field('hostName', HOST_NAME, 'a lower-case host name such as catalog.example.com'),
    parentZoneName: field('parentZoneName', HOST_NAME, 'a lower-case zone name such as example.com'),
    parentHostedZoneId: field('parentHostedZoneId', HOSTED_ZONE_ID, 'a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ'),
  };
  // Route 53 only delegates a name below the parent zone.
  if (!domain.hostName.endsWith(`.${domain.parentZoneName}`)) {
    fail(`${path}.hostName`, `a name below the parent zone ${domain.parentZoneName}`, domain.hostName);
  }
  if (input.delegationRoleArn !== undefined) {
    domain.delegationRoleArn = field('delegationRoleArn', ROLE_ARN, 'an IAM role ARN such as arn:aws:iam::123456789012:role/dns-delegation');
  }
  return domain;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${SPROUT_DEPLOYMENT_CONTEXT} is not valid JSON (${(error as Error).message})`);
  }
}

function objectAt(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value);
  return value as Record<string, unknown>;
}

function matching(value: unknown, pattern: RegExp, path: string, expected: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) fail(path, expected, value);
  return value;
}

function fail(path: string, expected: string, got: unknown): never {
  throw new Error(`${path} must be ${expected} (got ${got === undefined ? 'nothing' : JSON.stringify(got)})`);
}
