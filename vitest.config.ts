import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // templates/*/files are projects with their own tests; the harness runs them in generated copies.
    exclude: ['node_modules/**', 'templates/**', 'dist/**'],
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // oclif writes through console; vitest must not swallow it.
    disableConsoleIntercept: true,
    reporters: ['default', 'json'],
    outputFile: { json: 'reports/vitest.json' },
  },
});
