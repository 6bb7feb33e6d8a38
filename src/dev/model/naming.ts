import { createHash } from 'node:crypto';

import { LOCAL_ACCOUNT, LOCAL_PARTITION, LOCAL_REGION } from '../types.js';

/** A stable hex digest: the same app always gets the same local names and ids across restarts. */
export function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const UPPER_ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `length` characters from `alphabet`, derived from the parts (API ids, CloudFront ids, ...). */
export function stableId(length: number, alphabet: string, ...parts: string[]): string {
  const bytes = createHash('sha256').update(parts.join('\u0000')).digest();
  let id = '';
  for (let i = 0; id.length < length; i++) {
    const byte = bytes[i % bytes.length]! ^ Math.floor(i / bytes.length);
    id += alphabet[byte % alphabet.length];
  }
  return id;
}

export function lowerId(length: number, ...parts: string[]): string {
  return stableId(length, LOWER_ALNUM, ...parts);
}

export function upperId(length: number, ...parts: string[]): string {
  return stableId(length, UPPER_ALNUM, ...parts);
}

/** A UUID-shaped stable id (event source mappings, KMS keys, stack ids, policies). */
export function stableUuid(...parts: string[]): string {
  const hex = digest(...parts);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * The name CloudFormation would generate, made deterministic: `<stack>-<logicalId>`, cut to the
 * service's limit with a hash suffix so two long ids never collide. `suffix` (`.fifo`) counts in
 * the limit as AWS counts it.
 */
export function generatedName(stack: string, logicalId: string, maxLength: number, suffix = ''): string {
  const base = `${stack}-${logicalId}`;
  const room = maxLength - suffix.length;
  if (base.length <= room) return base + suffix;
  const hash = digest(stack, logicalId).slice(0, 8);
  return `${base.slice(0, room - hash.length - 1)}-${hash}${suffix}`;
}

/** S3's rules: 3–63 chars of [a-z0-9.-], starting and ending with a letter or digit. */
export function bucketName(stack: string, logicalId: string): string {
  const cleaned = `${stack}-${logicalId}`
    .toLowerCase()
    .replace(/[^a-z0-9.-]/g, '-')
    .replace(/^[^a-z0-9]+/, '')
    .replace(/[^a-z0-9]+$/, '');
  const base = cleaned.length >= 3 ? cleaned : `${cleaned}bucket`;
  if (base.length <= 63) return base;
  const hash = digest(stack, logicalId).slice(0, 8);
  return `${base.slice(0, 63 - hash.length - 1).replace(/[^a-z0-9]+$/, '')}-${hash}`;
}

/** arn:aws:<service>:us-east-1:000000000000:<resource> (region/account omitted for global services by passing ''). */
export function arn(service: string, resource: string, options: { region?: string; account?: string } = {}): string {
  const region = options.region ?? LOCAL_REGION;
  const account = options.account ?? LOCAL_ACCOUNT;
  return `arn:${LOCAL_PARTITION}:${service}:${region}:${account}:${resource}`;
}

/** The ARN service namespace of a CloudFormation type (`AWS::StepFunctions::X` → `states`). */
export function serviceOfType(type: string): string {
  const [vendor, service = 'unknown'] = type.split('::');
  if (vendor !== 'AWS') return 'cloudformation';
  const known: Record<string, string> = {
    StepFunctions: 'states',
    Cognito: 'cognito-idp',
    ElasticLoadBalancingV2: 'elasticloadbalancing',
    CertificateManager: 'acm',
    Events: 'events',
    Scheduler: 'scheduler',
    CloudWatch: 'cloudwatch',
    ApiGatewayV2: 'apigateway',
    WAFv2: 'wafv2',
    KinesisFirehose: 'firehose',
    SecretsManager: 'secretsmanager',
  };
  return known[service] ?? service.toLowerCase();
}
