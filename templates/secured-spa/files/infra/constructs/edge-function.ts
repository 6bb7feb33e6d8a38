import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AssetHashType, DockerImage, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import { buildSync } from 'esbuild';

/** The project's src/ folder, where the handlers live (src/edge/<name>.ts). */
export const SRC_DIR = fileURLToPath(new URL('../../src', import.meta.url));

/**
 * The newest Node.js runtime that Lambda@Edge lists as supported (the CloudFront developer
 * guide, "Restrictions on Lambda@Edge"): Node.js 22. Regional functions use Node.js 24.
 */
export const EDGE_RUNTIME = lambda.Runtime.NODEJS_22_X;

/** Lambda@Edge quotas per trigger (CloudFront developer guide, "Quotas on Lambda@Edge"). */
export const EDGE_LIMITS = {
  viewer: { memoryMb: 128, timeoutSeconds: 5, zippedBytes: 1024 * 1024 },
  origin: { memoryMb: 10_240, timeoutSeconds: 30, zippedBytes: 50 * 1024 * 1024 },
} as const;

/** The global each handler reads its baked-in settings from (see src/edge/*.ts). */
export const SETTINGS_GLOBALS = {
  'viewer-auth': 'SPROUT_VIEWER_AUTH',
  'security-headers': 'SPROUT_SECURITY_HEADERS',
  'origin-failover': 'SPROUT_ORIGIN_FAILOVER',
} as const;
export type EdgeHandler = keyof typeof SETTINGS_GLOBALS;

/**
 * Bundles src/edge/<name>.ts into `outDir`/index.js with the settings baked in: Lambda@Edge has no
 * environment variables, so configuration is a constant in the code, fixed at synth time. One
 * file, minified, no dependency but Node.js's own modules: small, for the 1 MB viewer limit.
 */
export function bundleEdgeHandler(name: EdgeHandler, settings: object, outDir: string): string {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const outfile = join(outDir, 'index.js');
  buildSync({
    absWorkingDir: SRC_DIR,
    entryPoints: [join(SRC_DIR, 'edge', `${name}.ts`)],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
    define: { [SETTINGS_GLOBALS[name]]: JSON.stringify(settings) },
  });
  if (!existsSync(outfile)) throw new Error(`esbuild wrote no ${outfile}`);
  return outfile;
}

export interface SiteEdgeFunctionProps {
  handler: EdgeHandler;
  /** Baked into the bundle (must be plain values known at synth time: no CDK tokens). */
  settings: object;
  eventType: cloudfront.LambdaEdgeEventType;
  description: string;
}

/**
 * A Lambda@Edge function the way this project builds them: CDK's EdgeFunction (in us-east-1,
 * in a separate `edge-lambda-stack-…` stack when the app's stack is elsewhere), the newest Node.js
 * runtime Lambda@Edge supports, x86_64, no environment variables, the viewer-trigger limits
 * (128 MB, 5 s) and RemovalPolicy.RETAIN: CloudFront keeps replicas for hours after the
 * distribution lets go of a function, and a stack that tried to delete it would fail.
 */
export function siteEdgeFunction(scope: Construct, id: string, props: SiteEdgeFunctionProps): { fn: cloudfront.experimental.EdgeFunction; edgeLambda: cloudfront.EdgeLambda } {
  const found = JSON.stringify(props.settings).match(/\$\{Token\[[^\]]+\]\}/);
  if (found) throw new Error(`${id}: edge function settings must be known at synth time, found the CDK token ${found[0]}`);
  const viewer = props.eventType === cloudfront.LambdaEdgeEventType.VIEWER_REQUEST || props.eventType === cloudfront.LambdaEdgeEventType.VIEWER_RESPONSE;
  const code = lambda.Code.fromAsset(join(SRC_DIR, 'edge'), {
    // The bundle is the asset: its hash changes exactly when the code or the baked settings do.
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22-slim'),
      local: {
        tryBundle(outputDir: string) {
          bundleEdgeHandler(props.handler, props.settings, outputDir);
          return true;
        },
      },
    },
  });
  const fn = new cloudfront.experimental.EdgeFunction(scope, id, {
    runtime: EDGE_RUNTIME,
    architecture: lambda.Architecture.X86_64,
    handler: 'index.handler',
    code,
    description: props.description,
    // Small and quick: within the viewer-trigger quotas; the origin triggers here do no I/O.
    memorySize: EDGE_LIMITS.viewer.memoryMb,
    timeout: Duration.seconds(viewer ? EDGE_LIMITS.viewer.timeoutSeconds : 10),
  });
  const inner = fn.lambda as lambda.Function;
  inner.applyRemovalPolicy(RemovalPolicy.RETAIN);

  Validations.of(inner).acknowledge(
    {
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
      reason:
        'A Lambda@Edge function writes its logs to /aws/lambda/us-east-1.<name> in whichever region its replica runs, which the stack cannot know or create in advance; the basic execution policy is what AWS documents for it. The function has no other permission.',
    },
    {
      id: 'AwsSolutions-L1',
      reason:
        'Lambda@Edge supports fewer runtimes than regional Lambda: Node.js 22 is the newest one the CloudFront developer guide lists for it (regional functions here use Node.js 24). Move to the next one when Lambda@Edge lists it.',
    },
  );
  return { fn, edgeLambda: { functionVersion: fn.currentVersion, eventType: props.eventType } };
}
