import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Config } from '../config.js';
import { addAggregatorService } from '../constructs/aggregator-service.js';

export interface AggregatorStackProps extends StackProps {
  config: Config;
}

export class AggregatorStack extends Stack {
  constructor(scope: Construct, id: string, props: AggregatorStackProps) {
    super(scope, id, props);
    const { options, resourceName, stage, domain } = props.config;
    const { api } = addAggregatorService(this, { options, resourceName, stage, ...(domain ? { domain } : {}) });

    new CfnOutput(this, 'AggregateUrl', { value: api.api.urlForPath('/aggregate'), description: 'GET this URL with the query parameters the sources use' });
    if (options.demoSources) new CfnOutput(this, 'DemoUrl', { value: api.api.urlForPath('/demo'), description: 'Base URL of the demo downstream services' });
  }
}
