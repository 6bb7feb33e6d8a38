import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { MESSAGE_MAX_LENGTH, SLEEP_MAX_SECONDS } from '../../src/lib/job.js';

/**
 * API Gateway's integration timeout for a REST API: 29 s by default, and the most this API may use
 * (raising it needs a quota increase, see the README's limits). The synchronous route waits this
 * long at most and then answers 504, whatever the function's own timeout.
 */
export const INTEGRATION_TIMEOUT_SECONDS = 29;

/** Where POST /stream writes: an SQS queue or a Kinesis data stream. */
export type StreamTarget = { kind: 'sqs'; queue: sqs.IQueue } | { kind: 'kinesis'; stream: kinesis.IStream };

export interface ModelsApiProps {
  name: string;
  stageName: string;
  syncFunction: lambda.IFunction;
  asyncFunction: lambda.IFunction;
  streamTarget: StreamTarget;
}

/**
 * VTL that renders the job every model processes, `{"id":"<API request id>","input":<body>}`, into
 * `$job`. The body was validated against the JobInput model first (an absent body is `{}`).
 */
export const JOB_VTL = [
  `#set($q = '"')`,
  '#set($body = $input.body)',
  '#if("$!body" == "")#set($body = "{}")#{end}',
  '#set($job = "{${q}id${q}:${q}$context.requestId${q},${q}input${q}:$body}")',
  // One line, no newline: the SQS form body must start with `Action=`.
].join('');

/** What POST /async and POST /stream answer once the job is queued: 202 and the job id to look for. */
export const QUEUED_RESPONSE = '{"id":"$context.requestId","status":"QUEUED"}';

/**
 * One REST API, one route per execution model, all taking the same JSON body (`fail`,
 * `sleepSeconds`, `message`, validated by a JSON Schema model):
 * - POST /sync: Lambda proxy integration, waits for the function (29 s at most).
 * - POST /async: Lambda non-proxy integration with `X-Amz-Invocation-Type: 'Event'`: Lambda queues
 *   the event and API Gateway answers 202 at once, with no function in front.
 * - POST /stream: AWS service integration that writes the job to the queue or stream the polling
 *   consumer reads (SendMessage or PutRecord), 202.
 * Stage throttling, access and execution logs, X-Ray, and gateway errors in one JSON shape.
 */
export class ModelsApi extends Construct {
  readonly api: apigw.RestApi;

  constructor(scope: Construct, id: string, props: ModelsApiProps) {
    super(scope, id);

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.api = new apigw.RestApi(this, 'RestApi', {
      restApiName: props.name,
      description: 'Lambda execution models: synchronous, asynchronous and stream-based',
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // Stage logging needs the region's API Gateway CloudWatch role; CDK retains it on destroy.
      cloudWatchRole: true,
      deployOptions: {
        stageName: props.stageName,
        // Every request can make a function run (and sleep) for its whole timeout: keep the rate low.
        throttlingRateLimit: 10,
        throttlingBurstLimit: 20,
        tracingEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
    });

    const validator = this.api.addRequestValidator('Validator', { requestValidatorName: 'body-and-parameters', validateRequestBody: true, validateRequestParameters: true });
    const jobModel = this.api.addModel('JobInputModel', {
      modelName: 'JobInput',
      contentType: 'application/json',
      schema: {
        schema: apigw.JsonSchemaVersion.DRAFT4,
        title: 'JobInput',
        type: apigw.JsonSchemaType.OBJECT,
        additionalProperties: false,
        properties: {
          fail: { type: apigw.JsonSchemaType.BOOLEAN },
          sleepSeconds: { type: apigw.JsonSchemaType.NUMBER, minimum: 0, maximum: SLEEP_MAX_SECONDS },
          message: { type: apigw.JsonSchemaType.STRING, maxLength: MESSAGE_MAX_LENGTH },
        },
      },
    });
    const withJob: apigw.MethodOptions = { requestValidator: validator, requestModels: { 'application/json': jobModel } };
    const accepted: apigw.MethodOptions = { ...withJob, methodResponses: [{ statusCode: '202' }, { statusCode: '502' }] };

    this.api.root.addResource('sync').addMethod(
      'POST',
      new apigw.LambdaIntegration(props.syncFunction, { timeout: Duration.seconds(INTEGRATION_TIMEOUT_SECONDS) }),
      withJob,
    );
    this.api.root.addResource('async').addMethod('POST', this.asyncIntegration(props.asyncFunction), accepted);
    this.api.root.addResource('stream').addMethod('POST', this.streamIntegration(props.streamTarget), accepted);

    this.addGatewayErrors();

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'Learning project protected by low stage throttling (10 requests/s) and the simulated-failures flag. For anything longer-lived, associate an AWS WAF web ACL (AWS managed rule groups plus a rate-based rule) with the stage.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'The API is open so each execution model can be tried with curl. Add an authorizer (IAM, Cognito or a Lambda authorizer) before anything but experiments runs behind it, or turn the simulated-failures flag off.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-COG4',
      reason: 'No Cognito user pool in this learning project (see the APIG4 acknowledgement).',
    });
    Validations.of(this.api.node.findChild('CloudWatchRole')).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'This role is the account-wide API Gateway logging role for the region, shared by every REST API in it; the AWS-managed policy is the documented one, and narrowing it to this API would break logging for the others.',
    });
  }

  /**
   * Lambda non-proxy integration invoking the function with the Event invocation type
   * (API Gateway's "Set up asynchronous invocation of the backend Lambda function"). Lambda accepts
   * the event, answers 202 with no body, and API Gateway answers 202 with the job id. A failed
   * Invoke call (throttled, refused) is API Gateway's own 5xx.
   */
  private asyncIntegration(fn: lambda.IFunction): apigw.Integration {
    return new apigw.LambdaIntegration(fn, {
      proxy: false,
      timeout: Duration.seconds(INTEGRATION_TIMEOUT_SECONDS),
      requestParameters: { 'integration.request.header.X-Amz-Invocation-Type': "'Event'" },
      passthroughBehavior: apigw.PassthroughBehavior.NEVER,
      requestTemplates: { 'application/json': `${JOB_VTL}$job` },
      integrationResponses: [{ statusCode: '202', responseTemplates: { 'application/json': QUEUED_RESPONSE } }],
    });
  }

  /** SendMessage or PutRecord, signed with a role that may do only that, on only that queue or stream. */
  private streamIntegration(target: StreamTarget): apigw.Integration {
    const role = new iam.Role(this, 'StreamWriterRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'POST /stream: writes one job to the polled queue or stream',
    });
    const integrationResponses: apigw.IntegrationResponse[] = [
      { statusCode: '202', responseTemplates: { 'application/json': QUEUED_RESPONSE } },
      {
        // Any error status from SQS or Kinesis (throttled, refused): the job was not written.
        selectionPattern: '[45]\\d{2}',
        statusCode: '502',
        responseTemplates: { 'application/json': '{"error":{"code":"NOT_QUEUED","message":"The job could not be written; try again"}}' },
      },
    ];
    const options = { credentialsRole: role, passthroughBehavior: apigw.PassthroughBehavior.NEVER, integrationResponses };

    if (target.kind === 'sqs') {
      target.queue.grantSendMessages(role);
      return new apigw.AwsIntegration({
        service: 'sqs',
        integrationHttpMethod: 'POST',
        path: `${Stack.of(this).account}/${target.queue.queueName}`,
        options: {
          ...options,
          requestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
          requestTemplates: { 'application/json': `${JOB_VTL}Action=SendMessage&MessageBody=$util.urlEncode($job)` },
        },
      });
    }
    role.addToPolicy(new iam.PolicyStatement({ actions: ['kinesis:PutRecord'], resources: [target.stream.streamArn] }));
    return new apigw.AwsIntegration({
      service: 'kinesis',
      action: 'PutRecord',
      integrationHttpMethod: 'POST',
      options: {
        ...options,
        requestParameters: { 'integration.request.header.Content-Type': "'application/x-amz-json-1.1'" },
        // The request id as partition key spreads jobs over the shards; records of one key stay in order.
        requestTemplates: {
          'application/json': `${JOB_VTL}{"StreamName":"${target.stream.streamName}","PartitionKey":"$context.requestId","Data":"$util.base64Encode($job)"}`,
        },
      },
    });
  }

  // Gateway response templates only substitute variables (no VTL), and
  // $context.error.messageString is already a quoted JSON string.
  private addGatewayErrors() {
    const errors: Array<{ id: string; type: apigw.ResponseType; statusCode?: string; code: string; message?: string }> = [
      { id: 'BadRequestBody', type: apigw.ResponseType.BAD_REQUEST_BODY, statusCode: '400', code: 'VALIDATION_ERROR' },
      { id: 'UnsupportedMediaType', type: apigw.ResponseType.UNSUPPORTED_MEDIA_TYPE, statusCode: '415', code: 'UNSUPPORTED_MEDIA_TYPE', message: '"Send the job as application/json"' },
      { id: 'Throttled', type: apigw.ResponseType.THROTTLED, statusCode: '429', code: 'THROTTLED' },
      {
        id: 'NoRoute',
        type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN,
        statusCode: '404',
        code: 'NOT_FOUND',
        message: '"No route matches this method and path: POST /sync, /async or /stream"',
      },
      {
        // The synchronous model's limit: API Gateway stops waiting; the function does not stop.
        id: 'IntegrationTimeout',
        type: apigw.ResponseType.INTEGRATION_TIMEOUT,
        statusCode: '504',
        code: 'INTEGRATION_TIMEOUT',
        message: `"API Gateway stopped waiting after ${INTEGRATION_TIMEOUT_SECONDS} s; the function may still be running"`,
      },
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
