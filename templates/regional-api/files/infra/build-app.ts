import { type App, type Stack, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { loadConfig } from './config.js';
import { readSproutDeployment } from './sprout/deployment.js';
import { EdgeCertificateStack } from './stacks/edge-certificate-stack.js';
import { RegionalApiStack } from './stacks/regional-api-stack.js';

/**
 * Adds this project's stacks to `app` and checks them with cdk-nag's AwsSolutions pack: the API
 * stack, and with a custom domain a second stack in us-east-1 for the zone and certificate
 * CloudFront needs. Shared by infra/app.ts (the CDK CLI's entry point) and the tests.
 */
export function buildApp(app: App): RegionalApiStack {
  const deployment = readSproutDeployment(app);
  const config = loadConfig(app.node.tryGetContext('stage') as string | undefined, deployment);
  const { domain, env } = config;
  if (domain?.mode === 'path') {
    throw new Error(
      `sprout:deployment.domain: this service is served by its CloudFront distribution, which cannot sit under a path of the shared API domain ${domain.domainName} (a request there would skip CloudFront and get 403). Give it its own host name with domain.mode "subdomain".`,
    );
  }

  const stacks: Stack[] = [];
  const edgeCertificate =
    domain && env
      ? new EdgeCertificateStack(app, `${config.stackName.slice(0, 116)}-certificate`, {
          env: { account: env.account, region: 'us-east-1' },
          domain,
          description: `${config.projectName} (${config.stage}): ${domain.hostName} zone and CloudFront certificate`,
        })
      : undefined;
  if (edgeCertificate) stacks.push(edgeCertificate);

  const stack = new RegionalApiStack(app, config.stackName, {
    config,
    env,
    description: `${config.projectName} (${config.stage}): items API on a Regional API Gateway behind CloudFront`,
    ...(edgeCertificate ? { edgeCertificate } : {}),
  });
  stacks.push(stack);

  for (const each of stacks) {
    Tags.of(each).add('sprout:project', deployment?.project ?? config.projectName);
    if (deployment) Tags.of(each).add('sprout:service', deployment.service);
    Tags.of(each).add('sprout:stage', config.stage);
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
