// Ships into every generated project as test/sprout/nag.ts (npm run sync:runtime in sprout).
// The project's test/nag.test.ts calls describeAwsSolutions(buildApp): the AwsSolutions pack must
// report nothing that is not acknowledged, and every acknowledgement must silence a real finding.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Acknowledgment, type App, Stack, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type TestApp, testApp } from './cdk-app.js';

interface Violation {
  ruleName: string;
  violatingConstructs: Array<{ constructPath: string }>;
}

export interface NagFinding {
  rule: string;
  path: string;
}

export interface SynthWithNagOptions {
  /** Bundle the Lambda code (slow); the tree is the same without it. */
  bundle?: boolean;
  /** The `sprout:deployment` context, as `sprout deploy` passes it. */
  deployment?: unknown;
  addToStack?: (stack: Stack) => void;
}

/**
 * Synthesizes the whole app the way infra/app.ts does (the AwsSolutions pack registered as a CDK
 * validation plugin) and returns what cdk-nag reported: synth throws when a plugin fails, and the
 * report lands in the cloud assembly's validation-report.json either way.
 */
export function synthWithNag(buildApp: (app: App) => Stack, options: SynthWithNagOptions = {}) {
  const test: TestApp = testApp({ bundle: options.bundle });
  try {
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
    const findings: NagFinding[] = violations.flatMap((v) => v.violatingConstructs.map((c) => ({ rule: v.ruleName, path: c.constructPath })));
    return { error, findings };
  } finally {
    test.cleanUp();
  }
}

export interface AwsSolutionsSuite {
  /** The suite's name, to tell apart the suites of several option variants. */
  name?: string;
  /** Extra `sprout:deployment` contexts to check, by name (a custom domain, an option…). */
  deployments?: Array<[string, unknown]>;
}

/** The cdk-nag suite every project runs over its whole app. */
export function describeAwsSolutions(buildApp: (app: App) => Stack, suite: AwsSolutionsSuite = {}): void {
  describe(suite.name ? `cdk-nag AwsSolutions (${suite.name})` : 'cdk-nag AwsSolutions', () => {
    afterEach(() => vi.restoreAllMocks());

    it('reports no unacknowledged finding for the whole app', () => {
      const { error, findings } = synthWithNag(buildApp);
      expect(findings).toEqual([]);
      expect(error).toBeUndefined();
    });

    if (suite.deployments?.length) {
      it.each(suite.deployments)('reports no unacknowledged finding when deployed by sprout (%s)', (_, deployment) => {
        const { error, findings } = synthWithNag(buildApp, { bundle: false, deployment });
        expect(findings).toEqual([]);
        expect(error).toBeUndefined();
      });
    }

    it('has only acknowledgements that silence a real finding, each with a reason', () => {
      // Record the acknowledgements instead of applying them, then synthesize.
      const acknowledged: Array<Acknowledgment & { path: string }> = [];
      vi.spyOn(Validations.prototype, 'acknowledge').mockImplementation(function (this: Validations, ...acks) {
        const path = (this as unknown as { scope: Stack }).scope.node.path;
        for (const ack of acks) acknowledged.push({ ...ack, path });
      });
      const { error, findings } = synthWithNag(buildApp, { bundle: false });

      const covers = (ack: { id: string; path: string }, finding: NagFinding) =>
        finding.rule === ack.id && (finding.path === ack.path || finding.path.startsWith(`${ack.path}/`));
      if (acknowledged.length > 0) expect(error?.message).toMatch(/\(AwsSolutions\)/);
      for (const ack of acknowledged) {
        expect(findings.some((finding) => covers(ack, finding)), `stale acknowledgement ${ack.id} at ${ack.path}`).toBe(true);
        expect(ack.reason.length, `reason for ${ack.id}`).toBeGreaterThan(60);
      }
      for (const finding of findings) {
        expect(acknowledged.some((ack) => covers(ack, finding)), `${finding.rule} at ${finding.path}`).toBe(true);
      }
    });

    it('fails synthesis when new code breaks a rule', () => {
      const { error, findings } = synthWithNag(buildApp, {
        bundle: false,
        addToStack: (stack) =>
          new dynamodb.Table(stack, 'Unprotected', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING } }),
      });
      expect(error?.message).toMatch(/\(AwsSolutions\)/);
      expect(findings).toContainEqual({ rule: 'AwsSolutions-DDB3', path: expect.stringMatching(/\/Unprotected\/Resource$/) });
    });
  });
}
