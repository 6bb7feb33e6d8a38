import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import type { PathPlatform } from '../context.js';

/**
 * Path mode: the one custom domain every service mounts its API on. It has no mapping of
 * its own; each service stack adds an API mapping (`api/catalog`) to it. API Gateway maps
 * only APIs of this domain's account and region, so the services of a stage live there too.
 */
export class SharedDomain extends Construct {
  readonly domainName: apigateway.DomainName;

  constructor(scope: Construct, id: string, props: PathPlatform) {
    super(scope, id);
    const rootZone = route53.HostedZone.fromHostedZoneAttributes(this, 'RootZone', {
      hostedZoneId: props.hostedZoneId,
      zoneName: props.rootDomain,
    });
    const certificate = new acm.Certificate(this, 'Certificate', {
      domainName: props.domainName,
      validation: acm.CertificateValidation.fromDns(rootZone),
    });
    this.domainName = new apigateway.DomainName(this, 'DomainName', {
      domainName: props.domainName,
      certificate,
      endpointType: apigateway.EndpointType.REGIONAL,
      // Multi-level mappings (api/catalog) need TLS 1.2 or later on a regional domain.
      securityPolicy: apigateway.SecurityPolicy.TLS_1_2,
    });

    const target = route53.RecordTarget.fromAlias(new targets.ApiGatewayDomain(this.domainName));
    const recordName = `${props.domainName}.`;
    new route53.ARecord(this, 'AliasA', { zone: rootZone, recordName, target });
    new route53.AaaaRecord(this, 'AliasAaaa', { zone: rootZone, recordName, target });
  }
}
