import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Acknowledgment, type Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import { type TestApp, testApp } from './helpers/cdk.js';
import { pathContext, subdomainContext } from './helpers/contexts.js';

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
function synthWithNag(platform: unknown, addToStack?: (stack: Stack) => void) {
  const test = testApp(platform);
  apps.push(test);
  const stack = buildApp(test.app);
  addToStack?.(stack);
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

const modes: Array<[string, unknown]> = [
  ['subdomain', subdomainContext],
  ['path', pathContext],
  ['local preview', undefined],
];

describe('cdk-nag AwsSolutions', () => {
  it.each(modes)('reports no unacknowledged finding (%s)', (_, platform) => {
    const { error, findings } = synthWithNag(platform);
    expect(findings).toEqual([]);
    expect(error).toBeUndefined();
  });

  it('has only acknowledgements that silence a real finding, each with a reason', () => {
    // Record the acknowledgements instead of applying them, then synthesize.
    const acknowledged: Array<Acknowledgment & { path: string }> = [];
    vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(function (this: Validations, ...acks) {
      for (const ack of acks) acknowledged.push({ ...ack, path: (this as unknown as { scope: Stack }).scope.node.path });
    });
    const { error, findings } = synthWithNag(subdomainContext);

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
    const { error, findings } = synthWithNag(subdomainContext, (stack) => {
      const role = new iam.Role(stack, 'TooBroad', { assumedBy: new iam.AccountRootPrincipal() });
      role.addToPolicy(new iam.PolicyStatement({ actions: ['route53:*'], resources: ['*'] }));
    });
    expect(error?.message).toMatch(/\(AwsSolutions\)/);
    expect(findings).toContainEqual({ rule: expect.stringMatching(/^AwsSolutions-IAM5/), path: expect.stringMatching(/\/TooBroad\//) });
  });
});
