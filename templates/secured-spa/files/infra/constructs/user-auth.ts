import { Aws, Duration, Fn, Validations } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';

export interface UserAuthProps {
  resourceName: string;
  stage: string;
  /** `https://<distribution domain>`: callback and sign-out URLs are `${siteUrl}${signInPath}`. */
  siteUrl: string;
  signInPath: string;
  /** Lifetime of access and ID tokens. */
  accessTokenMinutes: number;
}

/**
 * Who may sign in: a Cognito user pool (users created by an administrator, email as user name,
 * strong passwords, optional TOTP MFA), its hosted UI on a Cognito prefix domain, and one public
 * app client for the SPA: authorization code grant with PKCE, no client secret (a browser cannot
 * keep one), callbacks only to the site's sign-in route.
 */
export class UserAuth extends Construct {
  readonly userPool: cognito.UserPool;
  readonly client: cognito.UserPoolClient;
  readonly domain: cognito.UserPoolDomain;
  /** The hosted UI's base URL (`/oauth2/authorize`, `/oauth2/token` and `/logout` live under it). */
  readonly signInUrl: string;

  constructor(scope: Construct, id: string, props: UserAuthProps) {
    super(scope, id);

    this.userPool = new cognito.UserPool(this, 'UserPool', {
      userPoolName: `${props.resourceName}-${props.stage}`,
      // Users are invited (aws cognito-idp admin-create-user, see the README): the site is private.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: { minLength: 12, requireLowercase: true, requireUppercase: true, requireDigits: true, requireSymbols: true, tempPasswordValidity: Duration.days(3) },
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      featurePlan: cognito.FeaturePlan.ESSENTIALS,
    });
    Validations.of(this.userPool).acknowledge(
      {
        id: 'AwsSolutions-COG2',
        reason:
          'MFA is optional (TOTP authenticator apps, no SMS) so the starter can be tried without enrolling a device; set mfa: cognito.Mfa.REQUIRED in infra/constructs/user-auth.ts before real users sign in.',
      },
      {
        id: 'AwsSolutions-COG8',
        reason:
          'The Essentials feature plan covers the hosted UI, PKCE and TOTP MFA. Threat protection (adaptive authentication, compromised-credential checks) needs the Plus plan, billed per monthly active user: set featurePlan to PLUS and enforce threat protection when the cost is acceptable.',
      },
    );

    // A prefix domain must be unique in the region: name, stage and the first part of the stack's
    // id (a UUID, only known at deploy time). Cognito refuses prefixes containing aws/amazon/cognito.
    const base = `${props.resourceName}-${props.stage}`.toLowerCase().replace(/aws|amazon|cognito/g, 'x').replace(/[^a-z0-9-]+/g, '-').slice(0, 40).replace(/-+$/, '');
    const stackUuid = Fn.select(2, Fn.split('/', Aws.STACK_ID));
    const domainPrefix = `${base}-${Fn.select(0, Fn.split('-', stackUuid))}`;
    this.domain = this.userPool.addDomain('Domain', { cognitoDomain: { domainPrefix } });
    // Built from the prefix rather than the domain resource, so that the site (whose CSP names it)
    // does not depend on the user pool, which depends on the site's URL for its callbacks.
    this.signInUrl = `https://${domainPrefix}.auth.${Aws.REGION}.amazoncognito.com`;

    const callback = `${props.siteUrl}${props.signInPath}`;
    this.client = this.userPool.addClient('SpaClient', {
      userPoolClientName: 'spa',
      generateSecret: false,
      // Only the hosted UI signs users in: no password flows straight against the API.
      authFlows: {},
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [callback],
        logoutUrls: [callback],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      accessTokenValidity: Duration.minutes(props.accessTokenMinutes),
      idTokenValidity: Duration.minutes(props.accessTokenMinutes),
      refreshTokenValidity: Duration.days(30),
      enableTokenRevocation: true,
      preventUserExistenceErrors: true,
    });
  }
}
