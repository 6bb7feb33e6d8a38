import { availableParallelism } from 'node:os';

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // templates/*/files are projects with their own tests; the harness runs them in generated copies.
    exclude: ['node_modules/**', 'templates/**', 'dist/**'],
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    // Generous: command tests spawn the CLI, and run next to the template harness's child processes.
    testTimeout: 60_000,
    // Template harness files spend most of their time waiting on child processes (tsc, vitest,
    // cdk synth), so at least two run side by side even on a two-core machine.
    maxWorkers: Math.max(2, availableParallelism()),
    hookTimeout: 60_000,
    // oclif writes through console; vitest must not swallow it.
    disableConsoleIntercept: true,
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
  },
});
