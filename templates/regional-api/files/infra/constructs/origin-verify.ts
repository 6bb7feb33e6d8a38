import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CURRENT_KEY } from '../../src/lib/origin-verify.js';
import { SproutFunction } from '../sprout/sprout-function.js';

export interface OriginVerifyProps {
  resourceName: string;
  /** The header CloudFront adds and the authorizer reads. */
  headerName: string;
}

/** How long an authorizer keeps the keyring in memory (Powertools parameters' maxAge). */
export const SECRET_CACHE = Duration.minutes(5);
/** How long API Gateway reuses an authorizer's answer for the same header value. */
export const AUTHORIZER_CACHE = Duration.minutes(5);
/**
 * The shortest time between two rotations: every authorizer must have read the keyring with the
 * new `next` (SECRET_CACHE) before a rotation makes CloudFront send it, with room to spare.
 */
export const MIN_ROTATION_INTERVAL = Duration.minutes(15);

/**
 * The origin-verify check: the secret (a keyring, see src/lib/origin-verify.ts), the value
 * CloudFront sends, the REQUEST authorizer that every method of the API requires, and the
 * function that rotates the secret and the distribution together.
 */
export class OriginVerify extends Construct {
  readonly headerName: string;
  readonly secret: secretsmanager.Secret;
  /**
   * What CloudFront adds to every origin request: a `{{resolve:secretsmanager:…}}` dynamic
   * reference that CloudFormation resolves when it creates or updates the distribution, so the
   * value is never in the template, the cloud assembly or this repository.
   */
  readonly headerValue: string;
  readonly authorizerFunction: SproutFunction;
  readonly authorizer: apigw.RequestAuthorizer;
  private readonly resourceName: string;

  constructor(scope: Construct, id: string, props: OriginVerifyProps) {
    super(scope, id);
    this.headerName = props.headerName;
    this.resourceName = props.resourceName;

    this.secret = new secretsmanager.Secret(this, 'Secret', {
      description: `Value of the ${props.headerName} header CloudFront sends to the ${props.resourceName} API (a keyring rotated by the stack)`,
      // Starts as {"current": "<48 letters and digits>"}; the first rotation, right after the stack
      // is created, adds "next" (src/lib/origin-verify.ts).
      generateSecretString: {
        secretStringTemplate: JSON.stringify({}),
        generateStringKey: CURRENT_KEY,
        passwordLength: 48,
        excludePunctuation: true,
        includeSpace: false,
      },
      // Nothing else uses it: a new stack gets a new value, and an old one is worth nothing.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.headerValue = this.secret.secretValueFromJson(CURRENT_KEY).unsafeUnwrap();

    this.authorizerFunction = new SproutFunction(this, 'Authorizer', {
      entry: 'origin-verify-authorizer',
      description: `Lets only requests carrying the ${props.headerName} header CloudFront adds reach the API`,
      serviceName: props.resourceName,
      environment: {
        ORIGIN_VERIFY_SECRET_ARN: this.secret.secretArn,
        ORIGIN_VERIFY_HEADER: props.headerName,
        ORIGIN_VERIFY_CACHE_SECONDS: String(SECRET_CACHE.toSeconds()),
      },
      timeout: Duration.seconds(5),
    });
    // Reading this one secret is all it does.
    this.authorizerFunction.allow(['secretsmanager:GetSecretValue'], [this.secret.secretArn]);

    this.authorizer = new apigw.RequestAuthorizer(this, 'RequestAuthorizer', {
      authorizerName: `${props.resourceName}-origin-verify`.slice(0, 128),
      handler: this.authorizerFunction.function,
      // API Gateway answers 401 without calling the function when the header is missing (turned
      // into 403 by addGatewayResponses), and caches the answer per header value.
      identitySources: [apigw.IdentitySource.header(props.headerName)],
      resultsCacheTtl: AUTHORIZER_CACHE,
    });
  }

  /**
   * Rejections in the API's error shape, 403 either way: a missing header (API Gateway's own
   * 401, before the authorizer runs) and a wrong value (the authorizer's Deny).
   */
  addGatewayResponses(api: apigw.RestApi): void {
    const body = '{"error":{"code":"FORBIDDEN","message":"Call this API through its CloudFront distribution"}}';
    for (const [id, type] of [
      ['OriginVerifyMissing', apigw.ResponseType.UNAUTHORIZED],
      ['OriginVerifyRejected', apigw.ResponseType.ACCESS_DENIED],
    ] as const) {
      api.addGatewayResponse(id, { type, statusCode: '403', templates: { 'application/json': body } });
    }
  }

  /**
   * The rotation function and schedule: every `days` days, and once right after the stack is
   * created (which only adds the first `next` value), Secrets Manager runs
   * src/functions/rotate-origin-verify.ts, which updates `distribution` too.
   */
  rotateWith(distribution: cloudfront.Distribution, days: number): SproutFunction {
    const rotation = new SproutFunction(this, 'Rotation', {
      entry: 'rotate-origin-verify',
      description: `Rotates the ${this.headerName} secret and the CloudFront distribution that sends it`,
      serviceName: this.resourceName,
      environment: {
        DISTRIBUTION_ID: distribution.distributionId,
        ORIGIN_VERIFY_HEADER: this.headerName,
        MIN_ROTATION_INTERVAL_SECONDS: String(MIN_ROTATION_INTERVAL.toSeconds()),
      },
      timeout: Duration.seconds(30),
    });
    // Exactly the calls the four rotation steps make, on this secret and this distribution.
    rotation.allow(
      [
        'secretsmanager:DescribeSecret',
        'secretsmanager:GetSecretValue',
        'secretsmanager:ListSecretVersionIds',
        'secretsmanager:PutSecretValue',
        'secretsmanager:UpdateSecretVersionStage',
      ],
      [this.secret.secretArn],
    );
    rotation.allow(['cloudfront:GetDistribution', 'cloudfront:UpdateDistribution'], [distribution.distributionArn]);
    // Only Secrets Manager, for this secret, may invoke it.
    rotation.function.addPermission('InvokedBySecretsManager', {
      principal: new iam.ServicePrincipal('secretsmanager.amazonaws.com'),
      sourceArn: this.secret.secretArn,
      sourceAccount: Stack.of(this).account,
    });

    // The L1 resource: the L2 addRotationSchedule would also grant secretsmanager:GetRandomPassword
    // on "*" (unused: values come from node:crypto) and let any secret invoke the function.
    const schedule = new secretsmanager.CfnRotationSchedule(this, 'RotationSchedule', {
      secretId: this.secret.secretArn,
      rotationLambdaArn: rotation.function.functionArn,
      rotationRules: { automaticallyAfterDays: days },
      rotateImmediatelyOnUpdate: true,
    });
    // After the role's policy and the invoke permission exist: the first rotation runs at once.
    schedule.node.addDependency(rotation);
    return rotation;
  }
}
