// Copied from sprout's src/runtime/cdk by `npm run sync:runtime`: edit it there, not in a project.

/**
 * The checks shared by the context values `sprout deploy` passes to a CDK app (`sprout:deployment`
 * for a service, `sprout:platform` for the platform app) and the names derived from sprout.json.
 * Plain checks, no schema library, and every error names the field.
 */

export const ACCOUNT = /^\d{12}$/;
export const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/;
export const STAGE = /^[A-Za-z0-9_-]{1,64}$/;
// CloudFormation: starts with a letter, then letters, digits and dashes, at most 128 characters.
export const STACK_NAME = /^[A-Za-z][A-Za-z0-9-]{0,127}$/;
export const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
export const HOSTED_ZONE_ID = /^Z[A-Z0-9]{4,32}$/;
export const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
export const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/**
 * A context value as an object: the object the CDK Toolkit Library passes, or the JSON string
 * typed by hand (`cdk synth -c <key>='{…}'`). Errors name the context key.
 */
export function contextObject(value: unknown, key: string): Record<string, unknown> {
  return objectAt(typeof value === 'string' ? parseJson(value, key) : value, key);
}

function parseJson(text: string, key: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${key} is not valid JSON (${(error as Error).message})`);
  }
}

export function objectAt(value: unknown, path: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value);
  return value as Record<string, unknown>;
}

export function matching(value: unknown, pattern: RegExp, path: string, expected: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) fail(path, expected, value);
  return value;
}

/** `field(name, pattern, expected)`: `input[name]` when it matches; the error names `<path>.<name>`. */
export function fieldsAt(input: Record<string, unknown>, path: string) {
  return (name: string, pattern: RegExp, expected: string): string => matching(input[name], pattern, `${path}.${name}`, expected);
}

/** Where the stack goes, as every context value sprout passes says it. */
export interface StackPlacement {
  stackName: string;
  account: string;
  region: string;
}

export function stackPlacement(input: Record<string, unknown>, path: string): StackPlacement {
  const field = fieldsAt(input, path);
  return {
    stackName: field('stackName', STACK_NAME, 'a CloudFormation stack name (a letter, then letters, digits and -)'),
    account: field('account', ACCOUNT, 'a 12-digit AWS account id'),
    region: field('region', REGION, 'an AWS region such as eu-west-1'),
  };
}

export function fail(path: string, expected: string, got: unknown): never {
  throw new Error(`${path} must be ${expected} (got ${got === undefined ? 'nothing' : JSON.stringify(got)})`);
}

/** `@acme/shop` → `acme-shop`: CloudFormation stack names allow [A-Za-z0-9-] and start with a letter. */
export function toResourceName(packageName: string): string {
  const name = packageName
    .replace(/^@/, '')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (name === '') throw new Error(`sprout.json: cannot derive a resource name from "${packageName}"`);
  return /^[A-Za-z]/.test(name) ? name : `app-${name}`;
}
