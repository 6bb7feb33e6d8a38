import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Config } from '../config.js';
import { FacadeApi } from '../constructs/facade-api.js';
import { addOrdersService } from '../constructs/orders-service.js';
import { ApiServiceDomain } from '../sprout/service-domain.js';

export interface StranglerStackProps extends StackProps {
  config: Config;
}

/** The facade, the new service behind it, and (when sprout deploys with a domain) the facade's custom domain. */
export class StranglerStack extends Stack {
  readonly facade: FacadeApi;

  constructor(scope: Construct, id: string, props: StranglerStackProps) {
    super(scope, id, props);
    const { options, resourceName, stage, domain } = props.config;

    const orders = addOrdersService(this, { resourceName, stage, options });
    this.facade = new FacadeApi(this, 'Facade', {
      name: `${resourceName}-${stage}`,
      stageName: stage,
      plan: options.plan,
      legacyBaseUrl: options.legacyBaseUrl,
      legacyTimeout: Duration.millis(options.legacyTimeoutMs),
      newService: orders.handler.function,
    });

    // Deployed through sprout with a domain section: the facade's own host name, or a path on the shared one.
    if (domain) new ApiServiceDomain(this, 'Domain', { api: this.facade.api, stage: this.facade.api.deploymentStage, domain });

    new CfnOutput(this, 'FacadeUrl', { value: this.facade.api.url, description: 'The facade: give clients this base URL instead of the legacy one' });
    new CfnOutput(this, 'LegacyBaseUrl', { value: options.legacyBaseUrl, description: 'Where routes marked "legacy" go' });
    new CfnOutput(this, 'AccessLogGroupName', { value: this.facade.accessLogs.logGroupName, description: 'The facade\'s access logs: resourcePath says which route served each request' });
    new CfnOutput(this, 'OrdersTableName', { value: orders.table.tableName });
  }
}
