import { readFileSync } from 'node:fs';
import type { DeploymentDomain, SproutDeployment } from './sprout/deployment.js';
import { toResourceName } from './sprout/context-values.js';

export { toResourceName };

export type TableRemovalPolicy = 'retain' | 'destroy';

export interface Options {
  throttleRateLimit: number;
  throttleBurstLimit: number;
  pageSize: number;
  tableRemovalPolicy: TableRemovalPolicy;
}

export interface Config {
  /** The npm package name from sprout.json, e.g. `shop` or `@acme/shop`. */
  projectName: string;
  /** `projectName` made safe for stack names, log groups and metric namespaces: `acme-shop`. */
  resourceName: string;
  stage: string;
  stackName: string;
  /** Set when `sprout deploy` chose the account and region; absent for a plain `cdk synth`. */
  env?: { account: string; region: string };
  /** The custom domain `sprout deploy` planned for the API, if sprout.json has a `domain`. */
  domain?: DeploymentDomain;
  options: Options;
}

export interface SproutFile {
  name?: unknown;
  options?: Record<string, unknown>;
  stages?: Record<string, unknown>;
  defaultStage?: unknown;
}

const sproutJsonUrl = new URL('../sprout.json', import.meta.url);

/**
 * Reads sprout.json next to this project's package.json. `stage` comes from `-c stage=…`;
 * `deployment` is the `sprout:deployment` context that `sprout deploy` passes (see
 * infra/sprout/deployment.ts), and wins over both.
 */
export function loadConfig(stage?: string, deployment?: SproutDeployment): Config {
  const sprout = JSON.parse(readFileSync(sproutJsonUrl, 'utf8')) as SproutFile;
  return resolveConfig(sprout, stage, deployment);
}

export function resolveConfig(sprout: SproutFile, stageFromContext?: string, deployment?: SproutDeployment): Config {
  if (typeof sprout.name !== 'string' || sprout.name === '') fail('"name" must be a non-empty string');
  const projectName = sprout.name;
  const resourceName = toResourceName(projectName);
  const options = parseOptions(sprout.options ?? {});
  if (deployment) {
    // sprout resolved the stage from the workspace's sprout.json, which may list stages this file does not.
    const { stage, stackName, account, region, domain } = deployment;
    return { projectName, resourceName, stage, stackName, env: { account, region }, ...(domain ? { domain } : {}), options };
  }
  const stages = Object.keys(sprout.stages ?? {});
  const stage = stageFromContext ?? sprout.defaultStage;
  if (typeof stage !== 'string' || !stages.includes(stage)) {
    fail(`stage "${String(stage)}" is not one of the stages in sprout.json (${stages.join(', ') || 'none'})`);
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(stage)) fail(`stage "${stage}" may only use letters, digits, - and _`);
  return { projectName, resourceName, stage, stackName: `${resourceName}-${stage}`.slice(0, 128), options };
}

function parseOptions(options: Record<string, unknown>): Options {
  const removal = options.tableRemovalPolicy;
  if (removal !== 'retain' && removal !== 'destroy') {
    fail(`options.tableRemovalPolicy must be "retain" or "destroy" (got ${JSON.stringify(removal)})`);
  }
  return {
    throttleRateLimit: integer(options, 'throttleRateLimit', 1, 10_000),
    throttleBurstLimit: integer(options, 'throttleBurstLimit', 1, 5_000),
    pageSize: integer(options, 'pageSize', 1, 100),
    tableRemovalPolicy: removal,
  };
}

function integer(options: Record<string, unknown>, name: string, min: number, max: number): number {
  const value = options[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(`options.${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`);
  }
  return value;
}

function fail(message: string): never {
  throw new Error(`sprout.json: ${message}`);
}
