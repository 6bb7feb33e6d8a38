import { randomUUID } from 'node:crypto';
import {
  DescribeSecretCommand,
  GetSecretValueCommand,
  type GetSecretValueCommandInput,
  InvalidRequestException,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import type { Keyring } from '../../src/lib/origin-verify.js';

export const SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:origin-verify-AbCdEf';
export const HEADER = 'X-Origin-Verify';
export const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/items';

interface Version {
  value?: string;
  stages: string[];
  created: Date;
}

/**
 * Secrets Manager for one secret, as the rotation steps and the authorizer see it: versions with
 * staging labels, AWSPENDING versions that RotateSecret creates before createSecret fills them, and
 * AWSPREVIOUS moving along on its own. Every call goes through aws-sdk-client-mock, so what the
 * handlers send is recorded.
 */
export class FakeSecretsManager {
  readonly mock = mockClient(SecretsManagerClient);
  readonly versions = new Map<string, Version>();
  rotationEnabled = true;
  /** Makes GetSecretValue fail, as a throttled or unreachable Secrets Manager would. */
  failReads?: Error;

  constructor(initial: Keyring) {
    this.versions.set(randomUUID(), { value: JSON.stringify(initial), stages: ['AWSCURRENT'], created: new Date() });
    this.mock.on(DescribeSecretCommand).callsFake(() => ({
      ARN: SECRET_ARN,
      RotationEnabled: this.rotationEnabled,
      VersionIdsToStages: Object.fromEntries([...this.versions].map(([id, v]) => [id, [...v.stages]])),
    }));
    this.mock.on(GetSecretValueCommand).callsFake((input: GetSecretValueCommandInput) => {
      if (this.failReads) throw this.failReads;
      const stage = input.VersionStage ?? (input.VersionId ? undefined : 'AWSCURRENT');
      const found = [...this.versions].find(([id, v]) => (!input.VersionId || id === input.VersionId) && (!stage || v.stages.includes(stage)));
      if (!found || found[1].value === undefined) throw notFound();
      return { ARN: SECRET_ARN, VersionId: found[0], SecretString: found[1].value, VersionStages: found[1].stages };
    });
    this.mock.on(PutSecretValueCommand).callsFake((input) => {
      const existing = this.versions.get(input.ClientRequestToken);
      if (existing?.value !== undefined) throw new InvalidRequestException({ message: 'version exists', $metadata: {} });
      for (const stage of input.VersionStages ?? ['AWSCURRENT']) this.removeStage(stage);
      this.versions.set(input.ClientRequestToken, { value: input.SecretString, stages: input.VersionStages ?? ['AWSCURRENT'], created: new Date() });
      return { ARN: SECRET_ARN, VersionId: input.ClientRequestToken };
    });
    this.mock.on(UpdateSecretVersionStageCommand).callsFake((input) => {
      const from = input.RemoveFromVersionId ? this.versions.get(input.RemoveFromVersionId) : undefined;
      if (input.VersionStage === 'AWSCURRENT' && from) {
        this.removeStage('AWSPREVIOUS');
        from.stages.push('AWSPREVIOUS');
      }
      if (from) from.stages = from.stages.filter((s) => s !== input.VersionStage);
      const to = this.versions.get(input.MoveToVersionId);
      if (!to) throw notFound();
      // Becoming AWSCURRENT ends the rotation: Secrets Manager drops AWSPENDING from that version.
      to.stages = [...to.stages.filter((s) => s !== 'AWSPENDING'), input.VersionStage];
      return { ARN: SECRET_ARN };
    });
    this.mock.on(ListSecretVersionIdsCommand).callsFake(() => ({
      Versions: [...this.versions].map(([id, v]) => ({ VersionId: id, VersionStages: [...v.stages], CreatedDate: v.created })),
    }));
  }

  /** What RotateSecret does before it calls createSecret: an empty version labelled AWSPENDING. */
  startRotation(): string {
    const token = randomUUID();
    this.removeStage('AWSPENDING');
    this.versions.set(token, { stages: ['AWSPENDING'], created: new Date() });
    return token;
  }

  /** Replaces the secret's value the way `aws secretsmanager put-secret-value` would. */
  put(keyring: Keyring): void {
    const previous = [...this.versions.values()].find((v) => v.stages.includes('AWSCURRENT'));
    this.removeStage('AWSPREVIOUS');
    if (previous) previous.stages = [...previous.stages.filter((s) => s !== 'AWSCURRENT'), 'AWSPREVIOUS'];
    this.versions.set(randomUUID(), { value: JSON.stringify(keyring), stages: ['AWSCURRENT'], created: new Date() });
  }

  current(): Keyring {
    return JSON.parse([...this.versions.values()].find((v) => v.stages.includes('AWSCURRENT'))!.value!);
  }

  private removeStage(stage: string) {
    for (const version of this.versions.values()) version.stages = version.stages.filter((s) => s !== stage);
  }
}

const notFound = () => new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret value", $metadata: {} });

/** A value shaped like the generated ones (48 letters and digits), recognisable in failures. */
export function value(label: string): string {
  return `${label}-${'x'.repeat(48)}`.slice(0, 48);
}

/** The environment the stack gives the authorizer and the rotation function, with Powertools quiet. */
export function useFunctionEnvironment(env: Record<string, string> = {}): void {
  Object.assign(process.env, {
    AWS_REGION: 'eu-west-1',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_SERVICE_NAME: 'origin-verify-test',
    POWERTOOLS_METRICS_NAMESPACE: 'origin-verify-test',
    POWERTOOLS_METRICS_DISABLED: 'true',
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    ORIGIN_VERIFY_SECRET_ARN: SECRET_ARN,
    ORIGIN_VERIFY_HEADER: HEADER,
    ORIGIN_VERIFY_CACHE_SECONDS: '300',
    ...env,
  });
}

export type Authorizer = (event: APIGatewayRequestAuthorizerEvent, context: Context) => Promise<APIGatewayAuthorizerResult>;

/** The REQUEST authorizer event API Gateway sends, with the given headers. */
export function authorizerEvent(headers: Record<string, string> = {}, methodArn = METHOD_ARN): APIGatewayRequestAuthorizerEvent {
  return {
    type: 'REQUEST',
    methodArn,
    resource: '/items',
    path: '/items',
    httpMethod: 'GET',
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, [v]])),
    pathParameters: null,
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    stageVariables: null,
    requestContext: { identity: { sourceIp: '203.0.113.7' } } as APIGatewayRequestAuthorizerEvent['requestContext'],
  };
}

export function effectOf(result: APIGatewayAuthorizerResult): string | undefined {
  const [statement] = result.policyDocument.Statement as Array<{ Effect: string }>;
  return statement?.Effect;
}
