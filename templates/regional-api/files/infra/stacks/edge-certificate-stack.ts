import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import type { Construct, IDependable } from 'constructs';
import type { SubdomainDeployment } from '../sprout/deployment.js';
import { ValidationRecordsCleanup } from '../sprout/validation-records-cleanup.js';

export interface EdgeCertificateStackProps extends StackProps {
  domain: SubdomainDeployment;
}

// Short, so a zone destroyed and created again (new name servers) resolves within the hour.
const DELEGATION_TTL = Duration.hours(1);

/**
 * The custom domain's hosted zone and certificate, in us-east-1: CloudFront only takes
 * certificates from there, whatever Region the API is in. The zone is the service's own
 * (`hostName`), delegated from the parent zone as `sprout deploy` planned it (through the
 * platform's delegation role when the parent zone is in another account); the certificate is
 * validated by DNS in it. The API's stack reads both through CDK's cross-Region references and
 * adds the alias records next to the distribution.
 */
export class EdgeCertificateStack extends Stack {
  readonly zone: route53.PublicHostedZone;
  readonly certificate: acm.Certificate;

  constructor(scope: Construct, id: string, props: EdgeCertificateStackProps) {
    super(scope, id, { ...props, crossRegionReferences: true });
    const { domain } = props;

    this.zone = new route53.PublicHostedZone(this, 'Zone', { zoneName: domain.hostName });
    const delegation = this.delegate(domain);
    const cleanup = new ValidationRecordsCleanup(this, 'ValidationRecordsCleanup', { zone: this.zone });
    this.certificate = new acm.Certificate(this, 'Certificate', {
      domainName: domain.hostName,
      validation: acm.CertificateValidation.fromDns(this.zone),
    });
    // Created once the delegation exists (ACM validates through public DNS); deleted before the
    // cleanup runs, which empties the zone before CloudFormation deletes it.
    this.certificate.node.addDependency(delegation, cleanup.resource);
  }

  /** The NS record for the zone in the parent zone; deleting the stack deletes it. */
  private delegate(domain: SubdomainDeployment): IDependable {
    if (domain.delegationRoleArn) {
      return new route53.CrossAccountZoneDelegationRecord(this, 'Delegation', {
        delegatedZone: this.zone,
        parentHostedZoneId: domain.parentHostedZoneId,
        delegationRole: iam.Role.fromRoleArn(this, 'DelegationRole', domain.delegationRoleArn),
        ttl: DELEGATION_TTL,
        removalPolicy: RemovalPolicy.DESTROY,
      });
    }
    const parentZone = route53.HostedZone.fromHostedZoneAttributes(this, 'ParentZone', {
      hostedZoneId: domain.parentHostedZoneId,
      zoneName: domain.parentZoneName,
    });
    return new route53.NsRecord(this, 'Delegation', {
      zone: parentZone,
      recordName: `${domain.hostName}.`,
      // Defined for every public zone this stack creates (a Fn::GetAtt of its NameServers).
      values: this.zone.hostedZoneNameServers!,
      ttl: DELEGATION_TTL,
    });
  }
}
