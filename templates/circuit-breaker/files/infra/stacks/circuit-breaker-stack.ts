import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Config } from '../config.js';
import { addCircuitService } from '../constructs/circuit-service.js';

export interface CircuitBreakerStackProps extends StackProps {
  config: Config;
}

/** The API, the breaker function, the circuit state table, the flag store and (with a domain) the custom domain. */
export class CircuitBreakerStack extends Stack {
  constructor(scope: Construct, id: string, props: CircuitBreakerStackProps) {
    super(scope, id, props);
    const { options, resourceName, stage, domain } = props.config;
    const service = addCircuitService(this, { options, resourceName, stage, ...(domain ? { domain } : {}) });

    new CfnOutput(this, 'CallUrl', { value: service.api.api.urlForPath('/call'), description: 'GET: calls the downstream service through the circuit breaker' });
    new CfnOutput(this, 'CircuitUrl', { value: service.api.api.urlForPath('/circuit'), description: 'GET: the circuit\'s current state' });
    new CfnOutput(this, 'CircuitTableName', { value: service.table.tableName, description: `One item per circuit; this stack's circuit is "${options.circuitName}"` });
    new CfnOutput(this, 'DownstreamUrl', { value: options.downstreamUrl });
  }
}
