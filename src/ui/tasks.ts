import { mapConcurrent } from '../core/concurrency.js';

/** A step of a longer job, shown as a task list on stderr. */
export interface Task {
  title: string;
  /** Resolves with an optional final title (e.g. "Installed dependencies with pnpm"); `log` shows a line of progress. */
  run: (log: (line: string) => void) => Promise<string | void>;
}

/** How a task ended: a failed task does not stop the ones after it. */
export interface TaskOutcome {
  title: string;
  error?: Error;
}

export interface RunOptions {
  /** How many tasks run at once (default 1: one after another). */
  concurrency?: number;
}

export interface TaskRunner {
  run(tasks: Task[], options?: RunOptions): Promise<TaskOutcome[]>;
}

export interface TaskRunnerSettings {
  /** Animated spinners only for a person at a terminal; plain lines in CI, pipes and --json. */
  animated: boolean;
}

/** listr2, loaded on first use, writing only to stderr so that stdout carries results alone. */
export function listrTaskRunner(settings: TaskRunnerSettings): TaskRunner {
  return {
    async run(tasks, options = {}) {
      const { Listr, ListrLogger, ProcessOutput } = await import('listr2');
      const logger = new ListrLogger({ processOutput: new ProcessOutput(process.stderr, process.stderr) });
      const outcomes: TaskOutcome[] = tasks.map((task) => ({ title: task.title }));
      const list = new Listr(
        tasks.map((task, index) => ({
          title: task.title,
          task: async (_ctx: unknown, wrapper: { output: string; title: string }) => {
            try {
              const finalTitle = await task.run((line) => {
                wrapper.output = line;
              });
              if (finalTitle) wrapper.title = outcomes[index]!.title = finalTitle;
            } catch (error) {
              outcomes[index]!.error = error as Error;
              throw error;
            }
          },
        })),
        {
          renderer: settings.animated ? 'default' : 'simple',
          rendererOptions: { logger },
          fallbackRenderer: 'simple',
          fallbackRendererOptions: { logger },
          fallbackRendererCondition: !settings.animated,
          // Ctrl-C is handled by the command, which cleans up before exiting.
          registerSignalListeners: false,
          exitOnError: false,
          concurrent: Math.max(1, options.concurrency ?? 1),
        },
      );
      await list.run();
      return outcomes;
    },
  };
}

/** Runs tasks (up to `concurrency` at once) and reports each on a line: for tests and for callers that need no UI. */
export function plainTaskRunner(write: (line: string) => void): TaskRunner {
  return {
    async run(tasks, options = {}) {
      return mapConcurrent(tasks, options.concurrency ?? 1, async (task): Promise<TaskOutcome> => {
        write(`… ${task.title}`);
        try {
          const title = (await task.run((line) => write(`  ${line}`))) || task.title;
          write(`✔ ${title}`);
          return { title };
        } catch (error) {
          write(`✖ ${task.title}: ${(error as Error).message}`);
          return { title: task.title, error: error as Error };
        }
      });
    },
  };
}
