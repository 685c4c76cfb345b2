import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // Two test processes share the two cores: one libtorch thread each avoids oversubscription.
    env: { HSA_NUM_THREADS: '1' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
