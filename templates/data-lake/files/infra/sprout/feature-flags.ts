// Copied from sprout's src/runtime/cdk by `npm run sync:runtime`: edit it there, not in a project.
import { CfnOutput, CustomResource, Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as appconfig from 'aws-cdk-lib/aws-appconfig';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

import { RESPOND_SOURCE } from './custom-resource-response.js';

/**
 * The stack outputs through which `sprout flags --stage <stage>` finds the store (sprout's
 * templates/README.md, "Feature flags"). Their logical ids are fixed, not hashed by the construct path.
 */
export const FLAG_STACK_OUTPUTS = {
  applicationId: 'FlagsApplicationId',
  environmentId: 'FlagsEnvironmentId',
  profileId: 'FlagsProfileId',
  deploymentStrategyId: 'FlagsDeploymentStrategyId',
} as const;

/**
 * The environment variables that tell a function's flag provider where its flags are (the same
 * names as FLAG_SOURCE_VARIABLES in src/sprout/flags/sources.ts, which reads them).
 */
export const FLAG_SOURCE_ENVIRONMENT = {
  application: 'SPROUT_FLAGS_APPLICATION',
  environment: 'SPROUT_FLAGS_ENVIRONMENT',
  profile: 'SPROUT_FLAGS_PROFILE',
} as const;

/**
 * The handler that writes the first version of the flags, inline (CommonJS, under Lambda's 4 KB
 * inline limit).
 * - Create: when the profile holds no version yet, CreateHostedConfigurationVersion with the
 *   initial content, then StartDeployment of it. A profile that already has a version is left
 *   alone: its flags belong to `sprout flags`.
 * - Update: nothing, so a redeploy never reverts a flag (even when the initial content in the code
 *   changed). Only a new profile (its replacement) gets its first version, under a new physical id.
 * - Delete: deletes every hosted version of the profile, which AppConfig requires before it
 *   deletes the profile ("there are still hosted configuration versions existing under it").
 * `writeFirstVersion` and `deleteVersions` take a four-method client so they can be tested against a fake.
 */
export const INITIAL_FLAGS_SOURCE = `${RESPOND_SOURCE}
const versionsOf = async (appconfig, p) => {
  const versions = [];
  let NextToken;
  do {
    const page = await appconfig.listVersions({ ApplicationId: p.ApplicationId, ConfigurationProfileId: p.ConfigurationProfileId, NextToken });
    versions.push(...(page.Items || []).map((item) => item.VersionNumber));
    NextToken = page.NextToken;
  } while (NextToken);
  return versions;
};

exports.writeFirstVersion = async (appconfig, p) => {
  if ((await versionsOf(appconfig, p)).length > 0) return undefined;
  const { VersionNumber } = await appconfig.createVersion({ ApplicationId: p.ApplicationId,
    ConfigurationProfileId: p.ConfigurationProfileId, Content: new TextEncoder().encode(p.Content),
    ContentType: 'application/json', Description: 'The first flags, written when the stack was created' });
  await appconfig.startDeployment({ ApplicationId: p.ApplicationId, EnvironmentId: p.EnvironmentId,
    DeploymentStrategyId: p.DeploymentStrategyId, ConfigurationProfileId: p.ConfigurationProfileId,
    ConfigurationVersion: String(VersionNumber), Description: 'The first flags, deployed when the stack was created' });
  return VersionNumber;
};

exports.deleteVersions = async (appconfig, p) => {
  const versions = await versionsOf(appconfig, p);
  for (const VersionNumber of versions) {
    await appconfig.deleteVersion({ ApplicationId: p.ApplicationId, ConfigurationProfileId: p.ConfigurationProfileId, VersionNumber });
  }
  return versions;
};

const sdkClient = () => {
  const sdk = require('@aws-sdk/client-appconfig');
  const client = new sdk.AppConfigClient({});
  const call = (Command) => (input) => client.send(new Command(input));
  return { listVersions: call(sdk.ListHostedConfigurationVersionsCommand), createVersion: call(sdk.CreateHostedConfigurationVersionCommand),
    startDeployment: call(sdk.StartDeploymentCommand), deleteVersion: call(sdk.DeleteHostedConfigurationVersionCommand) };
};

exports.handler = async (event) => {
  const p = event.ResourceProperties;
  const profile = p.ApplicationId + '/' + p.ConfigurationProfileId;
  const physicalId = event.RequestType === 'Delete' ? event.PhysicalResourceId : profile;
  const response = { Status: 'SUCCESS', PhysicalResourceId: physicalId,
    StackId: event.StackId, RequestId: event.RequestId, LogicalResourceId: event.LogicalResourceId };
  try {
    if (event.RequestType === 'Delete') {
      console.log(JSON.stringify({ profile, deleted: await exports.deleteVersions(sdkClient(), p) }));
    } else if (event.RequestType === 'Create' || event.PhysicalResourceId !== profile) {
      console.log(JSON.stringify({ profile, written: await exports.writeFirstVersion(sdkClient(), p) }));
    }
  } catch (error) {
    // A profile already gone has no version left to delete.
    const gone = event.RequestType === 'Delete' && error.name === 'ResourceNotFoundException';
    if (!gone) Object.assign(response, { Status: 'FAILED', Reason: String(error.message).slice(0, 500) });
  }
  await respond(event.ResponseURL, JSON.stringify(response));
};
`;

export interface FeatureFlagsProps {
  /**
   * The first version of the flags, as AppConfig hosted content: `encodeAppConfig(document)` from
   * src/sprout/flags/codec.js. Written once, when the stack is created; changing it later changes nothing.
   */
  initialContent: string;
  /** The AppConfig environment's name: the stage. */
  environmentName: string;
  /** The AppConfig application's name; by default the stack's name, unique in its account and region. */
  applicationName?: string;
}

/**
 * A project's feature flag store: an AppConfig application, one environment, an
 * `AWS.AppConfig.FeatureFlags` hosted profile and a deployment strategy, with the first version of
 * the flags written once at stack creation. From then on `sprout flags` owns the flags: it writes
 * new versions and deploys them, and CloudFormation never touches them again.
 *
 * Outputs FlagsApplicationId, FlagsEnvironmentId, FlagsProfileId and FlagsDeploymentStrategyId.
 * `grantRead(fn)` lets a function read them (src/sprout/flags/provider.ts, createFlagsClient).
 */
export class FeatureFlags extends Construct {
  readonly applicationId: string;
  readonly environmentId: string;
  readonly profileId: string;
  readonly deploymentStrategyId: string;
  /** The custom resource that wrote the first version. */
  readonly initialVersion: CustomResource;

  constructor(scope: Construct, id: string, props: FeatureFlagsProps) {
    super(scope, id);
    checkHostedContent(props.initialContent);
    // AppConfig names are at most 64 characters; a stack name may have 128.
    const name = (props.applicationName ?? Stack.of(this).stackName).slice(0, 64);

    const application = new appconfig.CfnApplication(this, 'Application', {
      name,
      description: 'Feature flags, managed with sprout flags',
    });
    const environment = new appconfig.CfnEnvironment(this, 'Environment', {
      applicationId: application.attrApplicationId,
      name: props.environmentName,
    });
    const profile = new appconfig.CfnConfigurationProfile(this, 'Profile', {
      applicationId: application.attrApplicationId,
      name: 'flags',
      locationUri: 'hosted',
      type: 'AWS.AppConfig.FeatureFlags',
      description: 'Written by sprout flags: each flag carries its sprout spec in its "spec" attribute',
    });
    // The flags themselves do the gradual part (a percentage split by targeting key), so the
    // document goes out fast: half the environment's clients, then all of them, a minute apart,
    // and a one-minute bake during which `sprout flags rollback` (StopDeployment) or an alarm
    // added to the environment rolls a bad document back. The environment is busy for about three
    // minutes per change. ReplicateTo NONE: no copy of the strategy in SSM documents.
    const strategy = new appconfig.CfnDeploymentStrategy(this, 'DeploymentStrategy', {
      name: `${name.slice(0, 58)}-flags`,
      description: 'Feature flags: linear, 50% then 100% over 2 minutes, 1 minute bake',
      growthType: 'LINEAR',
      growthFactor: 50,
      deploymentDurationInMinutes: 2,
      finalBakeTimeInMinutes: 1,
      replicateTo: 'NONE',
    });

    this.applicationId = application.attrApplicationId;
    this.environmentId = environment.attrEnvironmentId;
    this.profileId = profile.attrConfigurationProfileId;
    this.deploymentStrategyId = strategy.attrId;
    this.initialVersion = this.writeInitialVersion(props.initialContent);

    // Outputs made inside a construct get a hashed logical id: these keep the exact keys the CLI reads.
    const output = (key: keyof typeof FLAG_STACK_OUTPUTS, value: string, description: string) =>
      new CfnOutput(this, FLAG_STACK_OUTPUTS[key], { value, description }).overrideLogicalId(FLAG_STACK_OUTPUTS[key]);
    output('applicationId', this.applicationId, 'AppConfig application of the feature flags (sprout flags)');
    output('environmentId', this.environmentId, 'AppConfig environment of the feature flags');
    output('profileId', this.profileId, 'AppConfig feature flag profile');
    output('deploymentStrategyId', this.deploymentStrategyId, 'AppConfig deployment strategy sprout flags deploys with');
  }

  /**
   * Lets `fn` read the flags: the three variables its provider looks for, and AppConfigData's two
   * read actions on this one configuration (application/environment/profile), nothing else.
   */
  grantRead(fn: lambda.Function): iam.Grant {
    fn.addEnvironment(FLAG_SOURCE_ENVIRONMENT.application, this.applicationId);
    fn.addEnvironment(FLAG_SOURCE_ENVIRONMENT.environment, this.environmentId);
    fn.addEnvironment(FLAG_SOURCE_ENVIRONMENT.profile, this.profileId);
    return iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['appconfig:StartConfigurationSession', 'appconfig:GetLatestConfiguration'],
      resourceArns: [`${this.applicationArn()}/environment/${this.environmentId}/configuration/${this.profileId}`],
    });
  }

  private applicationArn(): string {
    return Stack.of(this).formatArn({ service: 'appconfig', resource: 'application', resourceName: this.applicationId });
  }

  private writeInitialVersion(content: string): CustomResource {
    const applicationArn = this.applicationArn();
    const profileArn = `${applicationArn}/configurationprofile/${this.profileId}`;
    const environmentArn = `${applicationArn}/environment/${this.environmentId}`;
    const strategyArn = Stack.of(this).formatArn({ service: 'appconfig', resource: 'deploymentstrategy', resourceName: this.deploymentStrategyId });
    // AppConfig numbers each version and each deployment as it creates them.
    const versionsArn = `${profileArn}/hostedconfigurationversion/*`;
    const deploymentsArn = `${environmentArn}/deployment/*`;

    const logGroup = new logs.LogGroup(this, 'InitialVersionLogs', {
      retention: logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // A role of its own instead of AWSLambdaBasicExecutionRole, which may write to any log group.
    const role = new iam.Role(this, 'InitialVersionRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Writes the first version of the feature flags of one AppConfig profile, and deletes its versions with the stack',
    });
    logGroup.grantWrite(role);
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['appconfig:ListHostedConfigurationVersions', 'appconfig:CreateHostedConfigurationVersion', 'appconfig:DeleteHostedConfigurationVersion'],
        resources: [applicationArn, profileArn, versionsArn],
      }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['appconfig:StartDeployment'],
        resources: [applicationArn, environmentArn, deploymentsArn, profileArn, strategyArn],
      }),
    );
    Validations.of(role).acknowledge({
      id: wildcardResourceFinding(this, versionsArn),
      reason:
        'Version numbers are assigned by AppConfig when this function creates a version, so they cannot be named in advance; the wildcard covers only the versions of the one profile this construct owns.',
    });
    Validations.of(role).acknowledge({
      id: wildcardResourceFinding(this, deploymentsArn),
      reason:
        'Deployment numbers are assigned by AppConfig when this function starts the deployment, so they cannot be named in advance; the wildcard covers only the deployments of the one environment this construct owns.',
    });

    const handler = new lambda.Function(this, 'InitialVersionFunction', {
      description: 'Writes and deploys the first feature flags when the stack is created; deletes their versions when it is deleted',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: lambda.Code.fromInline(INITIAL_FLAGS_SOURCE),
      timeout: Duration.minutes(2),
      role,
      logGroup,
    });
    return new CustomResource(this, 'InitialVersion', {
      serviceToken: handler.functionArn,
      resourceType: 'Custom::SproutInitialFeatureFlags',
      properties: {
        ApplicationId: this.applicationId,
        EnvironmentId: this.environmentId,
        ConfigurationProfileId: this.profileId,
        DeploymentStrategyId: this.deploymentStrategyId,
        Content: content,
      },
    });
  }
}

/** A synth-time check that the content is the hosted form (`{ "version": "1", "flags": … }`), not a sprout FlagDocument. */
function checkHostedContent(content: string): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch (error) {
    throw new Error(`FeatureFlags initialContent is not JSON (${(error as Error).message}): pass encodeAppConfig(document)`);
  }
  const hosted = typeof parsed === 'object' && parsed !== null && (parsed as { version?: unknown }).version === '1' && typeof (parsed as { flags?: unknown }).flags === 'object';
  if (!hosted) throw new Error('FeatureFlags initialContent must be AppConfig hosted content ({ "version": "1", "flags": … }): pass encodeAppConfig(document)');
}

/**
 * The id cdk-nag gives the AwsSolutions-IAM5 finding for one wildcard resource: the ARN as the
 * template spells it, with each reference written `<Ref>` or `<LogicalId.Attribute>`. An
 * acknowledgement must name it exactly, so it silences that one wildcard and no other.
 */
function wildcardResourceFinding(scope: Construct, arn: string): string {
  const flatten = (node: unknown): string => {
    if (typeof node === 'string') return node;
    const intrinsic = node as Record<string, unknown>;
    const join = intrinsic['Fn::Join'] as [string, unknown[]] | undefined;
    if (join) return join[1].map(flatten).join(join[0]);
    const getAtt = intrinsic['Fn::GetAtt'] as [string, string] | undefined;
    if (getAtt) return `<${getAtt[0]}.${getAtt[1]}>`;
    if (typeof intrinsic.Ref === 'string') return `<${intrinsic.Ref}>`;
    return JSON.stringify(node);
  };
  return `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(arn))}]`;
}
