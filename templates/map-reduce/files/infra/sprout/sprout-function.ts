// Copied from sprout's src/runtime/cdk by `npm run sync:runtime`: edit it there, not in a project.
import { fileURLToPath } from 'node:url';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, type NodejsFunctionProps } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface SproutFunctionProps {
  /** File name in the project's src/functions/, without `.ts`. */
  entry: string;
  description: string;
  /** Powertools service name and metrics namespace (the project's resource name). */
  serviceName: string;
  environment?: Record<string, string>;
  /** 10 s by default: well under API Gateway's 29 s integration timeout, so a slow call ends as the handler's 500, not a 504. */
  timeout?: Duration;
  /** 512 MB by default. */
  memorySize?: number;
  /** Anything else NodejsFunction accepts (reserved concurrency, dead-letter queue, ...). */
  functionProps?: Omit<NodejsFunctionProps, 'entry' | 'handler' | 'role' | 'logGroup' | 'environment'>;
}

/**
 * A regional Lambda function the way every sprout template builds one: the handler bundled by
 * the local esbuild (AWS SDK v3 left to the runtime), the newest Node.js runtime aws-cdk-lib
 * offers, arm64, X-Ray, Powertools settings, its own log group and its own role. The role starts
 * with nothing but writing to that log group and to X-Ray; the stack grants what the code uses.
 */
export class SproutFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: SproutFunctionProps) {
    super(scope, id);

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // A role of our own instead of AWSLambdaBasicExecutionRole, which may write to any log group.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (${props.serviceName})`.slice(0, 1000),
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, 'Function', {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      tracing: lambda.Tracing.ACTIVE,
      ...props.functionProps,
      // infra/sprout/ and infra/constructs/ are both two levels below the project root.
      entry: fileURLToPath(new URL(`../../src/functions/${props.entry}.ts`, import.meta.url)),
      handler: 'handler',
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_METRICS_NAMESPACE: props.serviceName,
        POWERTOOLS_LOG_LEVEL: 'INFO',
        ...props.environment,
      },
      bundling: {
        // The Node.js runtime ships AWS SDK v3; bundling it only adds cold-start time.
        externalModules: ['@aws-sdk/*'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        ...props.functionProps?.bundling,
      },
    });

    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing needs xray:PutTraceSegments and xray:PutTelemetryRecords, which do not support resource-level permissions, so Resource "*" is the narrowest possible scope.',
    });
  }

  /** Allows exactly `actions` on `resources`, nothing more. */
  allow(actions: string[], resources: string[]): void {
    this.role.addToPolicy(new iam.PolicyStatement({ actions, resources }));
  }
}
