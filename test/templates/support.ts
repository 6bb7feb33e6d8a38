import { createRequire } from 'node:module';
import { mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';

import validateAsl from 'asl-validator';
import { execa } from 'execa';

import { loadCatalog } from '../../src/catalog/catalog.js';
import { type DeployPlan, resolvePlan } from '../../src/deploy/plan.js';
import { FLAG_OUTPUTS } from '../../src/feature-flags/select.js';
import { toolkitRunner } from '../../src/deploy/toolkit-runner.js';
import { loadProjectConfig, saveProjectConfig } from '../../src/project/config-file.js';
import { execaExec } from '../../src/core/exec.js';
import { createProject } from '../../src/scaffold/create.js';
import { ownDependencyVersions } from '../../src/scaffold/versions.js';
import { noPrompter } from '../../src/ui/prompts.js';
import { plainTaskRunner } from '../../src/ui/tasks.js';
import { repoRoot } from '../helpers/cli.js';

export interface HarnessCase {
  id: string;
  /** --option values of this variant. */
  options: string[];
  /**
   * The domain mode this variant deploys with (a template with a domain.mode option runs once per
   * mode); `none` for a template without an HTTP endpoint, which refuses a domain.
   */
  domainMode: 'subdomain' | 'path' | 'none';
}

/** The harness cases of one template: one per domain mode it offers. It must be ready (have files/). */
export function harnessCases(id: string): HarnessCase[] {
  const pattern = loadCatalog().find((p) => p.manifest.id === id);
  if (!pattern) throw new Error(`No template "${id}" in the catalog`);
  if (pattern.status !== 'ready') throw new Error(`Template "${id}" is not ready (no files/): nothing to test`);
  if (!pattern.manifest.httpEndpoint) return [{ id, options: [], domainMode: 'none' }];
  const mode = pattern.manifest.options.find((o) => o.configPath === 'domain.mode');
  if (mode?.type !== 'enum') return [{ id, options: [], domainMode: 'subdomain' }];
  return mode.choices.map((choice) => ({ id, options: [`${mode.name}=${choice}`], domainMode: choice as HarnessCase['domainMode'] }));
}

/** Generates a project through the real `create` code path: no prompts, no install, no git. */
export async function generate(id: string, options: string[] = []): Promise<string> {
  const parent = await mkdtemp(join(tmpdir(), `sprout-harness-${id}-`));
  const { result } = await createProject(
    { dir: id, pattern: id, options, yes: true, install: false, git: false, force: false, dryRun: false },
    {
      cwd: parent,
      interactive: false,
      prompter: noPrompter,
      catalog: () => loadCatalog(),
      fetchTemplate: () => Promise.reject(new Error('catalog templates are never fetched')),
      exec: execaExec,
      tasks: plainTaskRunner(() => {}),
      reporter: { info: () => {}, warn: (message) => console.warn(message) },
      versions: ownDependencyVersions,
    },
  );
  return result.dir;
}

/**
 * Stands in for `npm install`: this repository's node_modules (the exact versions the project
 * pins) linked into the project, and the lock file an install leaves, which NodejsFunction
 * looks for to find the project root.
 */
export async function linkDependencies(dir: string): Promise<void> {
  await symlink(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const pkg = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
  await writeFile(join(dir, 'package-lock.json'), `${JSON.stringify({ name: pkg.name, lockfileVersion: 3, requires: true, packages: {} }, null, 2)}\n`);
}

/** The environment of a user's shell: none of this test run's VITEST_* variables leak into the project's own run. */
export function cleanEnv(): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('VITEST') && key !== 'NODE_ENV' && key !== 'TEST') env[key] = value;
  }
  return { ...env, CI: 'true', CDK_DISABLE_CLI_TELEMETRY: 'true', NO_COLOR: '1', FORCE_COLOR: '0' };
}

/**
 * Runs one of the project's own npm scripts; the failure message carries its output. Give it a
 * `timeoutMs` under the test's own timeout: a hung script is then killed and its output so far
 * is in the failure, instead of vitest abandoning the test with nothing to show.
 */
export async function npmScript(dir: string, script: string, args: string[] = [], timeoutMs?: number): Promise<string> {
  const result = await execa('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], {
    cwd: dir,
    env: cleanEnv(),
    extendEnv: false,
    reject: false,
    all: true,
    ...(timeoutMs ? { timeout: timeoutMs, forceKillAfterDelay: 5_000 } : {}),
  });
  if (result.timedOut) throw new Error(`npm run ${script} was killed after ${timeoutMs! / 1000} s; its output so far:\n${String(result.all).slice(-6000)}`);
  if (result.exitCode !== 0) throw new Error(`npm run ${script} failed (exit ${result.exitCode}):\n${String(result.all).slice(-6000)}`);
  return stripVTControlCharacters(String(result.all));
}

/** Every synthesized template under the project: its cdk.out, or each workspace package's. */
export async function synthesizedTemplates(dir: string, depth = 0): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.name === 'cdk.out') found.push(...(await readdir(path)).filter((f) => f.endsWith('.template.json')).map((f) => join(path, f)));
    else if (depth < 2) found.push(...(await synthesizedTemplates(path, depth + 1)));
  }
  return found;
}

interface CfnDiagnostic {
  severity: string;
  ruleId: string;
  message: string;
  path?: unknown;
}

interface CfnValidate {
  CompositeEngine: new () => {
    validateTemplate(template: unknown, config: Record<string, unknown>): { diagnostics: CfnDiagnostic[] };
    free(): void;
  };
  TemplateFile: new (path: string) => unknown;
}

/**
 * AWS's own offline CloudFormation validator, the copy bundled in aws-cdk-lib (not in its
 * exports, so it is required by path). Returns every ERROR and FATAL finding.
 */
export function validateCloudFormation(templates: string[]): string[] {
  const require = createRequire(import.meta.url);
  const cdkLib = join(require.resolve('aws-cdk-lib/package.json'), '..');
  const cfv = require(join(cdkLib, 'node_modules', '@aws', 'cloudformation-validate')) as CfnValidate;
  const engine = new cfv.CompositeEngine();
  try {
    const problems: string[] = [];
    for (const template of templates) {
      const report = engine.validateTemplate(new cfv.TemplateFile(template), {
        detailLevel: 'STANDARD',
        severityLevel: 'WARN',
        pseudoParameterOverrides: { region: 'us-east-1', accountId: '123456789012' },
      });
      for (const d of report.diagnostics) {
        if (d.severity === 'ERROR' || d.severity === 'FATAL') problems.push(`${template}: ${d.severity} ${d.ruleId} ${d.message}`);
      }
    }
    return problems;
  } finally {
    engine.free();
  }
}

/**
 * Every state machine definition in a synthesized template, as JSON. CDK writes
 * DefinitionString as an Fn::Join of text and references; the references become a
 * placeholder ARN so the definition can be parsed and validated.
 */
export async function stateMachineDefinitions(templatePath: string): Promise<Array<{ id: string; definition: unknown }>> {
  const template = JSON.parse(await readFile(templatePath, 'utf8')) as { Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }> };
  const found: Array<{ id: string; definition: unknown }> = [];
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
    const props = resource.Properties ?? {};
    if (props.Definition) found.push({ id, definition: props.Definition });
    else if (props.DefinitionString) found.push({ id, definition: JSON.parse(flatten(props.DefinitionString)) });
  }
  return found;
}

export const CI_ACCOUNT = '123456789012';
const PLACEHOLDER_ARN = `arn:aws:lambda:eu-west-1:${CI_ACCOUNT}:function:placeholder`;

/** The pseudo parameters a definition's ARNs are built from (`arn:${AWS::Partition}:states:::sqs:sendMessage`). */
const PSEUDO_PARAMETERS: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'eu-west-1',
  'AWS::AccountId': CI_ACCOUNT,
  'AWS::URLSuffix': 'amazonaws.com',
};

/** A DefinitionString as text: pseudo parameters resolved, any other reference (a function's ARN…) a placeholder ARN. */
function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(flatten).join(join[0]);
  const ref = (value as { Ref?: string }).Ref;
  if (ref && ref in PSEUDO_PARAMETERS) return PSEUDO_PARAMETERS[ref]!;
  return PLACEHOLDER_ARN;
}

export function aslProblems(definition: unknown): string[] {
  const { isValid, errorsText } = validateAsl(definition as never, { checkPaths: true, checkArn: true });
  return isValid ? [] : [errorsText('\n')];
}

const DNS_ACCOUNT = '210987654321';

/**
 * Gives the generated project an AWS stage "ci", with a domain (unless the mode is `none`): a
 * workspace in subdomain mode gets its zone in another account (so the platform's delegation role
 * is exercised), path mode and single apps keep it in the stage's account.
 */
export async function addCiStage(dir: string, mode: HarnessCase['domainMode']): Promise<void> {
  const loaded = await loadProjectConfig(dir);
  const stages = { ...loaded.config.stages, ci: { account: CI_ACCOUNT, region: 'eu-west-1' } };
  if (mode === 'none') {
    await saveProjectConfig(loaded, { ...loaded.config, stages });
    return;
  }
  const workspace = loaded.config.services !== undefined;
  const domain = {
    name: 'example.com',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    ...loaded.config.domain,
    mode,
    account: workspace && mode === 'subdomain' ? DNS_ACCOUNT : CI_ACCOUNT,
  };
  await saveProjectConfig(loaded, { ...loaded.config, stages, domain });
}

/** Resolves the deploy plan for the ci stage with sprout's own code and synthesizes each app with the CDK Toolkit Library. */
export async function synthesizeStage(dir: string): Promise<{ plan: DeployPlan; templates: string[] }> {
  const loaded = await loadProjectConfig(dir);
  const plan = resolvePlan(loaded.config, dir, { stage: 'ci' });
  const runner = toolkitRunner({ sessionName: () => 'sprout-harness' });
  const templates: string[] = [];
  for (const target of plan.targets) {
    const stacks = await runner.synth(target, () => {});
    templates.push(...stacks.map((stack) => stack.templateFile));
  }
  return { plan, templates };
}

interface SynthesizedTemplate {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  Outputs?: Record<string, { Value?: unknown }>;
}

/**
 * What each service stack of the plan lacks of the feature flag plumbing (templates/README.md,
 * "Feature flags"): an `AWS.AppConfig.FeatureFlags` profile, and the four outputs `sprout flags`
 * finds the store by, FlagsProfileId naming that profile. The platform app has no flags.
 */
export async function flagPlumbingProblems(templatePaths: string[], plan: DeployPlan): Promise<string[]> {
  const problems: string[] = [];
  for (const target of plan.targets.filter((t) => t.kind === 'service')) {
    const path = templatePaths.find((p) => basename(p) === `${target.stackName}.template.json`);
    if (!path) {
      problems.push(`${target.stackName}: no synthesized template`);
      continue;
    }
    const template = JSON.parse(await readFile(path, 'utf8')) as SynthesizedTemplate;
    const profiles = Object.entries(template.Resources ?? {})
      .filter(([, resource]) => resource.Type === 'AWS::AppConfig::ConfigurationProfile' && resource.Properties?.Type === 'AWS.AppConfig.FeatureFlags')
      .map(([logicalId]) => logicalId);
    if (profiles.length === 0) problems.push(`${target.stackName}: no AWS::AppConfig::ConfigurationProfile of type AWS.AppConfig.FeatureFlags`);
    const outputs = template.Outputs ?? {};
    for (const key of Object.values(FLAG_OUTPUTS)) {
      if (!outputs[key]) problems.push(`${target.stackName}: no ${key} output`);
    }
    const profileOutput = JSON.stringify(outputs[FLAG_OUTPUTS.profileId]?.Value ?? null);
    if (outputs[FLAG_OUTPUTS.profileId] && !profiles.some((logicalId) => profileOutput.includes(`"${logicalId}"`))) {
      problems.push(`${target.stackName}: ${FLAG_OUTPUTS.profileId} is not the feature flag profile's id (${profileOutput})`);
    }
  }
  return problems;
}
