import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Config } from '../config.js';
import { addItemsService } from '../constructs/items-service.js';

export interface ItemsApiStackProps extends StackProps {
  config: Config;
}

export class ItemsApiStack extends Stack {
  constructor(scope: Construct, id: string, props: ItemsApiStackProps) {
    super(scope, id, props);
    const { options, resourceName, stage, domain } = props.config;
    const { api, store } = addItemsService(this, { options, resourceName, stage, ...(domain ? { domain } : {}) });

    new CfnOutput(this, 'ItemsUrl', { value: api.api.urlForPath('/items'), description: 'Base URL of the items resource' });
    new CfnOutput(this, 'ItemsTableName', { value: store.items.tableName });
  }
}
