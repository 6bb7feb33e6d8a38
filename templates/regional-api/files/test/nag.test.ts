import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Acknowledgment, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

interface Violation {
  ruleName: string;
  violatingConstructs: Array<{ constructPath: string }>;
}

const apps: TestApp[] = [];
afterAll(() => apps.forEach((app) => app.cleanUp()));
afterEach(() => vi.restoreAllMocks());

/**
 * Synthesizes the whole app the way infra/app.ts does (AwsSolutions pack
 * registered as a CDK validation plugin) and returns what cdk-nag reported:
 * synth throws when a plugin fails, and the report lands in the cloud
 * assembly's validation-report.json either way.
 */
function synthWithNag(options: { bundle?: boolean; deployment?: unknown; addToStack?: (stack: Stack) => void } = {}) {
  const test = testApp({ bundle: options.bundle });
  apps.push(test);
  if (options.deployment) test.app.node.setContext('sprout:deployment', options.deployment);
  const stack = buildApp(test.app);
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
  return { error, findings };
}

describe('cdk-nag AwsSolutions', () => {
  it('reports no unacknowledged finding for the whole app', () => {
    const { error, findings } = synthWithNag();
    expect(findings).toEqual([]);
    expect(error).toBeUndefined();
  });

  it.each([
    ['in another account', { delegationRoleArn: 'arn:aws:iam::222222222222:role/sprout-dns-delegation-shop-prod' }],
    ['in the same account', {}],
  ])('reports no unacknowledged finding in either stack when deployed by sprout with a subdomain, parent zone %s', (_, role) => {
    const domain = { mode: 'subdomain', hostName: 'shop.example.com', parentZoneName: 'example.com', parentHostedZoneId: 'Z0123456789ABC', ...role };
    const deployment = { stage: 'prod', project: 'shop', service: 'shop', stackName: 'shop-prod', account: '111111111111', region: 'eu-west-1', domain };
    const { error, findings } = synthWithNag({ bundle: false, deployment });
    expect(findings).toEqual([]);
    expect(error).toBeUndefined();
  });

  it('has only acknowledgements that silence a real finding, each with a reason', () => {
    // Record the acknowledgements instead of applying them, then synthesize.
    const acknowledged: Array<Acknowledgment & { path: string }> = [];
    vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(function (this: Validations, ...acks) {
      for (const ack of acks) acknowledged.push({ ...ack, path: (this as unknown as { scope: Stack }).scope.node.path });
    });
    const { error, findings } = synthWithNag({ bundle: false });

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
      addToStack: (stack) =>
        new dynamodb.Table(stack, 'Unprotected', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }),
    });
    expect(error?.message).toMatch(/\(AwsSolutions\)/);
    expect(findings).toContainEqual({ rule: 'AwsSolutions-DDB3', path: expect.stringMatching(/\/Unprotected\/Resource$/) });
  });
});
