import { RemovalPolicy } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import type { Construct } from 'constructs';
import { initialFlags } from '../../src/lib/flags.js';
import { itemsTable } from '../../src/lib/table-schema.js';
import { encodeAppConfig } from '../../src/sprout/flags/codec.js';
import type { Options } from '../config.js';
import type { DeploymentDomain } from '../sprout/deployment.js';
import { FeatureFlags } from '../sprout/feature-flags.js';
import { ApiServiceDomain } from '../sprout/service-domain.js';
import { SproutFunction } from '../sprout/sprout-function.js';
import { ItemsApi } from './items-api.js';
import { ItemsStore } from './items-store.js';

export interface ItemsServiceProps {
  resourceName: string;
  stage: string;
  options: Options;
  /** The custom domain `sprout deploy` planned for the API, if any. */
  domain?: DeploymentDomain;
  /** Every method requires this authorizer (the secured-spa pattern); without it the API is open. */
  authorizer?: apigw.IAuthorizer;
  /**
   * Browser origins allowed to call the API from another origin (the spa pattern): preflight
   * answers and Access-Control-Allow-Origin on every response. Absent: no CORS at all.
   */
  corsAllowOrigins?: string[];
}

export interface ItemsService {
  store: ItemsStore;
  api: ItemsApi;
  flags: FeatureFlags;
  handlers: Record<'create' | 'get' | 'list' | 'update' | 'delete', SproutFunction>;
}

/**
 * The items service (table, one function per operation, REST API, flag store, custom domain),
 * added straight into `scope` so its logical ids are the same in every stack that includes it
 * (this pattern's own stack, and the web patterns built on it).
 */
export function addItemsService(scope: Construct, props: ItemsServiceProps): ItemsService {
  const { options, resourceName, stage, domain } = props;

  const store = new ItemsStore(scope, 'Store', {
    itemsRemovalPolicy: options.tableRemovalPolicy === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
  });

  const cors = props.corsAllowOrigins?.length ? { CORS_ALLOW_ORIGINS: props.corsAllowOrigins.join(',') } : undefined;
  const fn = (id: string, entry: string, description: string, environment: Record<string, string> = {}) =>
    new SproutFunction(scope, id, {
      entry,
      description,
      serviceName: resourceName,
      environment: { TABLE_NAME: store.items.tableName, ...cors, ...environment },
    });
  const handlers = {
    create: fn('CreateItem', 'create-item', 'POST /items', { IDEMPOTENCY_TABLE_NAME: store.idempotency.tableName }),
    get: fn('GetItem', 'get-item', 'GET /items/{id}'),
    list: fn('ListItems', 'list-items', 'GET /items', { DEFAULT_PAGE_SIZE: String(options.pageSize) }),
    update: fn('UpdateItem', 'update-item', 'PUT /items/{id}'),
    delete: fn('DeleteItem', 'delete-item', 'DELETE /items/{id}'),
  };

  // Least privilege: each function may call exactly the DynamoDB actions its code calls.
  const items = store.items.tableArn;
  handlers.create.allow(['dynamodb:PutItem'], [items]);
  // Powertools idempotency reads, writes, completes and (on failure) deletes its own records.
  handlers.create.allow(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'], [store.idempotency.tableArn]);
  handlers.get.allow(['dynamodb:GetItem'], [items]);
  // Only the list index, not the table: it can page through items and nothing else.
  handlers.list.allow(['dynamodb:Query'], [`${items}/index/${itemsTable.listIndex.name}`]);
  // GetItem only runs after a failed condition, to tell "missing" (404) from "stale version" (409).
  handlers.update.allow(['dynamodb:UpdateItem', 'dynamodb:GetItem'], [items]);
  handlers.delete.allow(['dynamodb:DeleteItem'], [items]);

  // The flag store `sprout flags --stage <stage>` manages. It starts with initialFlags (the sample
  // flag, off), written once at creation: redeploying never reverts a flag.
  const flags = new FeatureFlags(scope, 'Flags', { initialContent: encodeAppConfig(initialFlags), environmentName: stage });
  // Only the functions that evaluate strict-item-names may read the flags.
  flags.grantRead(handlers.create.function);
  flags.grantRead(handlers.update.function);

  const api = new ItemsApi(scope, 'Api', {
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
    ...(props.authorizer ? { authorizer: props.authorizer } : {}),
    ...(props.corsAllowOrigins?.length ? { corsAllowOrigins: props.corsAllowOrigins } : {}),
  });

  // Deployed through sprout with a domain section: the API's own host name, or a path on the shared one.
  if (domain) new ApiServiceDomain(scope, 'Domain', { api: api.api, stage: api.api.deploymentStage, domain });

  return { store, api, flags, handlers };
}
