import { Template } from 'aws-cdk-lib/assertions';
import { expect, it } from 'vitest';
import { buildApp } from '../infra/build-app.js';
import { resolveConfig } from '../infra/config.js';
import { describeSproutDeployment, SPROUT_DEPLOYMENT, stackBuilder } from './sprout/deployment.js';

describeSproutDeployment({
  buildApp,
  resolveConfig,
  taggedResourceType: 'AWS::S3::Bucket',
  domain: { refusedWith: 'the data-lake pattern has no HTTP endpoint (producers invoke the ingestion function and analysts query Athena)' },
});

const build = stackBuilder(buildApp);

it('names the Glue database and the Athena workgroup after the stack sprout decided', () => {
  const template = Template.fromStack(build(SPROUT_DEPLOYMENT));
  expect(SPROUT_DEPLOYMENT.stackName).toBe('shop-orders-prod');
  template.hasResourceProperties('AWS::Glue::Database', { DatabaseInput: { Name: 'shop_orders_prod' } });
  template.hasResourceProperties('AWS::Athena::WorkGroup', { Name: 'shop-orders-prod' });
  expect(Object.values(template.findResources('AWS::Glue::Table')).map((t) => t.Properties.DatabaseName)).toEqual(['shop_orders_prod', 'shop_orders_prod']);
  template.resourceCountIs('AWS::KMS::Key', 0);
});
