// The API's Lambda authorizer (option authorizer=lambda): a TOKEN authorizer that verifies the
// Cognito ID token itself, with the same code as the viewer-request edge function
// (src/lib/jwt.ts). Start here to add rules the Cognito authorizer cannot express (groups,
// tenants, custom claims). API Gateway caches the answer per token (resultsCacheTtl), so the
// policy allows every method of the stage, not only the one asked about.
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { cognitoIssuer, JwksCache, JwtError, verifyJwt } from '../lib/jwt.js';
import { logger } from '../lib/powertools.js';

export interface AuthorizerSettings {
  region: string;
  userPoolId: string;
  clientId: string;
}

export function createAuthorizer(settings: AuthorizerSettings, jwks = new JwksCache(`${cognitoIssuer(settings.region, settings.userPoolId)}/.well-known/jwks.json`)) {
  const issuer = cognitoIssuer(settings.region, settings.userPoolId);
  return async function handler(event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
    const token = event.authorizationToken.replace(/^Bearer\s+/i, '');
    try {
      const claims = await verifyJwt(token, jwks.lookup, { issuer, clientId: settings.clientId, tokenUse: 'id' });
      // arn:aws:execute-api:<region>:<account>:<api id>/<stage>/<method>/<path> → every method of the stage.
      const [arn, stage] = event.methodArn.split('/');
      return {
        principalId: String(claims.sub),
        policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: `${arn}/${stage}/*` }] },
        context: { sub: String(claims.sub), email: typeof claims.email === 'string' ? claims.email : '' },
      };
    } catch (error) {
      if (error instanceof JwtError) {
        logger.info('token refused', { reason: error.reason });
        // API Gateway answers 401 for exactly this message.
        throw new Error('Unauthorized');
      }
      throw error;
    }
  };
}

export const handler = createAuthorizer({
  region: process.env.AWS_REGION ?? '',
  userPoolId: process.env.USER_POOL_ID ?? '',
  clientId: process.env.CLIENT_ID ?? '',
});
