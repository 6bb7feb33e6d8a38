import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { initialFlags } from '../../src/lib/flags.js';
import { itemsTable } from '../../src/lib/table-schema.js';
import { encodeAppConfig } from '../../src/sprout/flags/codec.js';
import type { Config } from '../config.js';
import { ItemFunction } from '../constructs/item-function.js';
import { ItemsApi } from '../constructs/items-api.js';
import { ItemsStore } from '../constructs/items-store.js';
import { FeatureFlags } from '../sprout/feature-flags.js';
import { ApiServiceDomain } from '../sprout/service-domain.js';

export interface ItemsApiStackProps extends StackProps {
  config: Config;
}

export class ItemsApiStack extends Stack {
  constructor(scope: Construct, id: string, props: ItemsApiStackProps) {
    super(scope, id, props);
    const { options, resourceName, stage, domain } = props.config;

    const store = new ItemsStore(this, 'Store', {
      itemsRemovalPolicy: options.tableRemovalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
    });

    const fn = (id: string, entry: string, description: string, environment: Record<string, string> = {}) =>
      new ItemFunction(this, id, {
        entry,
        description,
        serviceName: resourceName,
        environment: { TABLE_NAME: store.items.tableName, ...environment },
      });
    const handlers = {
      create: fn('CreateItem', 'create-item', 'POST /items', { IDEMPOTENCY_TABLE_NAME: store.idempotency.tableName }),
      get: fn('GetItem', 'get-item', 'GET /items/{id}'),
      list: fn('ListItems', 'list-items', 'GET /items', { DEFAULT_PAGE_SIZE: String(options.pageSize) }),
      update: fn('UpdateItem', 'update-item', 'PUT /items/{id}'),
      delete: fn('DeleteItem', 'delete-item', 'DELETE /items/{id}'),
    };

    // Least privilege: each function may call exactly the DynamoDB actions its code calls.
    const allow = (target: ItemFunction, actions: string[], resource: string) =>
      target.role.addToPolicy(new iam.PolicyStatement({ actions, resources: [resource] }));
    const items = store.items.tableArn;
    allow(handlers.create, ['dynamodb:PutItem'], items);
    // Powertools idempotency reads, writes, completes and (on failure) deletes its own records.
    allow(
      handlers.create,
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      store.idempotency.tableArn,
    );
    allow(handlers.get, ['dynamodb:GetItem'], items);
    // Only the list index, not the table: it can page through items and nothing else.
    allow(handlers.list, ['dynamodb:Query'], `${items}/index/${itemsTable.listIndex.name}`);
    // GetItem only runs after a failed condition, to tell "missing" (404) from "stale version" (409).
    allow(handlers.update, ['dynamodb:UpdateItem', 'dynamodb:GetItem'], items);
    allow(handlers.delete, ['dynamodb:DeleteItem'], items);

    // The flag store `sprout flags --stage <stage>` manages. It starts with initialFlags (the sample
    // flag, off), written once at creation: redeploying never reverts a flag.
    const flags = new FeatureFlags(this, 'Flags', { initialContent: encodeAppConfig(initialFlags), environmentName: stage });
    // Only the functions that evaluate strict-item-names may read the flags.
    flags.grantRead(handlers.create.function);
    flags.grantRead(handlers.update.function);

    const api = new ItemsApi(this, 'Api', {
      name: `${resourceName}-${stage}`,
      stageName: stage,
      throttleRateLimit: options.throttleRateLimit,
      throttleBurstLimit: options.throttleBurstLimit,
      handlers: {
        create: handlers.create.function,
        get: handlers.get.function,
        list: handlers.list.function,
        update: handlers.update.function,
        delete: handlers.delete.function,
      },
    });

    // Deployed through sprout with a domain section: the API's own host name, or a path on the shared one.
    if (domain) new ApiServiceDomain(this, 'Domain', { api: api.api, stage: api.api.deploymentStage, domain });

    new CfnOutput(this, 'ItemsUrl', { value: api.api.urlForPath('/items'), description: 'Base URL of the items resource' });
    new CfnOutput(this, 'ItemsTableName', { value: store.items.tableName });
  }
}
