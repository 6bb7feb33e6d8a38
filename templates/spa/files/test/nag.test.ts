import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Acknowledgment, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import type { Options } from '../infra/config.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

interface Violation {
  ruleName: string;
  violatingConstructs: Array<{ constructPath: string }>;
}

const apps: TestApp[] = [];
afterAll(() => apps.forEach((app) => app.cleanUp()));
afterEach(() => vi.restoreAllMocks());

/**
 * Synthesizes the whole app the way infra/app.ts does (AwsSolutions pack registered as a CDK
 * validation plugin) and returns what cdk-nag reported: synth throws when a plugin fails, and
 * the report lands in the cloud assembly's validation-report.json either way.
 */
function synthWithNag(options: { bundle?: boolean; deployment?: unknown; options?: Partial<Options>; addToStack?: (stack: Stack) => void } = {}) {
  const test = testApp({ bundle: options.bundle });
  apps.push(test);
  if (options.deployment) test.app.node.setContext('sprout:deployment', options.deployment);
  const stack = buildApp(test.app, { ...(options.options ? { options: options.options } : {}) });
  options.addToStack?.(stack);
  let error: Error | undefined;
  try {
    test.app.synth();
  } catch (caught) {
    error = caught as Error;
  }
  const report = JSON.parse(readFileSync(join(test.outdir, 'validation-report.json'), 'utf8'));
  const violations: Violation[] = report.pluginReports.flatMap((plugin: { violations: Violation[] }) => plugin.violations);
  const findings = violations.flatMap((v) => v.violatingConstructs.map((c) => ({ rule: v.ruleName, path: c.constructPath })));
  return { error, findings, app: test.app, stack };
}

/** The app's other stacks: CDK's us-east-1 `edge-lambda-stack-…` that holds Lambda@Edge functions (and the release bucket). */
const edgeStacks = (app: { node: { children: unknown[] } }, main: Stack) => app.node.children.filter((child): child is Stack => child instanceof Stack && child !== main);
const sproutDeployment = { stage: 'prod', project: 'shop', service: 'shop', stackName: 'shop-prod', account: '111111111111', region: 'eu-west-1' };

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding for the whole app, frontend build included', () => {
    const { error, findings } = synthWithNag();
    expect(findings).toEqual([]);
    expect(error).toBeUndefined();
  });

  it.each<[string, Partial<Options>]>([
    ['without the SPA fallback, with HTML caching off and retained buckets', { spaFallback: false, htmlCacheSeconds: 0, bucketRemovalPolicy: 'retain' }],
    ['with every edge location', { priceClass: 'PriceClass_All' }],
    ['without the release router', { releaseRouter: false }],
    ['with the release router caching the document for 5 minutes', { routerCacheSeconds: 300 }],
  ])('reports no unacknowledged finding %s', (_, options) => {
    const { error, findings } = synthWithNag({ bundle: false, options });
    expect(findings).toEqual([]);
    expect(error).toBeUndefined();
  });

  it.each([
    ['subdomain', { mode: 'subdomain', hostName: 'shop.example.com', parentZoneName: 'example.com', parentHostedZoneId: 'Z0123456789ABC', delegationRoleArn: 'arn:aws:iam::222222222222:role/sprout-dns-delegation-shop-prod' }],
    ['path', { mode: 'path', domainName: 'api.example.com', basePath: 'api/shop' }],
    ['no', undefined],
  ])('reports no unacknowledged finding when deployed by sprout to eu-west-1 (edge functions in a us-east-1 stack) with %s domain', (_, domain) => {
    const deployment = { ...sproutDeployment, ...(domain ? { domain } : {}) };
    const { error, findings } = synthWithNag({ bundle: false, deployment });
    expect(findings).toEqual([]);
    expect(error).toBeUndefined();
  });

  it.each([
    ['by plain cdk synth', undefined],
    ['deployed by sprout to eu-west-1, the us-east-1 edge stack included', sproutDeployment],
  ])('has only acknowledgements that silence a real finding, each with a reason, %s', (_, deployment) => {
    // Record the acknowledgements instead of applying them, then synthesize.
    const acknowledged: Array<Acknowledgment & { path: string }> = [];
    vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(function (this: Validations, ...acks) {
      for (const ack of acks) acknowledged.push({ ...ack, path: (this as unknown as { scope: Stack }).scope.node.path });
    });
    const { error, findings, app, stack } = synthWithNag({ bundle: false, deployment });
    // cdk-nag checks every stack of the app: what the edge stack holds is found (and acknowledged) too.
    for (const edge of edgeStacks(app, stack)) {
      expect(findings.some((finding) => finding.path.startsWith(`${edge.node.path}/`)), `findings in ${edge.node.path}`).toBe(true);
    }

    expect(error?.message).toMatch(/\(AwsSolutions\)/);
    expect(acknowledged.length).toBeGreaterThan(0);
    const covers = (ack: { id: string; path: string }, finding: { rule: string; path: string }) =>
      finding.rule === ack.id && finding.path.startsWith(`${ack.path}/`);
    for (const ack of acknowledged) {
      expect(findings.some((finding) => covers(ack, finding)), `stale acknowledgement ${ack.id} at ${ack.path}`).toBe(true);
      expect(ack.reason.length, `reason for ${ack.id}`).toBeGreaterThan(60);
    }
    for (const finding of findings) {
      expect(acknowledged.some((ack) => covers(ack, finding)), `${finding.rule} at ${finding.path}`).toBe(true);
    }
  });

  it('fails synthesis when new code breaks a rule', () => {
    const { error, findings } = synthWithNag({
      bundle: false,
      addToStack: (stack) => new s3.Bucket(stack, 'Unlogged', { enforceSSL: true }),
    });
    expect(error?.message).toMatch(/\(AwsSolutions\)/);
    expect(findings).toContainEqual({ rule: 'AwsSolutions-S1', path: expect.stringMatching(/\/Unlogged\/Resource$/) });
  });
});
