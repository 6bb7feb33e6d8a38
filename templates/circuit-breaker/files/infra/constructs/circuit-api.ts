import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

export interface CircuitApiProps {
  name: string;
  stageName: string;
  throttleRateLimit: number;
  throttleBurstLimit: number;
}

/**
 * The REST API: GET /call and GET /circuit, stage throttling, access and execution logs, X-Ray,
 * and gateway errors in the same `{ "error": { code, message } }` shape the function answers.
 */
export class CircuitApi extends Construct {
  readonly api: apigw.RestApi;
  private readonly validator: apigw.RequestValidator;

  constructor(scope: Construct, id: string, props: CircuitApiProps) {
    super(scope, id);

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.api = new apigw.RestApi(this, 'RestApi', {
      restApiName: props.name,
      description: 'Circuit breaker: calls a downstream service, and fails fast with a fallback while it is failing',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // Stage logging needs the region's API Gateway CloudWatch role; CDK retains it on destroy.
      cloudWatchRole: true,
      deployOptions: {
        stageName: props.stageName,
        throttlingRateLimit: props.throttleRateLimit,
        throttlingBurstLimit: props.throttleBurstLimit,
        tracingEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        // Request/response bodies stay out of the logs.
        dataTraceEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
    });
    this.validator = this.api.addRequestValidator('Validator', {
      requestValidatorName: 'body-and-parameters',
      // GET routes carry no body; cdk-nag's APIG2 asks for both, and it costs nothing.
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    this.addGatewayErrors();

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'Starter API protected by stage throttling only. For production, associate an AWS WAF web ACL (AWS managed rule groups plus a rate-based rule) with the stage.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Starter API is deliberately open so the circuit can be tried with curl. Before it fronts a real dependency add an authorizer (Cognito user pool, IAM or a Lambda authorizer; see the secured-spa pattern).',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'No Cognito user pool in this starter (see the APIG4 acknowledgement); add a Cognito authorizer when the API gets users.',
    });
    Validations.of(this.api.node.findChild('CloudWatchRole')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'This role is the account-wide API Gateway logging role for the region, shared by every REST API in it; the AWS-managed policy is the documented one, and narrowing it to this API would break logging for the others.',
    });
  }

  /** GET /call and GET /circuit, both served by `fn`. */
  addRoutes(fn: lambda.IFunction): void {
    const integration = new apigw.LambdaIntegration(fn);
    for (const path of ['call', 'circuit']) {
      this.api.root.addResource(path).addMethod('GET', integration, { requestValidator: this.validator });
    }
  }

  // Gateway response templates only substitute variables (no VTL), and
  // $context.error.messageString is already a quoted JSON string.
  private addGatewayErrors() {
    const errors: Array<{ id: string; type: apigw.ResponseType; statusCode?: string; code: string; message?: string }> = [
      { id: 'Throttled', type: apigw.ResponseType.THROTTLED, statusCode: '429', code: 'THROTTLED' },
      // Without an authorizer, this is what API Gateway answers for an unknown path or method.
      {
        id: 'NoRoute',
        type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
        statusCode: '404',
        code: 'NOT_FOUND',
        message: '"No route matches this method and path"',
      },
      { id: 'IntegrationTimeout', type: apigw.ResponseType.INTEGRATION_TIMEOUT, statusCode: '504', code: 'GATEWAY_TIMEOUT' },
      { id: 'Default4xx', type: apigw.ResponseType.DEFAULT_4XX, code: '$context.error.responseType' },
      { id: 'Default5xx', type: apigw.ResponseType.DEFAULT_5XX, code: 'INTERNAL_ERROR' },
    ];
    for (const { id, type, statusCode, code, message = '$context.error.messageString' } of errors) {
      this.api.addGatewayResponse(id, {
        type,
        statusCode,
        templates: { 'application/json': `{"error":{"code":"${code}","message":${message}}}` },
      });
    }
  }
}
