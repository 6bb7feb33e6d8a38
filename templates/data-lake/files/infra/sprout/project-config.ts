// Copied from sprout's src/runtime/cdk by `npm run sync:runtime`: edit it there, not in a project.
import { readFileSync } from 'node:fs';
import { STAGE, toResourceName } from './context-values.js';
import type { DeploymentDomain, SproutDeployment } from './deployment.js';

/**
 * What a project's CDK app knows at synth time, from sprout.json and the `sprout:deployment`
 * context: the same for every template. Each template adds its own `options` by giving a parser.
 */
export interface ProjectConfig<Options> {
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

/** sprout.json as the CDK app reads it: nothing is trusted until checked. */
export interface SproutFile {
  name?: unknown;
  options?: Record<string, unknown>;
  stages?: Record<string, unknown>;
  defaultStage?: unknown;
  [key: string]: unknown;
}

/** Turns sprout.json's `options` (and, for templates that keep more there, the whole file) into typed options. */
export type OptionsParser<Options> = (options: OptionReader, sprout: SproutFile) => Options;

/** Reads sprout.json; see resolveProjectConfig. */
export function loadProjectConfig<Options>(
  sproutJson: URL,
  parseOptions: OptionsParser<Options>,
  stage?: string,
  deployment?: SproutDeployment,
): ProjectConfig<Options> {
  const sprout = JSON.parse(readFileSync(sproutJson, 'utf8')) as SproutFile;
  return resolveProjectConfig(sprout, parseOptions, stage, deployment);
}

/**
 * `stage` comes from `-c stage=…`; `deployment` is the `sprout:deployment` context that
 * `sprout deploy` passes (see deployment.ts), and wins over both it and sprout.json's defaultStage.
 */
export function resolveProjectConfig<Options>(
  sprout: SproutFile,
  parseOptions: OptionsParser<Options>,
  stageFromContext?: string,
  deployment?: SproutDeployment,
): ProjectConfig<Options> {
  if (typeof sprout.name !== 'string' || sprout.name === '') fail('"name" must be a non-empty string');
  const projectName = sprout.name;
  const resourceName = toResourceName(projectName);
  const options = parseOptions(new OptionReader(sprout.options ?? {}), sprout);
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
  if (!STAGE.test(stage)) fail(`stage "${stage}" may only use letters, digits, - and _`);
  return { projectName, resourceName, stage, stackName: `${resourceName}-${stage}`.slice(0, 128), options };
}

/**
 * For a pattern that serves no HTTP (`"httpEndpoint": false` in its catalog entry): a custom
 * domain would have nothing to point at, so a `domain` in sprout.json stops synth. `reachedBy`
 * says how the project is reached instead ("S3 uploads trigger it").
 */
export function refuseDomain<Options>(config: ProjectConfig<Options>, pattern: string, reachedBy: string): ProjectConfig<Options> {
  if (config.domain) {
    fail(`the ${pattern} pattern has no HTTP endpoint (${reachedBy}), so it cannot take a custom domain: remove the "domain" section from sprout.json`);
  }
  return config;
}

/** Typed reads of sprout.json's `options`; every error names the option and shows the value. */
export class OptionReader {
  constructor(private readonly options: Record<string, unknown>) {}

  integer(name: string, min: number, max: number): number {
    const value = this.options[name];
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
      fail(`options.${name} must be an integer from ${min} to ${max} (got ${JSON.stringify(value)})`);
    }
    return value;
  }

  number(name: string, min: number, max: number): number {
    const value = this.options[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
      fail(`options.${name} must be a number from ${min} to ${max} (got ${JSON.stringify(value)})`);
    }
    return value;
  }

  boolean(name: string): boolean {
    const value = this.options[name];
    if (typeof value !== 'boolean') fail(`options.${name} must be true or false (got ${JSON.stringify(value)})`);
    return value;
  }

  /** A string, optionally matching `pattern` (described by `expected` in the error). */
  string(name: string, pattern?: RegExp, expected = `to match ${String(pattern)}`): string {
    const value = this.options[name];
    if (typeof value !== 'string' || (pattern && !pattern.test(value))) {
      fail(`options.${name} must be a string${pattern ? ` ${expected}` : ''} (got ${JSON.stringify(value)})`);
    }
    return value;
  }

  oneOf<const Choice extends string>(name: string, choices: readonly Choice[]): Choice {
    const value = this.options[name];
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
      fail(`options.${name} must be ${choices.map((c) => `"${c}"`).join(' or ')} (got ${JSON.stringify(value)})`);
    }
    return value as Choice;
  }
}

export function fail(message: string): never {
  throw new Error(`sprout.json: ${message}`);
}
