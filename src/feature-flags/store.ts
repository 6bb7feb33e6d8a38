import type { FlagDocument } from '../runtime/flags/model.js';

/** A flag document as a store holds it, with the token that makes the next write conditional. */
export interface StoredDocument {
  document: FlagDocument;
  /** AppConfig's latest hosted version number, a Lambda RevisionId, or the local file's version. */
  version: string;
}

export interface WriteRequest {
  /** The version read: the write fails with a conflict (exit 4) when the store moved on since. */
  expected: string;
  /** What changed and who changed it, kept by the stores that keep history. */
  description: string;
  /** AppConfig: the deployment strategy (id or name). */
  strategy?: string;
  /** Follow the deployment to its end instead of returning while it is still deploying. */
  wait: boolean;
}

export interface Deployment {
  /** AppConfig's deployment number, or the Lambda version published. */
  id: string;
  state: 'COMPLETE' | 'DEPLOYING' | 'BAKING' | 'ROLLED_BACK' | 'REVERTED' | 'VALIDATING' | 'ROLLING_BACK';
  strategy?: string;
  percentage?: number;
}

export interface WriteResult {
  version: string;
  /** Where the change is rolling out; absent for stores that apply at once. */
  deployment?: Deployment;
}

export interface HistoryEntry {
  version: string;
  description?: string;
  at?: string;
  /** Where this version is live (AppConfig deployments, Lambda aliases). */
  deployed?: string;
}

export interface RollbackResult {
  /** What was done: stopped a deployment, reverted one, or restored the previous version. */
  action: 'stopped-deployment' | 'reverted-deployment' | 'redeployed-previous' | 'restored-previous';
  version: string;
  deployment?: Deployment;
}

/** Where flags live for a stage: AppConfig, Lambda environment variables, or a local file. */
export interface FlagStore {
  readonly kind: 'appconfig' | 'lambda-env' | 'local';
  /** For people: "AppConfig shop-flags/dev/flags", "local file .sprout/local/flags.json". */
  readonly location: string;
  read(): Promise<StoredDocument>;
  write(document: FlagDocument, request: WriteRequest): Promise<WriteResult>;
  history(): Promise<HistoryEntry[]>;
  rollback(options: { wait: boolean; description: string }): Promise<RollbackResult>;
  /** Which version is live where, for `flags list`. */
  deployed(): Promise<string | undefined>;
}
