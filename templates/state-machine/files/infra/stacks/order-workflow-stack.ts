import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { Config } from '../config.js';
import { OrderWorkflow } from '../constructs/order-workflow.js';

export interface OrderWorkflowStackProps extends StackProps {
  config: Config;
}

export class OrderWorkflowStack extends Stack {
  readonly workflow: OrderWorkflow;

  constructor(scope: Construct, id: string, props: OrderWorkflowStackProps) {
    super(scope, id, props);
    const { options, resourceName, stage } = props.config;
    this.workflow = new OrderWorkflow(this, 'Orders', { options, resourceName, stage });

    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn, description: 'Start executions of the order workflow with this ARN' });
    new CfnOutput(this, 'WorkflowType', { value: options.workflowType.toUpperCase(), description: 'STANDARD: aws stepfunctions start-execution; EXPRESS: start-sync-execution' });
    new CfnOutput(this, 'ExecutionLogGroup', { value: this.workflow.logGroup.logGroupName, description: 'Execution events (level ' + options.logLevel + ')' });
  }
}
