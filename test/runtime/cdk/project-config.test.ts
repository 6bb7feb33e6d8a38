import { describe, expect, it } from 'vitest';

import { refuseDomain, resolveProjectConfig } from '../../../src/runtime/cdk/project-config.js';

const sprout = { name: 'shop', options: {}, stages: { local: {} }, defaultStage: 'local' };
const deployment = { stage: 'prod', project: 'shop', service: 'shop', stackName: 'shop-prod', account: '111111111111', region: 'eu-west-1' };
const noOptions = () => ({});

describe('refuseDomain (patterns without an HTTP endpoint)', () => {
  it('passes a configuration without a domain through unchanged', () => {
    const config = resolveProjectConfig(sprout, noOptions, undefined, deployment);
    expect(refuseDomain(config, 'saga', 'orders start with start-execution')).toBe(config);
  });

  it('stops synth when sprout deploy planned a domain, saying how the project is reached instead', () => {
    const config = resolveProjectConfig(sprout, noOptions, undefined, { ...deployment, domain: { mode: 'path', domainName: 'api.example.com', basePath: 'shop' } });
    expect(() => refuseDomain(config, 'saga', 'orders start with start-execution')).toThrow(
      'sprout.json: the saga pattern has no HTTP endpoint (orders start with start-execution), so it cannot take a custom domain: remove the "domain" section from sprout.json',
    );
  });
});
