import {
  CloudFrontClient,
  type DistributionConfig,
  GetDistributionCommand,
  NoSuchDistribution,
  PreconditionFailed,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { mockClient } from 'aws-sdk-client-mock';

export const DISTRIBUTION_ID = 'E2EXAMPLE12345';

/**
 * One CloudFront distribution: its configuration, an ETag that changes with every update (and an
 * UpdateDistribution whose IfMatch is stale fails with PreconditionFailed, as CloudFront does), and
 * the status: InProgress after an update until `finishDeploying()`, while edge locations may still
 * send the header value of the configuration before.
 */
export class FakeCloudFront {
  readonly mock = mockClient(CloudFrontClient);
  config: DistributionConfig;
  etag = 'E1';
  status: 'Deployed' | 'InProgress' = 'Deployed';
  /** The origin-verify values edge locations may be sending right now. */
  inFlight: string[];
  /** Runs when UpdateDistribution arrives, before CloudFront checks IfMatch. */
  onUpdate?: () => void;

  constructor(headerName: string, headerValue: string) {
    this.config = {
      CallerReference: 'stack-made',
      Comment: 'items API',
      Enabled: true,
      DefaultCacheBehavior: { TargetOriginId: 'api', ViewerProtocolPolicy: 'https-only', CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad' },
      Origins: {
        Quantity: 1,
        Items: [
          {
            Id: 'api',
            DomainName: 'abc123.execute-api.eu-west-1.amazonaws.com',
            OriginPath: '/prod',
            CustomHeaders: { Quantity: 2, Items: [{ HeaderName: 'X-Team', HeaderValue: 'catalog' }, { HeaderName: headerName, HeaderValue: headerValue }] },
            CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only' },
          },
        ],
      },
    };
    this.inFlight = [headerValue];
    this.mock.on(GetDistributionCommand).callsFake((input) => {
      if (input.Id !== DISTRIBUTION_ID) throw new NoSuchDistribution({ message: 'no such distribution', $metadata: {} });
      return { ETag: this.etag, Distribution: { Id: DISTRIBUTION_ID, Status: this.status, DistributionConfig: structuredClone(this.config) } };
    });
    this.mock.on(UpdateDistributionCommand).callsFake((input) => {
      this.onUpdate?.();
      if (input.IfMatch !== this.etag) throw new PreconditionFailed({ message: 'The If-Match version is missing or not valid', $metadata: {} });
      this.config = structuredClone(input.DistributionConfig);
      this.etag = `E${Number(this.etag.slice(1)) + 1}`;
      this.status = 'InProgress';
      this.inFlight = [...new Set([...this.inFlight, this.headerValue()!])];
      return { ETag: this.etag, Distribution: { Id: DISTRIBUTION_ID, Status: this.status, DistributionConfig: this.config } };
    });
  }

  headerValue(name = 'X-Origin-Verify'): string | undefined {
    return this.config.Origins?.Items?.[0]?.CustomHeaders?.Items?.find((h) => h.HeaderName === name)?.HeaderValue;
  }

  /** Every edge location has the latest configuration. */
  finishDeploying(): void {
    this.status = 'Deployed';
    this.inFlight = [this.headerValue()!];
  }

  /** Someone else (a `cdk deploy`) changes the distribution. */
  changeElsewhere(): void {
    this.config = { ...this.config, Comment: 'changed by a deploy' };
    this.etag = `E${Number(this.etag.slice(1)) + 1}`;
  }
}
