import { describe, expect, it } from 'vitest';

import { renderGatewayResponse } from '../../../src/dev/api-gateway/gateway-responses.js';
import { renderTemplate, util } from '../../../src/dev/api-gateway/vtl.js';
import { fromDraft4, validateBody } from '../../../src/dev/api-gateway/validation.js';

const params = { path: { id: '7' }, querystring: { q: 'x' }, header: { 'Content-Type': 'application/json' } };

describe('API Gateway mapping templates', () => {
  it('$input.json / path / params and $util', async () => {
    const out = await renderTemplate(`$input.json('$.a.b[1]')|$input.path('$.a').c|$input.params('id')|$input.params('q')|$input.params().header.get('Content-Type')|$util.urlEncode("a b*~'")|$util.base64Encode('hi')|$util.escapeJavaScript("it's \\"x\\"")|$missing.thing|$stageVariables.env`, {
      body: '{"a":{"b":[1,{"k":"v"}],"c":"see"}}',
      params,
      context: {},
      stageVariables: { env: 'local' },
    });
    expect(out).toBe(`{"k":"v"}|see|7|x|application/json|a+b*%7E%27|aGk=|it\\'s \\"x\\"||local`);
  });

  it('lets a response template override status and headers', async () => {
    const context: any = { requestId: 'r-1', responseOverride: { status: undefined, header: {} } };
    const out = await renderTemplate(`#set($context.responseOverride.status = 503)#set($context.responseOverride.header.Retry-After = "5")$context.requestId`, { body: '', params, context, stageVariables: {} });
    expect(out).toBe('r-1');
    expect(context.responseOverride.status).toBe(503);
  });

  it('util.urlDecode and base64Decode invert their encoders', () => {
    expect(util.urlDecode(util.urlEncode('a b&c=d/é'))).toBe('a b&c=d/é');
    expect(util.base64Decode(util.base64Encode('x y'))).toBe('x y');
  });

  it('renders AWS default gateway responses when the API defines none', async () => {
    const response = await renderGatewayResponse({ type: 'MISSING_AUTHENTICATION_TOKEN', message: 'Missing Authentication Token' }, new Map(), { context: {}, stageVariables: {}, params });
    expect(response.statusCode).toBe(403);
    expect(response.body.toString()).toBe('{"message":"Missing Authentication Token"}');
    const fallback = await renderGatewayResponse({ type: 'UNAUTHORIZED', message: 'Unauthorized' }, new Map([['DEFAULT_4XX', { statusCode: '418', responseTemplates: { 'application/json': '{"t":"$context.error.responseType"}' }, responseParameters: { 'gatewayresponse.header.X-Origin': "'*'" } }]]), { context: {}, stageVariables: {}, params });
    expect(fallback.statusCode).toBe(418);
    expect(fallback.body.toString()).toBe('{"t":"UNAUTHORIZED"}');
    expect(fallback.headers).toContainEqual(['X-Origin', '*']);
  });

  it('validates draft-04 models (boolean exclusiveMinimum) with AWS-style messages', async () => {
    expect(fromDraft4({ $schema: 'x', type: 'number', minimum: 1, exclusiveMinimum: true })).toEqual({ type: 'number', exclusiveMinimum: 1 });
    const schema = { type: 'object', required: ['name'], properties: { n: { type: 'number', minimum: 1, exclusiveMinimum: true } } };
    expect(await validateBody(schema, '{"name":"a","n":2}')).toBeUndefined();
    expect(await validateBody(schema, '{"name":"a","n":1}')).toContain('numeric instance is lower than the required minimum');
    expect(await validateBody(schema, '{}')).toBe('[object has missing required properties (["name"])]');
    expect(await validateBody(schema, 'not json')).toMatch(/^\[Invalid request body/);
  });
});
