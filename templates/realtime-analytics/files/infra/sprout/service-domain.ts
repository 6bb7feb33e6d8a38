// Copied from sprout's src/runtime/cdk by `npm run sync:runtime`: edit it there, not in a project.
import { CfnOutput, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigatewayv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct, type IDependable } from 'constructs';
import type { DeploymentDomain, PathDeployment, SubdomainDeployment } from './deployment.js';
import { ValidationRecordsCleanup } from './validation-records-cleanup.js';

export interface ApiServiceDomainProps {
  api: apigateway.IRestApi;
  /** The stage the domain serves, usually `api.deploymentStage`. */
  stage: apigateway.Stage;
  /** The `domain` part of `sprout:deployment`. */
  domain: DeploymentDomain;
}

// Short, so a zone destroyed and created again (new name servers) resolves within the hour.
const DELEGATION_TTL = Duration.hours(1);

/**
 * Puts a REST API on its custom domain, as `sprout deploy` planned it.
 *
 * - subdomain: the service's own public hosted zone for `hostName`, delegated from the parent
 *   zone (through the platform's delegation role when the parent is in another account), a
 *   certificate validated by DNS in that zone, a regional custom domain and A/AAAA aliases.
 * - path: an API mapping under `basePath` on the shared custom domain the platform app made.
 *   API Gateway only maps APIs of the domain's own account and region.
 *
 * Either way the stack outputs `Url`, the service's public base URL.
 */
export class ApiServiceDomain extends Construct {
  readonly url: string;
  /** Subdomain mode only: the service's own zone. */
  readonly hostedZone?: route53.PublicHostedZone;
  /** Subdomain mode only: the service's custom domain. */
  readonly domainName?: apigateway.DomainName;

  constructor(scope: Construct, id: string, props: ApiServiceDomainProps) {
    super(scope, id);
    if (props.domain.mode === 'subdomain') {
      const { zone, domainName } = this.addSubdomain(props.api, props.stage, props.domain);
      this.hostedZone = zone;
      this.domainName = domainName;
      this.url = `https://${props.domain.hostName}`;
    } else {
      this.url = `https://${props.domain.domainName}/${this.addPathMapping(props.api, props.stage, props.domain)}`;
    }
    new CfnOutput(this, 'Url', { value: this.url, description: "The service's base URL on its custom domain" }).overrideLogicalId('Url');
  }

  private addSubdomain(api: apigateway.IRestApi, stage: apigateway.Stage, domain: SubdomainDeployment) {
    const zone = new route53.PublicHostedZone(this, 'Zone', { zoneName: domain.hostName });
    const delegation = this.delegate(zone, domain);

    const cleanup = new ValidationRecordsCleanup(this, 'ValidationRecordsCleanup', { zone });
    const certificate = new acm.Certificate(this, 'Certificate', {
      domainName: domain.hostName,
      validation: acm.CertificateValidation.fromDns(zone),
    });
    // Created once the delegation exists (ACM validates through public DNS); deleted before the
    // cleanup runs, which empties the zone before CloudFormation deletes it.
    certificate.node.addDependency(delegation, cleanup.resource);

    const domainName = new apigateway.DomainName(this, 'DomainName', {
      domainName: domain.hostName,
      certificate,
      endpointType: apigateway.EndpointType.REGIONAL,
      securityPolicy: apigateway.SecurityPolicy.TLS_1_2,
    });
    domainName.addBasePathMapping(api, { stage });

    const target = route53.RecordTarget.fromAlias(new targets.ApiGatewayDomain(domainName));
    new route53.ARecord(this, 'AliasA', { zone, target });
    new route53.AaaaRecord(this, 'AliasAaaa', { zone, target });
    return { zone, domainName };
  }

  /** The NS record for `zone` in the parent zone; deleting the stack deletes it. */
  private delegate(zone: route53.PublicHostedZone, domain: SubdomainDeployment): IDependable {
    if (domain.delegationRoleArn) {
      return new route53.CrossAccountZoneDelegationRecord(this, 'Delegation', {
        delegatedZone: zone,
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
      values: zone.hostedZoneNameServers!,
      ttl: DELEGATION_TTL,
    });
  }

  /** Maps the stage under the base path; returns the mapping key. */
  private addPathMapping(api: apigateway.IRestApi, stage: apigateway.Stage, domain: PathDeployment): string {
    const key = domain.basePath.replace(/^\//, '');
    // The v2 resource: it takes multi-level keys (api/catalog) for REST APIs, the v1 BasePathMapping does not.
    new apigatewayv2.CfnApiMapping(this, 'ApiMapping', {
      domainName: domain.domainName,
      apiId: api.restApiId,
      stage: stage.stageName,
      apiMappingKey: key,
    });
    return key;
  }
}
