/**
 * REST API gateway responses: what API Gateway answers itself (no route, failed validation,
 * authorizer refusal, integration failure), with AWS's default status codes and messages,
 * overridable by AWS::ApiGateway::GatewayResponse (StatusCode, ResponseTemplates, ResponseParameters).
 */
import type { ApiResponse } from './messages.js';
import { renderTemplate, type TemplateParams } from './vtl.js';

export type GatewayResponseType =
  | 'ACCESS_DENIED'
  | 'API_CONFIGURATION_ERROR'
  | 'AUTHORIZER_CONFIGURATION_ERROR'
  | 'AUTHORIZER_FAILURE'
  | 'BAD_REQUEST_PARAMETERS'
  | 'BAD_REQUEST_BODY'
  | 'EXPIRED_TOKEN'
  | 'INTEGRATION_FAILURE'
  | 'INTEGRATION_TIMEOUT'
  | 'MISSING_AUTHENTICATION_TOKEN'
  | 'REQUEST_TOO_LARGE'
  | 'RESOURCE_NOT_FOUND'
  | 'UNAUTHORIZED'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'DEFAULT_4XX'
  | 'DEFAULT_5XX';

/** AWS's default status per response type (docs: "Gateway response types for API Gateway"). */
export const DEFAULT_STATUS: Record<GatewayResponseType, number> = {
  ACCESS_DENIED: 403,
  API_CONFIGURATION_ERROR: 500,
  AUTHORIZER_CONFIGURATION_ERROR: 500,
  AUTHORIZER_FAILURE: 500,
  BAD_REQUEST_PARAMETERS: 400,
  BAD_REQUEST_BODY: 400,
  EXPIRED_TOKEN: 403,
  INTEGRATION_FAILURE: 504,
  INTEGRATION_TIMEOUT: 504,
  MISSING_AUTHENTICATION_TOKEN: 403,
  REQUEST_TOO_LARGE: 413,
  RESOURCE_NOT_FOUND: 404,
  UNAUTHORIZED: 401,
  UNSUPPORTED_MEDIA_TYPE: 415,
  DEFAULT_4XX: 400,
  DEFAULT_5XX: 500,
};

/** The x-amzn-ErrorType header API Gateway adds. */
const ERROR_TYPE: Partial<Record<GatewayResponseType, string>> = {
  ACCESS_DENIED: 'AccessDeniedException',
  MISSING_AUTHENTICATION_TOKEN: 'MissingAuthenticationTokenException',
  UNAUTHORIZED: 'UnauthorizedException',
  BAD_REQUEST_PARAMETERS: 'BadRequestException',
  BAD_REQUEST_BODY: 'BadRequestException',
  INTEGRATION_TIMEOUT: 'InternalServerErrorException',
  API_CONFIGURATION_ERROR: 'InternalServerErrorException',
  AUTHORIZER_CONFIGURATION_ERROR: 'AuthorizerConfigurationException',
  UNSUPPORTED_MEDIA_TYPE: 'UnsupportedMediaTypeException',
  REQUEST_TOO_LARGE: 'RequestTooLongException',
};

export interface GatewayResponseDefinition {
  statusCode?: string;
  responseTemplates?: Record<string, string>;
  responseParameters?: Record<string, string>;
}

export interface GatewayError {
  type: GatewayResponseType;
  /** `$context.error.message`; null renders as JSON null (AWS's authorizer configuration errors). */
  message: string | null;
  /** Overrides the type's default status (a Lambda proxy failure is DEFAULT_5XX with 502). */
  status?: number;
  validationErrorString?: string;
}

export interface GatewayResponseScope {
  context: Record<string, any>;
  stageVariables: Record<string, string>;
  params: TemplateParams;
}

export function gatewayError(type: GatewayResponseType, message: string | null, extra: Partial<GatewayError> = {}): GatewayError {
  return { type, message, ...extra };
}

/**
 * Renders the gateway response for `error`: the API's own definition of the type, else its
 * DEFAULT_4XX/DEFAULT_5XX, else AWS's `{"message":$context.error.messageString}`.
 */
export async function renderGatewayResponse(
  error: GatewayError,
  definitions: Map<string, GatewayResponseDefinition>,
  scope: GatewayResponseScope,
): Promise<ApiResponse> {
  const baseStatus = error.status ?? DEFAULT_STATUS[error.type];
  const family = baseStatus >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  const own = definitions.get(error.type);
  const fallback = definitions.get(family);
  const status = Number(own?.statusCode ?? (own ? undefined : fallback?.statusCode) ?? baseStatus);
  const templates = own?.responseTemplates ?? fallback?.responseTemplates;
  const parameters = { ...(fallback?.responseParameters ?? {}), ...(own?.responseParameters ?? {}) };

  const context = {
    ...scope.context,
    error: {
      message: error.message ?? '',
      messageString: JSON.stringify(error.message),
      responseType: error.type,
      validationErrorString: error.validationErrorString ?? '',
    },
  };
  const [contentType, template] = pickTemplate(templates);
  const body = template === undefined ? `{"message":${context.error.messageString}}` : await renderTemplate(template, { body: '', params: scope.params, context, stageVariables: scope.stageVariables });
  const headers: Array<[string, string]> = [['Content-Type', contentType]];
  const errorType = ERROR_TYPE[error.type];
  if (errorType) headers.push(['x-amzn-ErrorType', errorType]);
  for (const [key, source] of Object.entries(parameters)) {
    const name = /^gatewayresponse\.header\.(.+)$/.exec(key)?.[1];
    if (!name) continue;
    const value = mappedValue(source, scope, context);
    if (value !== undefined) headers.push([name, value]);
  }
  return { statusCode: status, headers, body: Buffer.from(body) };
}

function pickTemplate(templates: Record<string, string> | undefined): [string, string | undefined] {
  if (!templates || Object.keys(templates).length === 0) return ['application/json', undefined];
  if (templates['application/json'] !== undefined) return ['application/json', templates['application/json']];
  const [type, template] = Object.entries(templates)[0]!;
  return [type, template];
}

/** A response parameter's source: `'literal'`, `method.request.header.X`, `context.X`, `stageVariables.X`. */
function mappedValue(source: string, scope: GatewayResponseScope, context: Record<string, any>): string | undefined {
  const literal = /^'(.*)'$/s.exec(source);
  if (literal) return literal[1];
  const request = /^method\.request\.(path|querystring|header)\.(.+)$/.exec(source);
  if (request) {
    const map = scope.params[request[1] as keyof TemplateParams];
    const lower = request[2]!.toLowerCase();
    return Object.entries(map).find(([key]) => (request[1] === 'header' ? key.toLowerCase() === lower : key === request[2]))?.[1];
  }
  if (source.startsWith('context.')) return lookup(context, source.slice('context.'.length));
  if (source.startsWith('stageVariables.')) return scope.stageVariables[source.slice('stageVariables.'.length)];
  return undefined;
}

function lookup(root: Record<string, any>, dotted: string): string | undefined {
  let value: any = root;
  for (const key of dotted.split('.')) value = value?.[key];
  return value === undefined || value === null ? undefined : String(value);
}
