import { Template } from 'aws-cdk-lib/assertions';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import { type TestApp, testApp } from './sprout/cdk-app.js';

// The site when `sprout deploy` gives the API a custom domain: the frontend calls the API there,
// and the Content-Security-Policy lets it. (test/deployment.test.ts covers the rest of sprout:deployment.)
const deployment = { stage: 'prod', project: 'shop', service: 'shop', stackName: 'shop-prod', account: '111111111111', region: 'eu-west-1' };
const subdomain = { mode: 'subdomain', hostName: 'shop.example.com', parentZoneName: 'example.com', parentHostedZoneId: 'Z0123456789ABC' };
const path = { mode: 'path', domainName: 'api.example.com', basePath: 'api/shop' };

const apps: TestApp[] = [];
afterAll(() => apps.forEach((app) => app.cleanUp()));

function build(domain?: unknown) {
  const test = testApp({ bundle: false });
  apps.push(test);
  test.app.node.setContext('sprout:deployment', { ...deployment, ...(domain ? { domain } : {}) });
  const template = Template.fromStack(buildApp(test.app)).toJSON();
  const resources = Object.entries(template.Resources as Record<string, { Type: string; Properties: Record<string, any> }>);
  const csp: string = resources.find(([, r]) => r.Type === 'AWS::CloudFront::ResponseHeadersPolicy')![1].Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig
    .ContentSecurityPolicy.ContentSecurityPolicy;
  const html = resources.find(([id, r]) => r.Type === 'Custom::CDKBucketDeployment' && id.startsWith('SiteDeployHtml'))![1];
  const configApiUrl = Object.values(html.Properties.SourceMarkers[1] as Record<string, unknown>)[0];
  return { template, csp, configApiUrl };
}

describe('the site deployed by sprout', () => {
  it.each([
    ['subdomain', subdomain, 'https://shop.example.com', 'https://shop.example.com'],
    ['path', path, 'https://api.example.com/api/shop', 'https://api.example.com'],
  ])('with a %s domain, config.json and connect-src name the custom domain', (_, domain, apiUrl, origin) => {
    const { template, csp, configApiUrl } = build(domain);
    expect(configApiUrl).toBe(apiUrl);
    expect(template.Outputs.ApiUrl.Value).toBe(apiUrl);
    expect(csp).toContain(`connect-src 'self' ${origin};`);
  });

  it('without a domain, connect-src names the regional execute-api host of the stack region', () => {
    const { csp } = build();
    expect(JSON.stringify(csp)).toMatch(/connect-src 'self' https:\/\/",\{"Ref":"ApiRestApi[0-9A-F]{8}"\},"\.execute-api\.eu-west-1\./);
  });
});
