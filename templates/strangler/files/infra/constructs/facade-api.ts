import { type Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { PlannedMethod, RoutePlan } from '../route-table.js';

export interface FacadeApiProps {
  name: string;
  stageName: string;
  /** The resources and methods sprout.json's route table becomes (infra/route-table.ts). */
  plan: RoutePlan;
  /** Where "legacy" routes go: https, no trailing slash. */
  legacyBaseUrl: string;
  /** The integration timeout of every legacy route. */
  legacyTimeout: Duration;
  /** Where "new" routes go. */
  newService: lambda.IFunction;
}

/**
 * The strangler facade: one REST API that takes every request and sends each path where the route
 * table says, through an ANY method per planned resource. "legacy" is an HTTP proxy integration to
 * the legacy base URL plus the same path (method, query string, headers and body passed through);
 * "new" is a Lambda proxy integration to the new service. A table edit changes which integration
 * a resource has, and CDK's deployment (its logical id hashes the API's content) publishes it to
 * the stage on the next deploy.
 */
export class FacadeApi extends Construct {
  readonly api: apigw.RestApi;
  /** One JSON line per request: which resource (route) served it and what the backend behind it answered. */
  readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: FacadeApiProps) {
    super(scope, id);

    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.api = new apigw.RestApi(this, 'RestApi', {
      restApiName: props.name,
      description: 'Strangler facade: each path goes to the legacy backend or to the new service, as sprout.json "routes" say',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // Every payload is binary to API Gateway, so uploads, images and PDFs reach the legacy backend
      // (and its answers reach the client) byte for byte. The new service gets bodies base64-encoded.
      binaryMediaTypes: ['*/*'],
      // Stage logging needs the region's API Gateway CloudWatch role; CDK retains it on destroy.
      cloudWatchRole: true,
      deployOptions: {
        stageName: props.stageName,
        tracingEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        // Request/response bodies stay out of the logs.
        dataTraceEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        // resourcePath says which route of the table served a request; integration.status and
        // .latency what the backend behind it answered, and how fast: what to watch after a move.
        accessLogFormat: apigw.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            httpMethod: '$context.httpMethod',
            path: '$context.path',
            resourcePath: '$context.resourcePath',
            status: '$context.status',
            responseLength: '$context.responseLength',
            responseLatency: '$context.responseLatency',
            integrationStatus: '$context.integration.status',
            integrationLatency: '$context.integration.latency',
            integrationError: '$context.integration.error',
            errorType: '$context.error.responseType',
          }),
        ),
      },
    });

    // One permission for the whole API instead of one per method: a long table would otherwise
    // outgrow the function's 20 KB resource policy.
    const newService = new apigw.LambdaIntegration(props.newService, { scopePermissionToMethod: false });
    for (const route of props.plan.methods) {
      const resource = this.api.root.resourceForPath(route.resourcePath);
      const integration = route.target === 'new' ? newService : this.legacyIntegration(route, props);
      resource.addMethod('ANY', integration, route.greedy ? { requestParameters: { 'method.request.path.proxy': true } } : {});
    }

    // Without an authorizer, this is what API Gateway answers for a path no route covers.
    this.api.addGatewayResponse('NoRoute', {
      type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
      statusCode: '404',
      templates: { 'application/json': '{"error":{"code":"NOT_FOUND","message":"No route matches this method and path"}}' },
    });

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG2',
      reason:
        'A strangler facade must pass every request through unchanged: the legacy backend and the new service validate their own input (src/lib/orders.ts), and a gateway validator would change what legacy clients get back.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'The facade takes over the legacy system\'s traffic as it is. For production, associate an AWS WAF web ACL (AWS managed rule groups plus a rate-based rule) with the stage.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The facade keeps the legacy authentication contract: it passes the Authorization header and cookies through, the legacy backend checks them, and the new service must check the same credentials (or the API gets a Lambda authorizer that both sides accept).',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'No Cognito user pool: callers keep the credentials the legacy system issued them (see the APIG4 acknowledgement), so a Cognito authorizer would lock every existing client out.',
    });
    Validations.of(this.api.node.findChild('CloudWatchRole')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'This role is the account-wide API Gateway logging role for the region, shared by every REST API in it; the AWS-managed policy is the documented one, and narrowing it to this API would break logging for the others.',
    });
  }

  /** HTTP_PROXY to the legacy base URL plus the route's path; a greedy route passes its `proxy` parameter on. */
  private legacyIntegration(route: PlannedMethod, props: FacadeApiProps): apigw.HttpIntegration {
    return new apigw.HttpIntegration(`${props.legacyBaseUrl}${route.backendPath}`, {
      httpMethod: 'ANY',
      proxy: true,
      options: {
        timeout: props.legacyTimeout,
        ...(route.greedy ? { requestParameters: { 'integration.request.path.proxy': 'method.request.path.proxy' } } : {}),
      },
    });
  }
}
