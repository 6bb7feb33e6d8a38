export { startDistributions, type LocalDistribution, type LocalDistributions, type StartDistributionsOptions } from './cloudfront.js';
export { deployBuckets, type DeployBucketsOptions, type DeploymentResult } from './bucket-deployment.js';
export { EDGE_ROUTER_METADATA, localReleaseDocument, routerSettingsOf } from './edge-router.js';
