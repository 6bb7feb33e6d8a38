import { z } from 'zod';

import { PROJECT_SCHEMA_URL } from './ids.js';

export { PROJECT_SCHEMA_URL } from './ids.js';

/**
 * sprout.json, the one declarative file of a project. This zod schema is the source of truth;
 * schemas/sprout.schema.json is generated from it (npm run schema) for editors, and a test
 * keeps the two in step.
 */

const accountId = z.string().regex(/^\d{12}$/, { error: 'expected a 12-digit AWS account id, such as "123456789012"' });
const region = z.string().regex(/^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d$/, { error: 'expected an AWS region, such as "eu-west-1"' });
const roleArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, { error: 'expected an IAM role ARN, such as "arn:aws:iam::123456789012:role/deployer"' });
const roleName = z.string().regex(/^[\w+=,.@-]{1,64}$/, { error: 'expected an IAM role name, such as "OrganizationAccountAccessRole"' });
const profile = z.string().min(1, { error: 'expected an AWS CLI profile name' });
const hostName = z
  .string()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, { error: 'expected a lower-case host name, such as "catalog.example.com"' });
const basePath = z
  .string()
  .regex(/^\/?[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/, { error: 'expected a base path of lower-case segments, such as "/api/orders"' });
const name = z.string().regex(/^[a-z][a-z0-9-]{0,39}$/, { error: 'expected lower-case letters, digits and dashes, starting with a letter (at most 40)' });
const dnsLabel = z.string().regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)?$/, { error: 'expected a DNS label such as "dev", or "" for none' });

const credentials = {
  /** An AWS CLI profile (SSO, static keys, or a profile that assumes a role). */
  profile: profile.optional(),
  /** A role to assume from the base credentials. */
  roleArn: roleArn.optional(),
};

/** Where a stage's feature flags live (sprout flags …). Without it: local for the local stage, AppConfig elsewhere. */
export const stageFlagsSchema = z.strictObject({
  store: z.enum(['appconfig', 'lambda-env', 'local']).optional(),
  /** AppConfig: the application, environment and profile ids (or names); default: the stack outputs Flags*Id. */
  application: z.string().min(1).optional(),
  environment: z.string().min(1).optional(),
  profile: z.string().min(1).optional(),
  /** AppConfig: the deployment strategy for flag changes (an id, or a predefined name such as AppConfig.Linear50PercentEvery30Seconds). */
  strategy: z.string().min(1).optional(),
  /** lambda-env: the functions that carry the flags, and an alias to move after each change. */
  functions: z.array(z.string().min(1)).min(1).optional(),
  alias: z.string().min(1).optional(),
});

export const stageSchema = z
  .strictObject({
    description: z.string().optional(),
    account: accountId.optional(),
    region: region.optional(),
    ...credentials,
    /** A role of this name is assumed in each account the stage deploys to (multi-account stages). */
    roleName: roleName.optional(),
    /** The label this stage adds to host names: catalog.<label>.example.com. Default: the stage name; "" for none. */
    domainLabel: dnsLabel.optional(),
    flags: stageFlagsSchema.optional(),
  })
  .refine((stage) => !(stage.profile && stage.roleArn), { error: 'give profile or roleArn, not both' });

export const domainSchema = z.strictObject({
  /** The root domain, whose Route 53 hosted zone exists already. */
  name: hostName,
  /** The account that owns the hosted zone. Default: the account of the service (or stage). */
  account: accountId.optional(),
  hostedZoneId: z.string().regex(/^Z[A-Z0-9]{4,32}$/, { error: 'expected a Route 53 hosted zone id, such as "Z0123456789ABCDEFGHIJ"' }),
  mode: z.enum(['subdomain', 'path']),
  /** Where the platform stack goes (the DNS account's delegation role, or the shared path-mode domain). */
  region: region.optional(),
  /** Path mode: the prefix of every default base path (api → /api/<service>). */
  basePathPrefix: z.string().regex(/^([a-z0-9][a-z0-9-]*(\/[a-z0-9][a-z0-9-]*)*)?$/).optional(),
});

const serviceOverrideFields = {
  account: accountId.optional(),
  region: region.optional(),
  ...credentials,
  /** Subdomain mode: the host name, replacing <service>.<label>.<root>. */
  domain: hostName.optional(),
  /** Path mode: the base path, replacing /<prefix>/<service>. */
  basePath: basePath.optional(),
};

export const serviceOverrideSchema = z
  .strictObject(serviceOverrideFields)
  .refine((o) => !(o.profile && o.roleArn), { error: 'give profile or roleArn, not both' });

export const serviceSchema = z
  .strictObject({
    /** The service's folder, relative to sprout.json. */
    path: z
      .string()
      .min(1)
      .refine((p) => !p.startsWith('/') && !p.split(/[\\/]/).includes('..'), { error: 'expected a folder inside the project, such as "services/catalog"' }),
    pattern: z.string().min(1),
    ...serviceOverrideFields,
    /** Per-stage overrides of account, region, credentials, domain or base path. */
    stages: z.record(z.string(), serviceOverrideSchema).optional(),
  })
  .refine((o) => !(o.profile && o.roleArn), { error: 'give profile or roleArn, not both' });

export const projectConfigSchema = z
  .looseObject({
    $schema: z.string().optional(),
    name: z.string().min(1),
    pattern: z.string().min(1),
    template: z.string().optional(),
    options: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
    stages: z.record(name, stageSchema),
    defaultStage: z.string().default('local'),
    domain: domainSchema.optional(),
    services: z.record(name, serviceSchema).optional(),
  })
  .superRefine((config, ctx) => {
    if (!config.stages[config.defaultStage]) {
      ctx.addIssue({ code: 'custom', path: ['defaultStage'], message: `"${config.defaultStage}" is not one of the stages (${Object.keys(config.stages).join(', ')})` });
    }
    for (const [service, entry] of Object.entries(config.services ?? {})) {
      for (const stage of Object.keys(entry.stages ?? {})) {
        if (!config.stages[stage]) {
          ctx.addIssue({ code: 'custom', path: ['services', service, 'stages', stage], message: `"${stage}" is not one of the stages (${Object.keys(config.stages).join(', ')})` });
        }
      }
    }
  });

export type ProjectConfig = z.infer<typeof projectConfigSchema>;
export type StageConfig = z.infer<typeof stageSchema>;
export type StageFlagsConfig = z.infer<typeof stageFlagsSchema>;
export type DomainConfig = z.infer<typeof domainSchema>;
export type ServiceConfig = z.infer<typeof serviceSchema>;
export type ServiceOverride = z.infer<typeof serviceOverrideSchema>;


/** The JSON Schema for editors, generated from the zod schema. */
export function projectJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(projectConfigSchema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return { ...schema, $id: PROJECT_SCHEMA_URL, title: 'sprout.json', description: 'The sprout project configuration: stages, domain and services.' };
}
