// Ships into every generated project as test/sprout/cdk-app.ts (npm run sync:runtime in sprout).
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';

/** The feature flags in the project's cdk.json, so tests synthesize what `cdk synth` synthesizes. */
function cdkJsonContext(): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context;
}

export interface TestApp {
  app: App;
  outdir: string;
  cleanUp(): void;
}

/**
 * An App writing to a temporary folder, without AWS's CloudFormation validator
 * (slow, and not what these tests check). `bundle: false` skips esbuild for
 * tests that only look at the construct tree, as `cdk synth --exclusively` would.
 */
export function testApp({ bundle = true } = {}): TestApp {
  const outdir = mkdtempSync(join(tmpdir(), 'cdk-test-'));
  const context = { ...cdkJsonContext(), ...(bundle ? {} : { 'aws:cdk:bundling-stacks': [] }) };
  const app = new App({ outdir, context, builtinCloudFormationValidation: false });
  return { app, outdir, cleanUp: () => rmSync(outdir, { recursive: true, force: true }) };
}
