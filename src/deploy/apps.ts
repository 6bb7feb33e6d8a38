import type { EdgeFunction } from './edge.js';
import type { DeployTarget } from './plan.js';

/** A line of progress from the toolkit (stack events, asset publishing, synth messages). */
export type Progress = (line: string) => void;

/** Who may approve security-broadening changes: nobody needs to (never), or a person must (broadening). */
export type RequireApproval = 'never' | 'broadening';

export interface StackOutputs {
  stackName: string;
  outputs: Record<string, string>;
}

export interface SynthesizedStack {
  stackName: string;
  /** The CloudFormation template file in the cloud assembly. */
  templateFile: string;
  account?: string;
  region?: string;
}

export interface StackDiff {
  stackName: string;
  /** Resources added, changed or removed. */
  changes: number;
  permissionChanges: 'none' | 'broadening' | 'non-broadening';
  /** The diff as the CDK prints it. */
  text: string;
}

export interface DestroyedStack {
  stackName: string;
  existed: boolean;
}

export interface DestroyResult {
  stacks: DestroyedStack[];
  /** Lambda@Edge functions found in the app: retained ones outlive the stack (see edge.ts). */
  edgeFunctions: EdgeFunction[];
}

/**
 * What sprout needs from the CDK toolkit, one app at a time. The real one runs the CDK Toolkit
 * Library (toolkit-runner.ts); tests inject fakes with set durations and failures.
 */
export interface AppRunner {
  synth(target: DeployTarget, progress: Progress): Promise<SynthesizedStack[]>;
  deploy(target: DeployTarget, options: { requireApproval: RequireApproval; progress: Progress }): Promise<StackOutputs[]>;
  diff(target: DeployTarget, progress: Progress): Promise<StackDiff[]>;
  destroy(target: DeployTarget, progress: Progress): Promise<DestroyResult>;
}
