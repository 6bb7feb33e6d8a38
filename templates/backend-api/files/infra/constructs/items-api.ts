import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH } from '../../src/lib/item.js';

export interface ItemsApiProps {
  name: string;
  stageName: string;
  throttleRateLimit: number;
  throttleBurstLimit: number;
  handlers: Record<'create' | 'get' | 'list' | 'update' | 'delete', lambda.IFunction>;
  /** Every method requires it; without one the API is open (see the APIG4 acknowledgement). */
  authorizer?: apigw.IAuthorizer;
  /** Origins allowed to call from a browser on another origin; absent, the API answers no preflight and sends no CORS header. */
  corsAllowOrigins?: string[];
}

/**
 * The REST API: JSON Schema models and a request validator in front of every
 * method, stage throttling, access and execution logs, X-Ray, and gateway
 * errors rewritten to the same `{ "error": { code, message } }` shape the
 * handlers return.
 */
export class ItemsApi extends Construct {
  readonly api: apigw.RestApi;

  constructor(scope: Construct, id: string, props: ItemsApiProps) {
    super(scope, id);

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.api = new apigw.RestApi(this, 'RestApi', {
      restApiName: props.name,
      description: 'Items API: one Lambda function per operation',
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
      ...(props.authorizer ? { defaultMethodOptions: { authorizer: props.authorizer } } : {}),
      ...(props.corsAllowOrigins
        ? {
            defaultCorsPreflightOptions: {
              allowOrigins: props.corsAllowOrigins,
              allowMethods: ['GET', 'POST', 'PUT', 'DELETE'],
              allowHeaders: ['Content-Type', 'Authorization', 'Idempotency-Key'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });

    const validator = this.api.addRequestValidator('Validator', {
      requestValidatorName: 'body-and-parameters',
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const { createModel, updateModel } = this.addModels();
    this.addGatewayErrors(props.corsAllowOrigins);

    const integration = (fn: lambda.IFunction) => new apigw.LambdaIntegration(fn);
    const withId = { 'method.request.path.id': true };
    const items = this.api.root.addResource('items');
    const item = items.addResource('{id}');

    items.addMethod('POST', integration(props.handlers.create), {
      requestValidator: validator,
      requestModels: { 'application/json': createModel },
      requestParameters: { 'method.request.header.Idempotency-Key': false },
    });
    items.addMethod('GET', integration(props.handlers.list), {
      requestValidator: validator,
      requestParameters: { 'method.request.querystring.limit': false, 'method.request.querystring.cursor': false },
    });
    item.addMethod('GET', integration(props.handlers.get), { requestValidator: validator, requestParameters: withId });
    item.addMethod('PUT', integration(props.handlers.update), {
      requestValidator: validator,
      requestModels: { 'application/json': updateModel },
      requestParameters: withId,
    });
    item.addMethod('DELETE', integration(props.handlers.delete), { requestValidator: validator, requestParameters: withId });

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'Starter API protected by stage throttling only. For production, associate an AWS WAF web ACL (AWS managed rule groups plus a rate-based rule) with the stage.',
    });
    if (!props.authorizer) {
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Starter API is deliberately open so it can be tried with curl. Before storing real data add an authorizer (Cognito user pool, IAM or a Lambda authorizer; see the secured-spa pattern).',
      });
      Validations.of(this.api).acknowledge({
        id: 'AwsSolutions-COG4',
        reason:
          'No Cognito user pool in this starter (see the APIG4 acknowledgement); add a Cognito authorizer when the API gets users.',
      });
    }
    Validations.of(this.api.node.findChild('CloudWatchRole')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'This role is the account-wide API Gateway logging role for the region, shared by every REST API in it; the AWS-managed policy is the documented one, and narrowing it to this API would break logging for the others.',
    });
  }

  private addModels() {
    const name = { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: NAME_MAX_LENGTH };
    const description = { type: apigw.JsonSchemaType.STRING, maxLength: DESCRIPTION_MAX_LENGTH };
    const createModel = this.api.addModel('CreateItemModel', {
      modelName: 'CreateItem',
      contentType: 'application/json',
      schema: {
        schema: apigw.JsonSchemaVersion.DRAFT4,
        title: 'CreateItem',
        type: apigw.JsonSchemaType.OBJECT,
        required: ['name'],
        additionalProperties: false,
        properties: { name, description },
      },
    });
    const updateModel = this.api.addModel('UpdateItemModel', {
      modelName: 'UpdateItem',
      contentType: 'application/json',
      schema: {
        schema: apigw.JsonSchemaVersion.DRAFT4,
        title: 'UpdateItem',
        type: apigw.JsonSchemaType.OBJECT,
        required: ['name'],
        additionalProperties: false,
        properties: { name, description, version: { type: apigw.JsonSchemaType.INTEGER, minimum: 1 } },
      },
    });
    return { createModel, updateModel };
  }

  // Gateway response templates only substitute variables (no VTL), and
  // $context.error.messageString is already a quoted JSON string.
  private addGatewayErrors(corsAllowOrigins?: string[]) {
    const errors: Array<{ id: string; type: apigw.ResponseType; statusCode?: string; code: string; message?: string }> = [
      { id: 'BadRequestBody', type: apigw.ResponseType.BAD_REQUEST_BODY, statusCode: '400', code: 'VALIDATION_ERROR' },
      { id: 'BadRequestParameters', type: apigw.ResponseType.BAD_REQUEST_PARAMETERS, statusCode: '400', code: 'VALIDATION_ERROR' },
      { id: 'Throttled', type: apigw.ResponseType.THROTTLED, statusCode: '429', code: 'THROTTLED' },
      // Without an authorizer, this is what API Gateway answers for an unknown path or method.
      {
        id: 'NoRoute',
        type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
        statusCode: '404',
        code: 'NOT_FOUND',
        message: '"No route matches this method and path"',
      },
      { id: 'Default4xx', type: apigw.ResponseType.DEFAULT_4XX, code: '$context.error.responseType' },
      { id: 'Default5xx', type: apigw.ResponseType.DEFAULT_5XX, code: 'INTERNAL_ERROR' },
    ];
    // A browser can only read an error from another origin when it carries the CORS header; a
    // gateway response has no access to the request's Origin, so it names the first allowed origin.
    const responseHeaders = corsAllowOrigins?.length ? { 'Access-Control-Allow-Origin': `'${corsAllowOrigins[0]}'` } : undefined;
    for (const { id, type, statusCode, code, message = '$context.error.messageString' } of errors) {
      this.api.addGatewayResponse(id, {
        type,
        statusCode,
        ...(responseHeaders ? { responseHeaders } : {}),
        templates: { 'application/json': `{"error":{"code":"${code}","message":${message}}}` },
      });
    }
  }
}
