import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // No bundling here, but cdk-nag and the first synth take a few seconds.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
