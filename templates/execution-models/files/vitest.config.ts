import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/setup.ts'],
    // The first synth bundles three functions with esbuild; dynalite and kinesalite start in-process.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
