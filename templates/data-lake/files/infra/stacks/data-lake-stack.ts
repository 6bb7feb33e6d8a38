import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Config } from '../config.js';
import { addCatalog, CURATED_TABLE, RAW_TABLE } from '../constructs/catalog.js';
import { addPipeline } from '../constructs/pipeline.js';
import { addZones } from '../constructs/zones.js';

export interface DataLakeStackProps extends StackProps {
  config: Config;
}

/** The zones, the catalog and workgroup, the ingestion and transform functions, and the flag store. */
export class DataLakeStack extends Stack {
  constructor(scope: Construct, id: string, props: DataLakeStackProps) {
    super(scope, id, props);
    const { options, resourceName, stage, stackName } = props.config;
    const zones = addZones(this, { options, stackName });
    const catalog = addCatalog(this, { options, stackName, zones });
    const pipeline = addPipeline(this, { options, resourceName, stage, zones });

    new CfnOutput(this, 'IngestFunctionName', { value: pipeline.ingest.function.functionName, description: 'Invoke with {"events": [...]} (aws lambda invoke)' });
    new CfnOutput(this, 'TransformFunctionName', { value: pipeline.transform.function.functionName });
    new CfnOutput(this, 'RawBucketName', { value: zones.raw.bucketName, description: 'Raw zone: events/dt=<yyyy-MM-dd>/<batch>.jsonl' });
    new CfnOutput(this, 'CuratedBucketName', { value: zones.curated.bucketName, description: `Curated zone: events/dt=<yyyy-MM-dd>/<batch>.${options.curatedFormat === 'parquet' ? 'parquet' : 'jsonl.gz'}` });
    new CfnOutput(this, 'AnalyticsBucketName', { value: zones.analytics.bucketName, description: 'Analytics zone: Athena query results under athena-results/' });
    new CfnOutput(this, 'DatabaseName', { value: catalog.databaseName, description: `Glue database with the ${RAW_TABLE} and ${CURATED_TABLE} tables` });
    new CfnOutput(this, 'WorkGroupName', { value: catalog.workGroup.ref, description: 'Athena workgroup: run queries here (--work-group)' });
    new CfnOutput(this, 'FailedTransformsQueueUrl', { value: pipeline.failedEvents.queueUrl, description: 'S3 events of raw objects the transform gave up on' });
    if (zones.key) new CfnOutput(this, 'DataKeyArn', { value: zones.key.keyArn, description: 'KMS key of the zones and query results: analysts need kms:Decrypt (and GenerateDataKey for results) on it' });
  }
}
