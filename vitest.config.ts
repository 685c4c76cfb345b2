import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 2,
    // Two test processes share the two cores: one libtorch thread each avoids oversubscription (a caller's
    // HSA_NUM_THREADS wins, so the suite can be checked with other thread counts).
    env: { HSA_NUM_THREADS: process.env.HSA_NUM_THREADS ?? '1' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
