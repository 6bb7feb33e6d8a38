// Copied from sprout's src/runtime/cdk by `npm run sync:runtime`: edit it there, not in a project.
import { HOST_NAME, HOSTED_ZONE_ID, ROLE_ARN, STAGE, contextObject, fail, fieldsAt, objectAt, stackPlacement } from './context-values.js';

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
  const input = contextObject(value, SPROUT_DEPLOYMENT_CONTEXT);
  const field = fieldsAt(input, SPROUT_DEPLOYMENT_CONTEXT);
  const deployment: SproutDeployment = {
    stage: field('stage', STAGE, 'a stage name of letters, digits, - and _'),
    project: field('project', /^.+$/, 'a non-empty project name'),
    service: field('service', /^.+$/, 'a non-empty service name'),
    ...stackPlacement(input, SPROUT_DEPLOYMENT_CONTEXT),
  };
  if (input.domain !== undefined) deployment.domain = parseDomain(input.domain);
  return deployment;
}

function parseDomain(value: unknown): DeploymentDomain {
  const path = `${SPROUT_DEPLOYMENT_CONTEXT}.domain`;
  const input = objectAt(value, path);
  const field = fieldsAt(input, path);
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
