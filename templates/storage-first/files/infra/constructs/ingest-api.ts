import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ORDER_LIMITS } from '../../src/lib/order.js';

/** What POST /orders writes into. */
export type IngestTarget = { kind: 'sqs'; queue: sqs.IQueue } | { kind: 'kinesis'; stream: kinesis.IStream };

export interface IngestApiProps {
  name: string;
  stageName: string;
  target: IngestTarget;
}

/** The error body every non-2xx answer has, gateway errors included: `{ "error": { code, message } }`. */
const errorBody = (code: string, message: string) => `{"error":{"code":"${code}","message":"${message}","requestId":"$context.requestId"}}`;

/**
 * Integration response templates. The 2xx body of SQS's query protocol (API Gateway asks for JSON)
 * is `{"SendMessageResponse":{"SendMessageResult":{"MessageId":…}}}`; Kinesis PutRecord answers
 * `{"SequenceNumber":…,"ShardId":…}`. `$input.json` writes each value as a JSON string.
 * Kinesis reports throttling as a 400 (ProvisionedThroughputExceededException, or
 * KMSThrottlingException), so that one 4xx becomes a 503 the client may retry.
 */
export const RESPONSE_TEMPLATES = {
  sqsAccepted: `{"messageId":$input.json('$.SendMessageResponse.SendMessageResult.MessageId'),"requestId":"$context.requestId"}`,
  kinesisAccepted: `{"sequenceNumber":$input.json('$.SequenceNumber'),"shardId":$input.json('$.ShardId'),"requestId":"$context.requestId"}`,
  rejected: errorBody('INTERNAL_ERROR', 'The order could not be stored; it was not accepted'),
  kinesisRejected: [
    `#set($type = $input.path('$.__type'))`,
    `#if($type == "ProvisionedThroughputExceededException" || $type == "KMSThrottlingException")`,
    `#set($context.responseOverride.status = 503)`,
    errorBody('THROTTLED', 'The order stream is busy; retry with the same orderId'),
    `#else`,
    errorBody('INTERNAL_ERROR', 'The order could not be stored; it was not accepted'),
    `#end`,
  ].join('\n'),
  unavailable: errorBody('SERVICE_UNAVAILABLE', 'The order buffer is unavailable; retry with the same orderId'),
} as const;

/**
 * The REST API of a storage-first service: POST /orders is validated against a JSON Schema model
 * and written straight into the buffer by an AWS service integration (no Lambda in front), under
 * a role that may do that one action on that one queue or stream. Access logs, X-Ray, stage
 * throttling, and gateway errors in the same JSON shape as the integration's own.
 */
export class IngestApi extends Construct {
  readonly api: apigw.RestApi;
  /** The role API Gateway assumes to write into the buffer. */
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: IngestApiProps) {
    super(scope, id);

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.api = new apigw.RestApi(this, 'RestApi', {
      restApiName: props.name,
      description: `Storage-first orders API: POST /orders goes straight into ${props.target.kind === 'sqs' ? 'an SQS queue' : 'a Kinesis data stream'}`,
      endpointConfiguration: { types: [apigw.EndpointType.REGIONAL] },
      // Stage logging needs the region's API Gateway CloudWatch role; CDK retains it on destroy.
      cloudWatchRole: true,
      deployOptions: {
        stageName: props.stageName,
        throttlingRateLimit: 100,
        throttlingBurstLimit: 200,
        tracingEnabled: true,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        // Request bodies (the orders) stay out of the logs.
        dataTraceEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
    });

    this.role = new iam.Role(this, 'IntegrationRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: `Lets ${props.name} write orders into its ${props.target.kind === 'sqs' ? 'queue' : 'stream'}, and nothing else`,
    });

    const validator = this.api.addRequestValidator('Validator', {
      requestValidatorName: 'body-and-parameters',
      validateRequestBody: true,
      // POST /orders declares no parameters, so this checks nothing today; it will once one is required.
      validateRequestParameters: true,
    });
    this.addGatewayErrors();

    const orders = this.api.root.addResource('orders');
    const errorResponses = [
      { statusCode: '500', responseModels: { 'application/json': apigw.Model.ERROR_MODEL } },
      { statusCode: '503', responseModels: { 'application/json': apigw.Model.ERROR_MODEL } },
    ];
    orders.addMethod('POST', this.integration(props.target), {
      requestValidator: validator,
      requestModels: { 'application/json': this.addOrderModel() },
      methodResponses: [{ statusCode: '202' }, ...errorResponses],
    });

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG3',
      reason:
        'Starter API protected by stage throttling only. For production, associate an AWS WAF web ACL (AWS managed rule groups plus a rate-based rule) with the stage.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Starter API is deliberately open so it can be tried with curl. Before taking real orders add an authorizer (Cognito user pool, IAM or a Lambda authorizer; see the secured-spa pattern).',
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

  private integration(target: IngestTarget): apigw.AwsIntegration {
    // PassthroughBehavior NEVER: a body that is not application/json gets 415, never a raw pass-through.
    const common = { credentialsRole: this.role, passthroughBehavior: apigw.PassthroughBehavior.NEVER };
    const failures = (rejected: string): apigw.IntegrationResponse[] => [
      { selectionPattern: '4\\d{2}', statusCode: '500', responseTemplates: { 'application/json': rejected } },
      { selectionPattern: '5\\d{2}', statusCode: '503', responseTemplates: { 'application/json': RESPONSE_TEMPLATES.unavailable } },
    ];

    if (target.kind === 'sqs') {
      // SQS over the AWS query protocol: a form POST to the queue's path, signed with the role.
      this.role.addToPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [target.queue.queueArn] }));
      // A KMS-encrypted queue would also need kms:GenerateDataKey and kms:Decrypt on its key.
      if (target.queue.encryptionMasterKey) target.queue.encryptionMasterKey.grant(this.role, 'kms:GenerateDataKey', 'kms:Decrypt');
      return new apigw.AwsIntegration({
        service: 'sqs',
        path: `${Stack.of(this).account}/${target.queue.queueName}`,
        integrationHttpMethod: 'POST',
        options: {
          ...common,
          requestParameters: { 'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'" },
          // The body becomes the message exactly as the client sent it; urlEncode keeps &, = and + in it intact.
          requestTemplates: { 'application/json': 'Action=SendMessage&MessageBody=$util.urlEncode($input.body)' },
          integrationResponses: [
            { statusCode: '202', responseTemplates: { 'application/json': RESPONSE_TEMPLATES.sqsAccepted } },
            ...failures(RESPONSE_TEMPLATES.rejected),
          ],
        },
      });
    }

    // Kinesis over its JSON protocol. The model allows only [A-Za-z0-9_-] in orderId, so it is safe
    // inside the JSON string; Data is the body, base64-encoded as PutRecord requires.
    this.role.addToPolicy(new iam.PolicyStatement({ actions: ['kinesis:PutRecord'], resources: [target.stream.streamArn] }));
    if (target.stream.encryptionKey) target.stream.encryptionKey.grant(this.role, 'kms:GenerateDataKey');
    return new apigw.AwsIntegration({
      service: 'kinesis',
      action: 'PutRecord',
      integrationHttpMethod: 'POST',
      options: {
        ...common,
        requestParameters: { 'integration.request.header.Content-Type': "'application/x-amz-json-1.1'" },
        requestTemplates: {
          'application/json': `{"StreamName":"${target.stream.streamName}","PartitionKey":"$input.path('$.orderId')","Data":"$util.base64Encode($input.body)"}`,
        },
        integrationResponses: [
          { statusCode: '202', responseTemplates: { 'application/json': RESPONSE_TEMPLATES.kinesisAccepted } },
          ...failures(RESPONSE_TEMPLATES.kinesisRejected),
        ],
      },
    });
  }

  private addOrderModel(): apigw.Model {
    const id = { type: apigw.JsonSchemaType.STRING, pattern: ORDER_LIMITS.idPattern };
    return this.api.addModel('OrderModel', {
      modelName: 'Order',
      contentType: 'application/json',
      schema: {
        schema: apigw.JsonSchemaVersion.DRAFT4,
        title: 'Order',
        type: apigw.JsonSchemaType.OBJECT,
        required: ['orderId', 'customerId', 'items'],
        additionalProperties: false,
        properties: {
          orderId: id,
          customerId: id,
          items: {
            type: apigw.JsonSchemaType.ARRAY,
            minItems: 1,
            maxItems: ORDER_LIMITS.maxItems,
            items: {
              type: apigw.JsonSchemaType.OBJECT,
              required: ['sku', 'quantity'],
              additionalProperties: false,
              properties: {
                sku: { type: apigw.JsonSchemaType.STRING, pattern: ORDER_LIMITS.skuPattern },
                quantity: { type: apigw.JsonSchemaType.INTEGER, minimum: 1, maximum: ORDER_LIMITS.maxQuantity },
              },
            },
          },
          note: { type: apigw.JsonSchemaType.STRING, maxLength: ORDER_LIMITS.noteMaxLength },
        },
      },
    });
  }

  // Gateway response templates only substitute variables (no VTL), and
  // $context.error.messageString is already a quoted JSON string.
  private addGatewayErrors() {
    const errors: Array<{ id: string; type: apigw.ResponseType; statusCode?: string; code: string; message?: string }> = [
      { id: 'BadRequestBody', type: apigw.ResponseType.BAD_REQUEST_BODY, statusCode: '400', code: 'VALIDATION_ERROR' },
      { id: 'Throttled', type: apigw.ResponseType.THROTTLED, statusCode: '429', code: 'THROTTLED' },
      { id: 'UnsupportedMediaType', type: apigw.ResponseType.UNSUPPORTED_MEDIA_TYPE, statusCode: '415', code: 'UNSUPPORTED_MEDIA_TYPE', message: '"Send the order as application/json"' },
      // Without an authorizer, this is what API Gateway answers for an unknown path or method.
      { id: 'NoRoute', type: apigw.ResponseType.MISSING_AUTHENTICATION_TOKEN, statusCode: '404', code: 'NOT_FOUND', message: '"No route matches this method and path"' },
      { id: 'Default4xx', type: apigw.ResponseType.DEFAULT_4XX, code: '$context.error.responseType' },
      { id: 'Default5xx', type: apigw.ResponseType.DEFAULT_5XX, code: 'INTERNAL_ERROR' },
    ];
    for (const { id, type, statusCode, code, message = '$context.error.messageString' } of errors) {
      this.api.addGatewayResponse(id, {
        type,
        statusCode,
        templates: { 'application/json': `{"error":{"code":"${code}","message":${message},"requestId":"$context.requestId"}}` },
      });
    }
  }
}
