// Copied from sprout's src/runtime/cdk by `npm run sync:runtime`: edit it there, not in a project.
import { CustomResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';

import { RESPOND_SOURCE } from './custom-resource-response.js';

/**
 * The handler, inline (CommonJS, under Lambda's 4 KB inline limit). On Delete it removes the
 * CNAME records ACM's DNS validation wrote into the zone: CloudFormation leaves them behind
 * when it deletes the certificate, and Route 53 refuses to delete a zone that still holds
 * records other than its NS and SOA (HostedZoneNotEmpty), so `destroy` would fail.
 * `deleteValidationRecords` takes a two-method client so it can be tested against a fake.
 */
export const VALIDATION_RECORDS_CLEANUP_SOURCE = `${RESPOND_SOURCE}
const isAcmValidation = (r) => r.Type === 'CNAME' && (r.ResourceRecords || []).length > 0
  && r.ResourceRecords.every((v) => v.Value.endsWith('.acm-validations.aws.'));

exports.deleteValidationRecords = async (route53, hostedZoneId) => {
  const found = [];
  let page = { HostedZoneId: hostedZoneId };
  while (page) {
    const result = await route53.listRecords(page);
    found.push(...(result.ResourceRecordSets || []).filter(isAcmValidation));
    page = result.IsTruncated ? { HostedZoneId: hostedZoneId, StartRecordName: result.NextRecordName,
      StartRecordType: result.NextRecordType, StartRecordIdentifier: result.NextRecordIdentifier } : undefined;
  }
  if (found.length > 0) {
    await route53.changeRecords({ HostedZoneId: hostedZoneId,
      ChangeBatch: { Changes: found.map((record) => ({ Action: 'DELETE', ResourceRecordSet: record })) } });
  }
  return found.map((record) => record.Name);
};

const sdkClient = () => {
  const sdk = require('@aws-sdk/client-route-53');
  const client = new sdk.Route53Client({});
  return {
    listRecords: (input) => client.send(new sdk.ListResourceRecordSetsCommand(input)),
    changeRecords: (input) => client.send(new sdk.ChangeResourceRecordSetsCommand(input)),
  };
};

exports.handler = async (event) => {
  const zoneId = event.ResourceProperties.HostedZoneId;
  // A new zone gets a new id, so CloudFormation also sends a Delete for the old zone's cleanup.
  const physicalId = event.RequestType === 'Delete' ? event.PhysicalResourceId : 'validation-records-cleanup-' + zoneId;
  const response = { Status: 'SUCCESS', PhysicalResourceId: physicalId,
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId };
  try {
    if (event.RequestType === 'Delete') {
      const deleted = await exports.deleteValidationRecords(sdkClient(), zoneId);
      console.log(JSON.stringify({ hostedZoneId: zoneId, deleted }));
    }
  } catch (error) {
    // Already gone is what Delete wants.
    if (error.name !== 'NoSuchHostedZone') Object.assign(response, { Status: 'FAILED', Reason: String(error.message).slice(0, 500) });
  }
  await respond(event.ResponseURL, JSON.stringify(response));
};
`;

export interface ValidationRecordsCleanupProps {
  /** The zone that holds the certificate's validation records. */
  zone: route53.IHostedZone;
}

/**
 * Removes ACM's DNS validation records from `zone` when the stack (or this construct) is deleted.
 * Make the certificate depend on it, so deletion runs certificate → cleanup → zone.
 */
export class ValidationRecordsCleanup extends Construct {
  readonly resource: CustomResource;

  constructor(scope: Construct, id: string, props: ValidationRecordsCleanupProps) {
    super(scope, id);
    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A role of its own instead of AWSLambdaBasicExecutionRole, which may write to any log group.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Deletes ACM validation records from one hosted zone when its stack is deleted',
    });
    logGroup.grantWrite(role);
    role.addToPolicy(new iam.PolicyStatement({ actions: ['route53:ListResourceRecordSets'], resources: [props.zone.hostedZoneArn] }));
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['route53:ChangeResourceRecordSets'],
        resources: [props.zone.hostedZoneArn],
        // Only deleting CNAMEs: it cannot touch the zone's A, AAAA or NS records.
        conditions: {
          'ForAllValues:StringEquals': {
            'route53:ChangeResourceRecordSetsActions': ['DELETE'],
            'route53:ChangeResourceRecordSetsRecordTypes': ['CNAME'],
          },
        },
      }),
    );
    const handler = new lambda.Function(this, 'Function', {
      description: 'Deletes ACM validation records from a hosted zone before CloudFormation deletes the zone',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(VALIDATION_RECORDS_CLEANUP_SOURCE),
      timeout: Duration.minutes(2),
      role,
      logGroup,
    });
    this.resource = new CustomResource(this, 'Resource', {
      serviceToken: handler.functionArn,
      resourceType: 'Custom::AcmValidationRecordsCleanup',
      properties: { HostedZoneId: props.zone.hostedZoneId },
    });
  }
}
