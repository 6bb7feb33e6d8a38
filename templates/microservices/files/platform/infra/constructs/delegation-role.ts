import { Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { Construct } from 'constructs';
import type { SubdomainPlatform } from '../context.js';

/**
 * The role each service stack assumes (through CDK's CrossAccountZoneDelegationRecord) to
 * write the NS record that delegates its own hosted zone from the root zone. It can change
 * NS records only, only in the root zone, and only for the listed host names.
 */
export class DelegationRole extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: SubdomainPlatform) {
    super(scope, id);
    this.role = new iam.Role(this, 'Role', {
      // Fixed, because the service stacks in other accounts build its ARN from the name.
      roleName: props.delegationRoleName,
      description: `Writes NS delegations for service host names into ${props.rootDomain}`,
      assumedBy: new iam.CompositePrincipal(...props.trustedAccounts.map((account) => new iam.AccountPrincipal(account))),
    });

    const rootZone = route53.HostedZone.fromHostedZoneAttributes(this, 'RootZone', {
      hostedZoneId: props.hostedZoneId,
      zoneName: props.rootDomain,
    });
    // CDK's grant: ChangeResourceRecordSets on this zone, conditioned on NS records, UPSERT or
    // DELETE, and these names; plus ListHostedZonesByName. With no service yet there is nothing
    // to delegate, and an empty name list would be an invalid condition.
    if (props.delegatedNames.length === 0) return;
    rootZone.grantDelegation(this.role, { delegatedZoneNames: props.delegatedNames });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'route53:ListHostedZonesByName has no resource-level permissions (it acts on the account, not on a zone), so "*" is its only possible resource; it reveals zone names and ids, and the delegation handler uses it to find the parent zone by name.',
    });
  }
}
