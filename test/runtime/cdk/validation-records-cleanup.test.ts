import { describe, expect, it } from 'vitest';

import { VALIDATION_RECORDS_CLEANUP_SOURCE } from '../../../src/runtime/cdk/validation-records-cleanup.js';

interface RecordSet {
  Name: string;
  Type: string;
  TTL?: number;
  ResourceRecords?: Array<{ Value: string }>;
  AliasTarget?: unknown;
}
type Page = { ResourceRecordSets: RecordSet[]; IsTruncated: boolean; NextRecordName?: string; NextRecordType?: string };

const validation = (name: string): RecordSet => ({
  Name: `_${name}.catalog.example.com.`,
  Type: 'CNAME',
  TTL: 300,
  ResourceRecords: [{ Value: `_${name}.xyz.acm-validations.aws.` }],
});
const otherCname: RecordSet = { Name: 'www.catalog.example.com.', Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: 'catalog.example.com.' }] };
const ns: RecordSet = { Name: 'catalog.example.com.', Type: 'NS', TTL: 172800, ResourceRecords: [{ Value: 'ns-1.awsdns-00.com.' }] };
const alias: RecordSet = { Name: 'catalog.example.com.', Type: 'A', AliasTarget: { DNSName: 'd-1.execute-api.eu-west-1.amazonaws.com.' } };

/**
 * Loads the inline handler the way Lambda would (CommonJS), with the Route 53 SDK and the
 * HTTPS response replaced by fakes that record what the handler did.
 */
function loadHandler(pages: Page[], failure?: { name: string; message: string }) {
  const calls: Array<{ command: string; input: Record<string, unknown> }> = [];
  const responses: Array<{ url: string; method: string; headers: Record<string, unknown>; body: Record<string, unknown> }> = [];
  const command = (name: string) =>
    class {
      readonly name = name;
      constructor(readonly input: Record<string, unknown>) {}
    };
  const sdk = {
    ListResourceRecordSetsCommand: command('ListResourceRecordSets'),
    ChangeResourceRecordSetsCommand: command('ChangeResourceRecordSets'),
    Route53Client: class {
      async send({ name, input }: { name: string; input: Record<string, unknown> }) {
        calls.push({ command: name, input });
        if (failure) throw Object.assign(new Error(failure.message), { name: failure.name });
        return name === 'ListResourceRecordSets' ? pages[calls.filter((c) => c.command === name).length - 1] : {};
      }
    },
  };
  const https = {
    request(url: string, options: { method: string; headers: Record<string, unknown> }, onResponse: (res: unknown) => void) {
      return {
        on() {},
        end(body: string) {
          responses.push({ url, method: options.method, headers: options.headers, body: JSON.parse(body) });
          onResponse({ resume() {}, on: (event: string, listener: () => void) => event === 'end' && listener() });
        },
      };
    },
  };
  const fakeRequire = (id: string) => ({ 'node:https': https, '@aws-sdk/client-route-53': sdk })[id];
  const module = { exports: {} as { handler: (event: unknown) => Promise<void> } };
  new Function('exports', 'require', 'module', VALIDATION_RECORDS_CLEANUP_SOURCE)(module.exports, fakeRequire, module);
  return { handler: module.exports.handler, calls, responses };
}

const event = (requestType: string, physicalResourceId?: string) => ({
  RequestType: requestType,
  ResponseURL: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/signed',
  StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/shop/1',
  RequestId: 'request-1',
  LogicalResourceId: 'DomainValidationRecordsCleanup',
  ...(physicalResourceId ? { PhysicalResourceId: physicalResourceId } : {}),
  ResourceProperties: { HostedZoneId: 'Z0NEW' },
});

describe('the validation records cleanup handler', () => {
  it('on Delete, deletes exactly the ACM validation CNAMEs across every page, then reports success under the same id', async () => {
    const { handler, calls, responses } = loadHandler([
      { ResourceRecordSets: [ns, validation('a'), alias], IsTruncated: true, NextRecordName: 'www.catalog.example.com.', NextRecordType: 'CNAME' },
      { ResourceRecordSets: [otherCname, validation('b')], IsTruncated: false },
    ]);
    await handler(event('Delete', 'id-given-at-create'));

    expect(calls.map((call) => call.command)).toEqual(['ListResourceRecordSets', 'ListResourceRecordSets', 'ChangeResourceRecordSets']);
    expect(calls[1]?.input).toMatchObject({ HostedZoneId: 'Z0NEW', StartRecordName: 'www.catalog.example.com.', StartRecordType: 'CNAME' });
    expect(calls[2]?.input).toEqual({
      HostedZoneId: 'Z0NEW',
      ChangeBatch: {
        Changes: [
          { Action: 'DELETE', ResourceRecordSet: validation('a') },
          { Action: 'DELETE', ResourceRecordSet: validation('b') },
        ],
      },
    });
    expect(responses).toEqual([
      {
        url: 'https://cloudformation-custom-resource-response.s3.amazonaws.com/signed',
        method: 'PUT',
        headers: expect.objectContaining({ 'content-type': '' }),
        body: {
          Status: 'SUCCESS',
          PhysicalResourceId: 'id-given-at-create',
          StackId: 'arn:aws:cloudformation:eu-west-1:111111111111:stack/shop/1',
          RequestId: 'request-1',
          LogicalResourceId: 'DomainValidationRecordsCleanup',
        },
      },
    ]);
  });

  it('changes nothing when the zone holds no validation record', async () => {
    const { handler, calls, responses } = loadHandler([{ ResourceRecordSets: [ns, otherCname, alias], IsTruncated: false }]);
    await handler(event('Delete', 'validation-records-cleanup-Z0NEW'));
    expect(calls.map((call) => call.command)).toEqual(['ListResourceRecordSets']);
    expect(responses[0]?.body.Status).toBe('SUCCESS');
  });

  it('on Create, calls Route 53 not at all and names the resource after the zone', async () => {
    const { handler, calls, responses } = loadHandler([]);
    await handler(event('Create'));
    expect(calls).toEqual([]);
    expect(responses[0]?.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'validation-records-cleanup-Z0NEW' });
  });

  it('names the resource after the new zone on an update that replaced the zone, so the old one gets its Delete', async () => {
    const { handler, calls, responses } = loadHandler([]);
    await handler(event('Update', 'validation-records-cleanup-Z0OLD'));
    expect(calls).toEqual([]);
    expect(responses[0]?.body).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: 'validation-records-cleanup-Z0NEW' });
  });

  it('treats a zone that is already gone as deleted', async () => {
    const { handler, responses } = loadHandler([], { name: 'NoSuchHostedZone', message: 'No hosted zone found with ID: Z0NEW' });
    await handler(event('Delete', 'validation-records-cleanup-Z0NEW'));
    expect(responses[0]?.body.Status).toBe('SUCCESS');
  });

  it('reports any other error to CloudFormation instead of leaving it waiting', async () => {
    const { handler, responses } = loadHandler([], { name: 'AccessDenied', message: 'not authorized to perform route53:ListResourceRecordSets' });
    await handler(event('Delete', 'validation-records-cleanup-Z0NEW'));
    expect(responses[0]?.body).toMatchObject({ Status: 'FAILED', Reason: 'not authorized to perform route53:ListResourceRecordSets' });
  });

  it('fits Lambda inline code (4 KB)', () => {
    expect(Buffer.byteLength(VALIDATION_RECORDS_CLEANUP_SOURCE)).toBeLessThanOrEqual(4096);
  });
});
