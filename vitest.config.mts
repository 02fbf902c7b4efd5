import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Kernel tests use both cores themselves; running files in parallel only adds noise.
    fileParallelism: false,
    pool: 'forks',
  },
});
