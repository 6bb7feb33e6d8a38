import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { PlatformConfig } from './config.js';
import { DelegationRole } from './constructs/delegation-role.js';
import { SharedDomain } from './constructs/shared-domain.js';

export interface PlatformStackProps extends StackProps {
  config: PlatformConfig;
}

/**
 * What the services of one stage share, deployed in the account that owns the root hosted
 * zone before any service: the delegation role (subdomain mode) or the custom domain (path mode).
 */
export class PlatformStack extends Stack {
  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id, props);
    const { domain } = props.config;
    if (domain.mode === 'subdomain') {
      const delegation = new DelegationRole(this, 'Delegation', domain);
      new CfnOutput(this, 'DelegationRoleArn', {
        value: delegation.role.roleArn,
        description: 'The role service stacks assume to delegate their zones (sprout:deployment domain.delegationRoleArn)',
      });
    } else {
      const shared = new SharedDomain(this, 'Shared', domain);
      new CfnOutput(this, 'DomainName', { value: shared.domainName.domainName, description: 'The shared custom domain' });
      new CfnOutput(this, 'RegionalDomainName', {
        value: shared.domainName.domainNameAliasDomainName,
        description: "API Gateway's regional host name behind the custom domain",
      });
      new CfnOutput(this, 'RegionalHostedZoneId', {
        value: shared.domainName.domainNameAliasHostedZoneId,
        description: 'The hosted zone id of that regional host name, for alias records',
      });
    }
  }
}
