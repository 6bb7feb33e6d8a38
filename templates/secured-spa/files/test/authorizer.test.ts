import type { APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createAuthorizer } from '../src/functions/authorizer.js';
import { JwksCache } from '../src/lib/jwt.js';
import { CLIENT_ID, fakeFetch, JWKS_URL, REGION, signToken, testKey, USER_POOL_ID } from './helpers/tokens.js';

const key = testKey();
const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/local/GET/items';
const handler = createAuthorizer({ region: REGION, userPoolId: USER_POOL_ID, clientId: CLIENT_ID }, new JwksCache(JWKS_URL, { fetch: fakeFetch({ [JWKS_URL]: () => ({ keys: [key.jwk] }) }).fetch }));
const event = (authorizationToken: string): APIGatewayTokenAuthorizerEvent => ({ type: 'TOKEN', authorizationToken, methodArn: METHOD_ARN });

describe('the Lambda authorizer (authorizer=lambda)', () => {
  it('allows every method of the stage for a valid ID token, bare or after Bearer, and passes the user on', async () => {
    for (const token of [signToken(key), `Bearer ${signToken(key)}`]) {
      const result = await handler(event(token));
      expect(result.principalId).toBe('user-1');
      expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: 'arn:aws:execute-api:eu-west-1:123456789012:abcdef1234/local/*' }]);
      expect(result.context).toEqual({ sub: 'user-1', email: 'ada@example.com' });
    }
  });

  it.each([
    ['an expired token', () => signToken(key, { exp: 1 })],
    ['a token for another client', () => signToken(key, { aud: 'other' })],
    ['a token of another pool', () => signToken(key, { iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other' })],
  ])('answers Unauthorized (401) for %s', async (_, token) => {
    await expect(handler(event(token()))).rejects.toThrow(/^Unauthorized$/);
  });
});
