import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct } from 'constructs';
import type { Config } from '../config.js';
import { ApiDistribution } from '../constructs/api-distribution.js';
import { addItemsService, type ItemsService } from '../constructs/items-service.js';
import { OriginVerify } from '../constructs/origin-verify.js';
import type { EdgeCertificateStack } from './edge-certificate-stack.js';

export interface RegionalApiStackProps extends StackProps {
  config: Config;
  /** The custom domain's zone and us-east-1 certificate, when sprout deploys with a domain. */
  edgeCertificate?: EdgeCertificateStack;
}

/**
 * backend-api's items service on a Regional API Gateway, behind a CloudFront distribution that
 * caches its GETs and is the only caller the API lets in (the origin-verify header).
 */
export class RegionalApiStack extends Stack {
  readonly service: ItemsService;
  readonly originVerify: OriginVerify;
  readonly edge: ApiDistribution;

  constructor(scope: Construct, id: string, props: RegionalApiStackProps) {
    super(scope, id, { ...props, ...(props.edgeCertificate ? { crossRegionReferences: true } : {}) });
    const { config, edgeCertificate } = props;
    const { options, resourceName, stage, domain } = config;

    this.originVerify = new OriginVerify(this, 'OriginVerify', { resourceName, headerName: options.originVerifyHeader });
    // No `domain` here: the custom domain belongs on the distribution, the API's only caller.
    this.service = addItemsService(this, { resourceName, stage, options, authorizer: this.originVerify.authorizer });
    const restApi = this.service.api.api;
    this.originVerify.addGatewayResponses(restApi);
    // The execute-api URL is a way around CloudFront only the authorizer closes; do not advertise it
    // among the service's URLs (RestApi outputs it as "Endpoint").
    restApi.node.tryRemoveChild('Endpoint');

    const hostName = domain?.mode === 'subdomain' ? domain.hostName : undefined;
    this.edge = new ApiDistribution(this, 'Edge', {
      api: restApi,
      originHeader: { name: this.originVerify.headerName, value: this.originVerify.headerValue },
      cacheTtlSeconds: options.cacheTtlSeconds,
      priceClass: options.priceClass,
      comment: `${resourceName} (${stage}): items API`,
      ...(hostName && edgeCertificate
        ? {
            domain: {
              hostName,
              certificate: edgeCertificate.certificate,
              zone: route53.HostedZone.fromHostedZoneAttributes(this, 'Zone', { hostedZoneId: edgeCertificate.zone.hostedZoneId, zoneName: hostName }),
            },
          }
        : {}),
    });
    this.originVerify.rotateWith(this.edge.distribution, options.rotationDays);

    Validations.of(restApi).acknowledge({
      id: 'AwsSolutions-COG4',
      reason:
        'Every method requires the origin-verify REQUEST authorizer, which proves the request came through this stack\'s CloudFront distribution; the items API itself is public by design (cacheable reads for anyone). Add a Cognito authorizer when it gets users (see the secured-spa pattern).',
    });

    const distributionUrl = `https://${this.edge.distribution.distributionDomainName}`;
    const baseUrl = hostName ? `https://${hostName}` : distributionUrl;
    // `Url` is the key sprout reads for a service's base URL on its custom domain.
    if (hostName) new CfnOutput(this, 'Url', { value: baseUrl, description: "The service's base URL on its custom domain" });
    new CfnOutput(this, 'DistributionUrl', { value: distributionUrl, description: 'The CloudFront distribution, the only way in' });
    new CfnOutput(this, 'ItemsUrl', { value: `${baseUrl}/items`, description: 'The items resource, through CloudFront' });
    new CfnOutput(this, 'DistributionId', { value: this.edge.distribution.distributionId });
    // Named so that sprout does not list it among the service's URLs: it answers 403 (see README).
    new CfnOutput(this, 'DirectApiAddress', { value: restApi.urlForPath('/items'), description: 'The execute-api URL: refused without the origin-verify header' });
    new CfnOutput(this, 'OriginVerifySecretArn', { value: this.originVerify.secret.secretArn, description: 'aws secretsmanager rotate-secret --secret-id <this> rotates now' });
    new CfnOutput(this, 'ItemsTableName', { value: this.service.store.items.tableName });
  }
}
