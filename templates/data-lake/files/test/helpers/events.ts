import type { Context, S3Event } from 'aws-lambda';

/** A Lambda context good enough for Powertools' logger. */
export function lambdaContext(functionName = 'data-lake-test'): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: `aws-${Math.random().toString(36).slice(2)}`,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'test',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * A key as S3 writes it into an event notification: form-URL-encoded, so a space is `+` and a
 * `+` is `%2B` ("red flower.jpg" arrives as "red+flower.jpg").
 */
export function encodeKeyAsS3(key: string): string {
  return encodeURIComponent(key).replace(/%20/g, '+').replace(/%2F/g, '/');
}

export interface NotificationInput {
  bucket: string;
  key: string;
  eTag?: string;
  size?: number;
  eventTime?: string;
  eventName?: string;
}

/**
 * An ObjectCreated notification shaped like the one S3 sends Lambda (event message structure 2.1,
 * from the S3 user guide), with the key encoded the way S3 encodes it.
 */
export function s3Notification(...objects: NotificationInput[]): S3Event {
  return {
    Records: objects.map(({ bucket, key, eTag, size, eventTime, eventName }) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: eventTime ?? '2026-11-26T10:00:05.000Z',
      eventName: eventName ?? 'ObjectCreated:Put',
      userIdentity: { principalId: 'AWS:AIDAEXAMPLE' },
      requestParameters: { sourceIPAddress: '198.51.100.7' },
      responseElements: { 'x-amz-request-id': 'C3D13FE58DE4C810', 'x-amz-id-2': 'FMyUVURIY8/IgAtTv8xRjskZQpcIZ9KG4V5Wp6S7S/JRWeUWerMUE5JgHvANOjpD' },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'raw-events',
        bucket: { name: bucket, ownerIdentity: { principalId: 'A3NL1KOZZKExample' }, arn: `arn:aws:s3:::${bucket}` },
        object: { key: encodeKeyAsS3(key), size: size ?? 0, ...(eTag ? { eTag } : {}), sequencer: '0055AED6DCD90281E5' },
      },
    })) as S3Event['Records'],
  };
}

/** The message S3 sends when a notification configuration is saved. */
export const testEvent = {
  Service: 'Amazon S3',
  Event: 's3:TestEvent',
  Time: '2026-11-26T10:00:00.000Z',
  Bucket: 'lake-raw',
  RequestId: '5582815E1AEA5ADF',
  HostId: '8cLeGAmw098X5cv4Zkwcmo8vvZa3eH3eKxsPzbB9wrR+YstdA6Knx4Ip8EXAMPLE',
};
