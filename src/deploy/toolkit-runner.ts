import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';

import { credentialsFor } from '../aws/credentials.js';
import { PreconditionError, SproutError } from '../core/errors.js';
import type { AppRunner, Progress, RequireApproval, StackDiff } from './apps.js';
import type { Bootstrapper } from './bootstrap.js';
import { edgeFunctionsIn } from './edge.js';
import type { DeployTarget } from './plan.js';

export interface ToolkitRunnerSettings {
  /** CloudTrail session name of assumed roles, e.g. sprout-prod. */
  sessionName: (target: DeployTarget) => string;
  /** Asks a person to approve security-broadening changes; absent when nobody can be asked. */
  confirm?: (question: string) => Promise<boolean>;
  /** More context for deploy and diff, read from the account (such as the edge router's stable release). */
  extraContext?: (target: DeployTarget, credentials: AwsCredentialIdentityProvider) => Promise<Record<string, unknown>>;
}

/** The codes of the toolkit's requests (@aws-cdk/toolkit-lib IO messages). */
const DEPLOY_CONFIRMATION = 'CDK_TOOLKIT_I5060';
const STACK_DIFF = 'CDK_TOOLKIT_I4002';

interface IoMessage {
  level: string;
  code?: string;
  message: string;
  data?: unknown;
  defaultResponse?: unknown;
}

/**
 * The real AppRunner: each call runs one app through the CDK Toolkit Library (no CDK CLI),
 * with the target's own credentials and the `sprout:deployment` (or `sprout:platform`) context.
 * The library is imported on first use: it is large and only deploy-like commands need it.
 */
export function toolkitRunner(settings: ToolkitRunnerSettings): AppRunner {
  async function open(
    target: DeployTarget,
    progress: Progress,
    { needsAws = true, onRequest, onMessage }: { needsAws?: boolean; onRequest?: (msg: IoMessage) => Promise<unknown>; onMessage?: (msg: IoMessage) => void } = {},
  ) {
    const lib = await import('@aws-cdk/toolkit-lib');
    const provider = await credentialsFor(target.credentials, { region: target.region, sessionName: settings.sessionName(target) });
    // Fail before a long synth, with our message (which profile, how to log in), rather than the
    // toolkit's generic "no credentials have been configured" after it.
    if (needsAws) await provider();
    const context = needsAws && settings.extraContext ? { ...target.context, ...(await settings.extraContext(target, provider)) } : target.context;
    const toolkit = new lib.Toolkit({
      color: false,
      emojis: false,
      sdkConfig: { baseCredentials: lib.BaseCredentials.custom({ provider, region: target.region }) },
      ioHost: {
        notify: async (msg: IoMessage) => {
          onMessage?.(msg);
          if (['info', 'warn', 'error', 'result'].includes(msg.level)) forward(msg.message, progress);
        },
        requestResponse: async (msg: IoMessage) => (onRequest ? onRequest(msg) : msg.defaultResponse) as never,
      },
    });
    const cx = await toolkit.fromCdkApp(appCommand(target.dir), {
      workingDirectory: target.dir,
      outdir: join(target.dir, 'cdk.out'),
      contextStore: new lib.CdkAppMultiContext(target.dir, context),
      resolveDefaultEnvironment: false,
    });
    return { lib, toolkit, cx, all: { strategy: lib.StackSelectionStrategy.ALL_STACKS } };
  }

  return {
    async synth(target, progress) {
      const { toolkit, cx } = await open(target, progress, { needsAws: false });
      const assembly = await toolkit.synth(cx);
      try {
        return assembly.cloudAssembly.stacks.map((stack) => ({
          stackName: stack.stackName,
          templateFile: stack.templateFullPath,
          account: stack.environment.account,
          region: stack.environment.region,
        }));
      } finally {
        await assembly.dispose();
      }
    },

    async deploy(target, { requireApproval, progress }) {
      const approve = async (msg: IoMessage) => {
        if (msg.code !== DEPLOY_CONFIRMATION) return msg.defaultResponse;
        return approveDeploy(msg, requireApproval, target, settings.confirm);
      };
      const { toolkit, cx, all } = await open(target, progress, { onRequest: approve });
      const result = await toolkit.deploy(cx, { stacks: all });
      return result.stacks.map((stack) => ({ stackName: stack.stackName, outputs: { ...stack.outputs } }));
    },

    async diff(target, progress) {
      const formatted = new Map<string, { text: string; permissionChanges: StackDiff['permissionChanges'] }>();
      const { toolkit, cx, all } = await open(target, () => {}, { onMessage: (msg) => {
        if (msg.code !== STACK_DIFF) return;
        const data = msg.data as { stack?: { stackName?: string }; formattedDiff?: { diff?: string; security?: string }; permissionChanges?: StackDiff['permissionChanges'] };
        const name = data.stack?.stackName;
        if (name) formatted.set(name, { text: stripVTControlCharacters(data.formattedDiff?.diff ?? ''), permissionChanges: data.permissionChanges ?? 'none' });
      } });
      const diffs = await toolkit.diff(cx, { stacks: all });
      return Object.entries(diffs).map(([stackName, diff]) => {
        const shown = formatted.get(stackName);
        if (shown?.text) progress(shown.text);
        return {
          stackName,
          changes: diff.differenceCount,
          permissionChanges: shown?.permissionChanges ?? (diff.permissionsBroadened ? 'broadening' : diff.permissionsAnyChanges ? 'non-broadening' : 'none'),
          text: shown?.text ?? '',
        };
      });
    },

    async destroy(target, progress) {
      const { toolkit, cx, all } = await open(target, progress);
      // Synthesize once: the templates tell which Lambda@Edge functions will outlive the stack,
      // and the same assembly is then destroyed.
      const assembly = await toolkit.synth(cx);
      try {
        const edgeFunctions = assembly.cloudAssembly.stacks.flatMap((stack) =>
          edgeFunctionsIn(stack.stackName, JSON.parse(readFileSync(stack.templateFullPath, 'utf8')), stack.environment.region),
        );
        const result = await toolkit.destroy(assembly, { stacks: all });
        return { stacks: result.stacks.map((stack) => ({ stackName: stack.stackName, existed: stack.stackExisted })), edgeFunctions };
      } finally {
        await assembly.dispose();
      }
    },
  };
}

/**
 * With --require-approval broadening, widening IAM or security groups needs a person's yes; without
 * a person to ask, the deploy stops rather than widen permissions unseen.
 */
async function approveDeploy(msg: IoMessage, policy: RequireApproval, target: DeployTarget, confirm?: (q: string) => Promise<boolean>): Promise<boolean> {
  const broadening = (msg.data as { permissionChangeType?: string } | undefined)?.permissionChangeType === 'broadening';
  if (policy === 'never' || !broadening) return true;
  if (confirm) return confirm(`${target.name}: the deploy widens permissions (IAM or security groups). Deploy it?`);
  throw new SproutError('APPROVAL_REQUIRED', `${target.name}: the deploy widens permissions, and --require-approval broadening needs a person to approve that.`, {
    exitCode: 3,
    suggestions: [`Review it with: sprout diff --stage ${target.stage}`, 'Then deploy with --require-approval never, or run it at a terminal.'],
  });
}

/** The app command from the app's cdk.json, as the CDK CLI would run it. */
export function appCommand(dir: string): string {
  let app: unknown;
  try {
    app = (JSON.parse(readFileSync(join(dir, 'cdk.json'), 'utf8')) as { app?: unknown }).app;
  } catch (error) {
    throw new PreconditionError('NO_CDK_APP', `${dir} has no readable cdk.json: ${(error as Error).message}`, {
      suggestions: ['Each service folder in sprout.json must be a CDK app with a cdk.json ("app": "npx tsx infra/app.ts").'],
    });
  }
  if (typeof app !== 'string' || !app.trim()) {
    throw new PreconditionError('NO_CDK_APP', `${join(dir, 'cdk.json')} has no "app" command.`, {
      suggestions: ['Add "app": "npx tsx infra/app.ts" (the command that synthesizes the app).'],
    });
  }
  return app;
}

function forward(message: string, progress: Progress): void {
  for (const line of stripVTControlCharacters(message).split('\n')) if (line.trim()) progress(line.trimEnd());
}

/** The real Bootstrapper: the CDK Toolkit Library's bootstrap, with each account's own credentials. */
export function toolkitBootstrapper(sessionName: string): Bootstrapper {
  return {
    async bootstrap(environment, settings, progress) {
      const lib = await import('@aws-cdk/toolkit-lib');
      const provider = await credentialsFor(environment.credentials, { region: environment.region, sessionName });
      const toolkit = new lib.Toolkit({
        color: false,
        emojis: false,
        sdkConfig: { baseCredentials: lib.BaseCredentials.custom({ provider, region: environment.region }) },
        ioHost: {
          notify: async (msg: IoMessage) => {
            if (['info', 'warn', 'error', 'result'].includes(msg.level)) forward(msg.message, progress);
          },
          requestResponse: async (msg: IoMessage) => msg.defaultResponse as never,
        },
      });
      const result = await toolkit.bootstrap(lib.BootstrapEnvironments.fromList([`aws://${environment.account}/${environment.region}`]), {
        parameters: lib.BootstrapStackParameters.withExisting({
          ...(settings.trust.length ? { trustedAccounts: settings.trust, cloudFormationExecutionPolicies: settings.executionPolicies } : {}),
        }),
      });
      return result.environments.every((env) => env.status === 'no-op') ? 'unchanged' : 'bootstrapped';
    },
  };
}
