import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';

import { PreconditionError } from '../core/errors.js';
import type { CredentialSource } from '../deploy/plan.js';

/** Credentials are renewed this long before they expire, so a long deploy never holds stale ones. */
const REFRESH_MARGIN_MS = 5 * 60_000;

export interface CredentialOptions {
  region: string;
  /** Shown in CloudTrail as the session name of every assumed role. */
  sessionName: string;
}

/**
 * The credentials for one target: base credentials from a profile (or the default chain:
 * environment, SSO, instance role), then, when the plan says so, a role assumed with STS.
 * Every failure becomes a precondition error (exit 3) that says how to log in.
 */
export async function credentialsFor(source: CredentialSource, options: CredentialOptions): Promise<AwsCredentialIdentityProvider> {
  const { fromIni, fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
  const base = explained(source.profile ? fromIni({ profile: source.profile }) : fromNodeProviderChain(), source);
  return source.roleArn ? assumeRole(source.roleArn, base, options, source) : base;
}

/** AssumeRole through @aws-sdk/client-sts (so tests can mock it), cached until near expiry. */
function assumeRole(roleArn: string, base: AwsCredentialIdentityProvider, options: CredentialOptions, source: CredentialSource): AwsCredentialIdentityProvider {
  let cached: AwsCredentialIdentity | undefined;
  return async () => {
    if (cached?.expiration && cached.expiration.getTime() - Date.now() > REFRESH_MARGIN_MS) return cached;
    const { AssumeRoleCommand, STSClient } = await import('@aws-sdk/client-sts');
    const sts = new STSClient({ region: options.region, credentials: base });
    try {
      const { Credentials } = await sts.send(
        new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: options.sessionName.slice(0, 64), DurationSeconds: 3600 }),
      );
      if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey) throw new Error('STS returned no credentials');
      cached = {
        accessKeyId: Credentials.AccessKeyId,
        secretAccessKey: Credentials.SecretAccessKey,
        sessionToken: Credentials.SessionToken,
        expiration: Credentials.Expiration,
      };
      return cached;
    } catch (error) {
      if (error instanceof PreconditionError) throw error;
      throw new PreconditionError('ASSUME_ROLE_FAILED', `Could not assume ${roleArn}: ${(error as Error).message}`, {
        cause: error,
        suggestions: [
          `Check that the role exists and trusts the identity you are using (${source.profile ? `profile ${source.profile}` : 'your default credentials'}).`,
          'See who you are with: aws sts get-caller-identity' + (source.profile ? ` --profile ${source.profile}` : ''),
        ],
      });
    } finally {
      sts.destroy();
    }
  };
}

/** Wraps a provider so that "no credentials" says which profile, and how to log in. */
function explained(provider: AwsCredentialIdentityProvider, source: CredentialSource): AwsCredentialIdentityProvider {
  return async () => {
    try {
      return await provider();
    } catch (error) {
      throw credentialsError(error, source.profile);
    }
  };
}

export function credentialsError(error: unknown, profile: string | undefined): PreconditionError {
  const reason = (error as Error)?.message ?? String(error);
  const sso = /sso|token/i.test(reason);
  return new PreconditionError(
    'NO_CREDENTIALS',
    profile ? `No AWS credentials for profile "${profile}": ${reason}` : `No AWS credentials found: ${reason}`,
    {
      cause: error,
      suggestions: profile
        ? [`Log in: aws sso login --profile ${profile}`, ...(sso ? [] : [`Or check the [profile ${profile}] section of ~/.aws/config.`])]
        : [
            'Log in with a profile and pass it: aws sso login --profile <name>, then --profile <name>',
            'Or set a profile for the stage in sprout.json (stages.<stage>.profile), or AWS_PROFILE, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY.',
          ],
    },
  );
}
