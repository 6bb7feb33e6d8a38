import { ACCOUNT, HOST_NAME, HOSTED_ZONE_ID, ROLE_NAME, STAGE, contextObject, fail, fieldsAt, matching, objectAt, stackPlacement } from './sprout/context-values.js';

/**
 * The `sprout:platform` context value: what `sprout deploy` decided for the platform stack of
 * one stage. An object, or a JSON string when typed by hand (`cdk synth -c sprout:platform='{…}'`).
 * Plain checks, no schema library, and every error names the field.
 */

export const SPROUT_PLATFORM_CONTEXT = 'sprout:platform';

/** Subdomain mode: a role the service accounts assume to write their NS delegation into the root zone. */
export interface SubdomainPlatform {
  mode: 'subdomain';
  /** The root zone's name, such as `example.com`. */
  rootDomain: string;
  hostedZoneId: string;
  /** The role's name; services get its ARN in `sprout:deployment` as `delegationRoleArn`. */
  delegationRoleName: string;
  /** The accounts whose service stacks may assume the role. */
  trustedAccounts: string[];
  /** The only names the role may write NS records for: the services' host names this stage. */
  delegatedNames: string[];
}

/** Path mode: one custom domain that every service maps its base path on. */
export interface PathPlatform {
  mode: 'path';
  rootDomain: string;
  hostedZoneId: string;
  /** The shared custom domain, such as `dev.example.com`: the root domain or a name below it. */
  domainName: string;
}

export type PlatformDomain = SubdomainPlatform | PathPlatform;

export interface PlatformContext {
  stage: string;
  project: string;
  stackName: string;
  /** The account that owns the root hosted zone: the platform stack is deployed there. */
  account: string;
  region: string;
  domain: PlatformDomain;
}

/** Reads `sprout:platform` from the app's context: undefined when sprout did not set it. */
export function readPlatformContext(scope: { node: { tryGetContext(key: string): unknown } }): PlatformContext | undefined {
  return parsePlatformContext(scope.node.tryGetContext(SPROUT_PLATFORM_CONTEXT));
}

/** Validates the context value. Unknown fields are ignored, so a newer sprout can add some. */
export function parsePlatformContext(value: unknown): PlatformContext | undefined {
  if (value === undefined) return undefined;
  const input = contextObject(value, SPROUT_PLATFORM_CONTEXT);
  const field = fieldsAt(input, SPROUT_PLATFORM_CONTEXT);
  return {
    stage: field('stage', STAGE, 'a stage name of letters, digits, - and _'),
    project: field('project', /^.+$/, 'a non-empty project name'),
    ...stackPlacement(input, SPROUT_PLATFORM_CONTEXT),
    domain: parsePlatformDomain(input.domain, `${SPROUT_PLATFORM_CONTEXT}.domain`),
  };
}

/** Checks the `domain` part; also used for the one the app derives from sprout.json. */
export function parsePlatformDomain(value: unknown, path: string): PlatformDomain {
  const input = objectAt(value, path);
  const field = fieldsAt(input, path);
  const rootDomain = field('rootDomain', HOST_NAME, 'a lower-case domain name such as example.com');
  const hostedZoneId = field('hostedZoneId', HOSTED_ZONE_ID, 'a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ');
  const inRootZone = (name: string) => name === rootDomain || name.endsWith(`.${rootDomain}`);

  if (input.mode === 'path') {
    const domainName = field('domainName', HOST_NAME, 'a lower-case host name such as api.example.com');
    // The certificate is validated, and the alias written, in the root zone.
    if (!inRootZone(domainName)) fail(`${path}.domainName`, `${rootDomain} or a name below it`, domainName);
    return { mode: 'path', rootDomain, hostedZoneId, domainName };
  }
  if (input.mode !== 'subdomain') fail(`${path}.mode`, '"subdomain" or "path"', input.mode);

  const delegationRoleName = field('delegationRoleName', ROLE_NAME, 'an IAM role name (at most 64 characters)');
  const trustedAccounts = list(input.trustedAccounts, `${path}.trustedAccounts`, (account, at) =>
    matching(account, ACCOUNT, at, 'a 12-digit AWS account id'),
  );
  if (trustedAccounts.length === 0) fail(`${path}.trustedAccounts`, 'at least one account (the role would trust nobody)', []);
  const delegatedNames = list(input.delegatedNames, `${path}.delegatedNames`, (name, at) => {
    const host = matching(name, HOST_NAME, at, 'a lower-case host name such as catalog.example.com');
    // Route 53 delegates only names below the zone, never the zone's own name.
    if (host === rootDomain || !inRootZone(host)) fail(at, `a name below ${rootDomain}`, host);
    return host;
  });
  return { mode: 'subdomain', rootDomain, hostedZoneId, delegationRoleName, trustedAccounts, delegatedNames };
}

function list(value: unknown, path: string, item: (value: unknown, path: string) => string): string[] {
  if (!Array.isArray(value)) fail(path, 'a list', value);
  return [...new Set(value.map((entry, index) => item(entry, `${path}[${index}]`)))];
}
