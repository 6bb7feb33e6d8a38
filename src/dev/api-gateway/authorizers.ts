/**
 * REST API authorizers: Lambda TOKEN/REQUEST authorizers are invoked with AWS's event and their
 * IAM policy is evaluated against the method ARN (explicit Deny wins, then Allow, else denied);
 * results are cached for AuthorizerResultTtlInSeconds by identity, as AWS does (so a policy
 * scoped to one method ARN refuses the next route, exactly like in the cloud). Cognito user pool
 * authorizers decode the token's claims without verifying them.
 */
import type { Invoker } from '../types.js';
import { gatewayError, type GatewayError } from './gateway-responses.js';
import { decodeJwt, restCognitoClaims, tokenScopes } from './jwt.js';
import type { RestAuthorizer } from './rest-model.js';

export interface AuthorizationRequest {
  methodArn: string;
  /** `method.request.header.X` etc. → value, for identity sources. */
  lookup(source: string): string | undefined;
  /** The REQUEST authorizer's event fields (resource, path, httpMethod, headers, ... requestContext). */
  requestEvent(): Record<string, unknown>;
  scopes: string[];
}

export type AuthorizationOutcome = { ok: true; authorizer: Record<string, unknown> } | { ok: false; error: GatewayError };

interface CacheEntry {
  expires: number;
  policy: PolicyResult;
}

interface PolicyResult {
  principalId: unknown;
  statements: Array<{ effect: string; actions: string[]; resources: string[] }>;
  context: Record<string, unknown>;
}

export class RestAuthorizers {
  private readonly cache = new Map<string, CacheEntry>();

  constructor(
    private readonly invoker: Invoker,
    private readonly now: () => number = Date.now,
  ) {}

  async authorize(authorizer: RestAuthorizer, request: AuthorizationRequest): Promise<AuthorizationOutcome> {
    if (authorizer.type === 'COGNITO_USER_POOLS') return this.cognito(authorizer, request);
    const identities = authorizer.identitySources.map((source) => request.lookup(source));
    // A missing identity source refuses the call without invoking the function.
    if (identities.some((value) => value === undefined || value === '')) return { ok: false, error: gatewayError('UNAUTHORIZED', 'Unauthorized') };
    if (authorizer.type === 'TOKEN' && authorizer.identityValidationExpression && !new RegExp(`^(?:${authorizer.identityValidationExpression})$`).test(identities[0]!)) {
      return { ok: false, error: gatewayError('UNAUTHORIZED', 'Unauthorized') };
    }
    const cacheKey = `${authorizer.id}\u0000${identities.join('\u0000')}`;
    let policy = authorizer.ttlSeconds > 0 && identities.length > 0 ? this.cached(cacheKey) : undefined;
    if (!policy) {
      const event = authorizer.type === 'TOKEN' ? { type: 'TOKEN', authorizationToken: identities[0], methodArn: request.methodArn } : { type: 'REQUEST', methodArn: request.methodArn, ...request.requestEvent() };
      const result = await this.invoker.invoke(authorizer.functionArn!, event);
      if (!result.ok) {
        // The documented way to answer 401 from an authorizer is to fail with "Unauthorized".
        if (result.error.errorMessage === 'Unauthorized') return { ok: false, error: gatewayError('UNAUTHORIZED', 'Unauthorized') };
        return { ok: false, error: gatewayError('AUTHORIZER_CONFIGURATION_ERROR', null) };
      }
      const parsed = parsePolicy(result.payload);
      if (!parsed) return { ok: false, error: gatewayError('AUTHORIZER_CONFIGURATION_ERROR', null) };
      // Objects or arrays in the context make AWS fail the call (AuthorizerConfigurationException).
      if (Object.values(parsed.context).some((value) => value !== null && typeof value === 'object')) return { ok: false, error: gatewayError('AUTHORIZER_CONFIGURATION_ERROR', null) };
      policy = parsed;
      if (authorizer.ttlSeconds > 0 && identities.length > 0) this.cache.set(cacheKey, { expires: this.now() + authorizer.ttlSeconds * 1000, policy });
    }
    const effect = evaluate(policy, request.methodArn);
    if (effect === 'Deny') return { ok: false, error: gatewayError('ACCESS_DENIED', 'User is not authorized to access this resource with an explicit deny') };
    if (effect !== 'Allow') return { ok: false, error: gatewayError('ACCESS_DENIED', 'User is not authorized to access this resource') };
    return { ok: true, authorizer: { ...policy.context, principalId: policy.principalId, integrationLatency: 0 } };
  }

  private cached(key: string): PolicyResult | undefined {
    const entry = this.cache.get(key);
    if (!entry) return undefined;
    if (entry.expires <= this.now()) {
      this.cache.delete(key);
      return undefined;
    }
    return entry.policy;
  }

  private cognito(authorizer: RestAuthorizer, request: AuthorizationRequest): AuthorizationOutcome {
    const token = request.lookup(authorizer.identitySources[0] ?? 'method.request.header.Authorization');
    if (!token) return { ok: false, error: gatewayError('UNAUTHORIZED', 'Unauthorized') };
    const decoded = decodeJwt(token, this.now());
    if (!decoded.ok) return { ok: false, error: decoded.reason === 'expired' ? gatewayError('UNAUTHORIZED', 'The incoming token has expired') : gatewayError('UNAUTHORIZED', 'Unauthorized') };
    // With scopes on the method only an access token carrying one of them passes.
    if (request.scopes.length > 0 && !tokenScopes(decoded.claims).some((scope) => request.scopes.includes(scope))) return { ok: false, error: gatewayError('UNAUTHORIZED', 'Unauthorized') };
    return { ok: true, authorizer: { claims: restCognitoClaims(decoded.claims) } };
  }
}

function parsePolicy(payload: unknown): PolicyResult | undefined {
  if (!payload || typeof payload !== 'object') return undefined;
  const result = payload as Record<string, any>;
  const document = result.policyDocument;
  if (!document || typeof document !== 'object' || !document.Statement) return undefined;
  const list = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  const statements = list.map((statement: Record<string, unknown>) => ({
    effect: String(statement.Effect ?? ''),
    actions: toList(statement.Action),
    resources: toList(statement.Resource),
  }));
  return { principalId: result.principalId, statements, context: result.context && typeof result.context === 'object' ? result.context : {} };
}

function toList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  return value === undefined ? [] : [String(value)];
}

function evaluate(policy: PolicyResult, methodArn: string): 'Allow' | 'Deny' | undefined {
  let allowed = false;
  for (const statement of policy.statements) {
    const actionMatches = statement.actions.some((action) => glob(action.toLowerCase(), 'execute-api:invoke'));
    const resourceMatches = statement.resources.some((resource) => glob(resource, methodArn));
    if (!actionMatches || !resourceMatches) continue;
    if (statement.effect === 'Deny') return 'Deny';
    if (statement.effect === 'Allow') allowed = true;
  }
  return allowed ? 'Allow' : undefined;
}

/** IAM-style wildcards: `*` any run of characters, `?` one character. */
function glob(pattern: string, value: string): boolean {
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
  return regex.test(value);
}
