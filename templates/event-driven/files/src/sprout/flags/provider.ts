// Copied from sprout's src/runtime/flags by `npm run sync:runtime`: edit it there, not in a project.

/**
 * sprout's flags as an OpenFeature server provider: every resolve*Evaluation runs evaluateFlag on
 * a cached copy of the flag document from a FlagSource (AppConfig or SPROUT_FLAGS).
 *
 * Reasons, decided honestly (OpenFeature reasons describe ONE evaluation):
 * - A copy younger than maxAge (45 s by default, the AppConfig Lambda extension's poll interval)
 *   is fresh: the reason is the evaluator's (TARGETING_MATCH, SPLIT, DEFAULT…), never CACHED,
 *   which would hide why the value was chosen. flagMetadata says `cached` (true when the copy was
 *   fetched before this evaluation started) and `ageSeconds`.
 * - When a refresh fails and an older copy is served, the reason is STALE ("non-authoritative or
 *   possibly out of date"), the evaluator's own reason in flagMetadata.evaluationReason. A failed
 *   refresh is retried after 5 s at the soonest, so a broken store is not hammered.
 * - With no copy at all (the first fetch failed): the caller's default, reason ERROR, errorCode
 *   PARSE_ERROR when the content could not be decoded, GENERAL otherwise. Not PROVIDER_NOT_READY:
 *   the provider has no initialize step (it fetches on the first evaluation, which awaits it), so
 *   the SDK marks it ready at once; PROVIDER_NOT_READY is the SDK's own answer while a provider
 *   initializes, and would wrongly suggest that waiting helps.
 * - The evaluator's errors (FLAG_NOT_FOUND, TYPE_MISMATCH, PARSE_ERROR, INVALID_CONTEXT) go out as
 *   OpenFeature error codes; the SDK then returns the caller's default with reason ERROR.
 * - A split flag evaluated without a targetingKey serves the FLAG's default variant (reason
 *   DEFAULT). The evaluator flags that with TARGETING_KEY_MISSING, but an errorCode would make the
 *   SDK replace the value with the caller's default, so the provider reports it as
 *   flagMetadata.warning and logs it instead.
 * - A flag AppConfig delivered as a bare `{ "enabled": false }` (switched off: AppConfig drops a
 *   disabled flag's attributes, see codec.ts): the caller's default, reason DISABLED,
 *   flagMetadata.offVariantUnknown.
 * Events: CONFIGURATION_CHANGED when a refresh brings a different document, STALE when a refresh
 * fails with a copy to serve, ERROR when it fails with none, READY when a refresh succeeds again.
 */

import {
  type Client,
  type EvaluationContext,
  type FlagMetadata,
  type JsonValue,
  type Logger,
  OpenFeature,
  OpenFeatureEventEmitter,
  type Provider,
  ProviderEvents,
  type ResolutionDetails,
  ErrorCode,
  StandardResolutionReasons,
} from '@openfeature/server-sdk';

import { FlagCodecError } from './codec.js';
import { evaluateFlag, type Resolution } from './evaluate.js';
import type { FlagValue } from './model.js';
import { type FlagSnapshot, type FlagSource, sourceFromEnvironment } from './sources.js';

export const DEFAULT_MAX_AGE_SECONDS = 45;
export const DEFAULT_RETRY_AFTER_FAILURE_SECONDS = 5;

export interface SproutFlagsProviderOptions {
  /** Where the flags come from, or just a fetch function; by default from the function's environment (sourceFromEnvironment). */
  source?: FlagSource | FlagSource['fetch'];
  /** Seconds a fetched document is served before it is fetched again (at least the source's minimum, 15 s for AppConfig). */
  maxAge?: number;
  /** Seconds after a failed fetch before the next try. */
  retryAfterFailure?: number;
}

interface Copy {
  snapshot: FlagSnapshot;
  fetchedAt: number;
}

interface Failure {
  at: number;
  errorCode: ErrorCode;
  message: string;
}

/** What one evaluation is served: a copy (fresh or stale), or the failure that left none. */
type Served = { copy: Copy; cached: boolean; stale: boolean } | { failure: Failure };

export class SproutFlagsProvider implements Provider {
  readonly metadata = { name: 'sprout-flags' } as const;
  readonly runsOn = 'server';
  readonly events = new OpenFeatureEventEmitter();

  private readonly source: FlagSource;
  private readonly maxAgeMs: number;
  private readonly retryMs: number;
  private copy: Copy | undefined;
  private failure: Failure | undefined;
  private refreshing: Promise<void> | undefined;

  constructor(options: SproutFlagsProviderOptions = {}) {
    const source = options.source ?? sourceFromEnvironment();
    this.source = typeof source === 'function' ? { name: 'custom', fetch: source } : source;
    const maxAge = Math.min(Math.max(options.maxAge ?? DEFAULT_MAX_AGE_SECONDS, this.source.minimumMaxAgeSeconds ?? 0), this.source.maximumMaxAgeSeconds ?? Number.POSITIVE_INFINITY);
    this.maxAgeMs = maxAge * 1000;
    this.retryMs = Math.min(options.retryAfterFailure ?? DEFAULT_RETRY_AFTER_FAILURE_SECONDS, maxAge) * 1000;
  }

  resolveBooleanEvaluation(flagKey: string, defaultValue: boolean, context: EvaluationContext, logger: Logger): Promise<ResolutionDetails<boolean>> {
    return this.resolve(flagKey, defaultValue, context, logger);
  }

  resolveStringEvaluation(flagKey: string, defaultValue: string, context: EvaluationContext, logger: Logger): Promise<ResolutionDetails<string>> {
    return this.resolve(flagKey, defaultValue, context, logger);
  }

  resolveNumberEvaluation(flagKey: string, defaultValue: number, context: EvaluationContext, logger: Logger): Promise<ResolutionDetails<number>> {
    return this.resolve(flagKey, defaultValue, context, logger);
  }

  /** sprout flags are booleans, strings or numbers: an object flag is always a type mismatch. */
  async resolveObjectEvaluation<T extends JsonValue>(flagKey: string, defaultValue: T): Promise<ResolutionDetails<T>> {
    return {
      value: defaultValue,
      reason: StandardResolutionReasons.ERROR,
      errorCode: ErrorCode.TYPE_MISMATCH,
      errorMessage: `sprout flags hold booleans, strings or numbers; "${flagKey}" cannot be read as an object`,
    };
  }

  private async resolve<T extends FlagValue>(flagKey: string, defaultValue: T, context: EvaluationContext, logger: Logger): Promise<ResolutionDetails<T>> {
    try {
      const served = await this.serve(logger);
      if ('failure' in served) {
        return { value: defaultValue, reason: StandardResolutionReasons.ERROR, errorCode: served.failure.errorCode, errorMessage: served.failure.message, flagMetadata: { source: this.source.name } };
      }
      const resolution = evaluateFlag(served.copy.snapshot.document, flagKey, defaultValue, context) as unknown as Resolution<T>;
      return this.details(flagKey, defaultValue, resolution, served, logger);
    } catch (error) {
      // evaluateFlag and serve() do not throw; a resolver must not either, whatever happens.
      return { value: defaultValue, reason: StandardResolutionReasons.ERROR, errorCode: ErrorCode.GENERAL, errorMessage: describe(error) };
    }
  }

  private details<T extends FlagValue>(
    flagKey: string,
    defaultValue: T,
    resolution: Resolution<T>,
    served: { copy: Copy; cached: boolean; stale: boolean },
    logger: Logger,
  ): ResolutionDetails<T> {
    const flagMetadata: FlagMetadata = {
      source: this.source.name,
      cached: served.cached,
      ageSeconds: Math.floor((Date.now() - served.copy.fetchedAt) / 1000),
      ...(served.stale ? { stale: true } : {}),
      ...(resolution.ruleIndex !== undefined ? { ruleIndex: resolution.ruleIndex } : {}),
      ...(resolution.rule !== undefined ? { rule: resolution.rule } : {}),
      ...(resolution.bucket !== undefined ? { bucket: resolution.bucket } : {}),
    };
    if (served.copy.snapshot.switchedOff?.includes(flagKey)) {
      return this.success({ value: defaultValue, reason: StandardResolutionReasons.DISABLED }, { ...flagMetadata, offVariantUnknown: true }, served.stale);
    }
    if (resolution.reason === 'ERROR') {
      return {
        value: defaultValue,
        reason: StandardResolutionReasons.ERROR,
        errorCode: ErrorCode[resolution.errorCode ?? 'GENERAL'],
        errorMessage: resolution.errorMessage,
        flagMetadata,
      };
    }
    if (resolution.errorCode === 'TARGETING_KEY_MISSING') {
      logger.warn(resolution.errorMessage);
      flagMetadata.warning = resolution.errorCode;
    }
    return this.success({ value: resolution.value, variant: resolution.variant, reason: resolution.reason }, flagMetadata, served.stale);
  }

  /** A successful resolution, STALE when served from a copy that a refresh failed to replace. */
  private success<T>(result: { value: T; variant?: string; reason: string }, flagMetadata: FlagMetadata, stale: boolean): ResolutionDetails<T> {
    return {
      value: result.value,
      ...(result.variant !== undefined ? { variant: result.variant } : {}),
      reason: stale ? StandardResolutionReasons.STALE : result.reason,
      flagMetadata: stale ? { ...flagMetadata, evaluationReason: result.reason } : flagMetadata,
    };
  }

  /** The copy to evaluate against, fetching first when it is older than maxAge (one fetch at a time). */
  private async serve(logger: Logger): Promise<Served> {
    const started = Date.now();
    const expired = !this.copy || started - this.copy.fetchedAt >= this.maxAgeMs;
    const backingOff = this.failure !== undefined && started - this.failure.at < this.retryMs;
    if (expired && !backingOff) {
      this.refreshing ??= this.refresh(logger).finally(() => {
        this.refreshing = undefined;
      });
      await this.refreshing;
    }
    if (this.copy) return { copy: this.copy, cached: this.copy.fetchedAt < started, stale: this.failure !== undefined };
    return { failure: this.failure ?? { at: started, errorCode: ErrorCode.GENERAL, message: 'no flags were loaded' } };
  }

  private async refresh(logger: Logger): Promise<void> {
    try {
      const snapshot = await this.source.fetch(this.maxAgeMs / 1000);
      const previous = this.copy?.snapshot;
      const recovered = this.failure !== undefined;
      this.copy = { snapshot, fetchedAt: Date.now() };
      this.failure = undefined;
      if (recovered) this.events.emit(ProviderEvents.Ready, { message: `flags from ${this.source.name} loaded again` });
      const flagsChanged = previous ? changedFlags(previous, snapshot) : [];
      if (flagsChanged.length > 0) this.events.emit(ProviderEvents.ConfigurationChanged, { flagsChanged });
    } catch (error) {
      const wasFailing = this.failure !== undefined;
      const message = `could not load flags from ${this.source.name}: ${describe(error)}`;
      this.failure = { at: Date.now(), errorCode: error instanceof FlagCodecError ? ErrorCode.PARSE_ERROR : ErrorCode.GENERAL, message };
      logger.warn(this.copy ? `${message}; serving the copy from ${new Date(this.copy.fetchedAt).toISOString()}` : message);
      if (!wasFailing) this.events.emit(this.copy ? ProviderEvents.Stale : ProviderEvents.Error, { message });
    }
  }
}

/** Keys added, removed or changed between two snapshots. */
function changedFlags(before: FlagSnapshot, after: FlagSnapshot): string[] {
  const keys = new Set([...Object.keys(before.document.flags), ...Object.keys(after.document.flags)]);
  const off = (snapshot: FlagSnapshot, key: string) => snapshot.switchedOff?.includes(key) ?? false;
  return [...keys].filter(
    (key) => JSON.stringify(before.document.flags[key]) !== JSON.stringify(after.document.flags[key]) || off(before, key) !== off(after, key),
  );
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : typeof error === 'string' ? error : 'unknown error';
}

export interface FlagsClientOptions extends SproutFlagsProviderOptions {
  /** An OpenFeature domain, to keep these flags apart from another provider's. */
  domain?: string;
}

/**
 * Registers a SproutFlagsProvider and returns an OpenFeature client for it. Call it once, at module
 * scope, so the cached document lives as long as the execution environment:
 *
 *   const flags = createFlagsClient();
 *   export const handler = async (event) => {
 *     if (await flags.getBooleanValue('new-checkout', false, { targetingKey: event.userId })) { … }
 *   };
 */
export function createFlagsClient(options: FlagsClientOptions = {}): Client {
  const provider = new SproutFlagsProvider(options);
  if (options.domain === undefined) {
    OpenFeature.setProvider(provider);
    return OpenFeature.getClient();
  }
  OpenFeature.setProvider(options.domain, provider);
  return OpenFeature.getClient(options.domain);
}
