import { defineConfig } from 'vitest/config';

// Forks, not threads: every test file gets its own process and its own copy of the addon,
// so a native failure can never take other files down with it. Under CI a JSON report is
// written too, for the pass/fail totals .ci/run prints.
export default defineConfig({
  test: {
    pool: 'forks',
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: 'build/vitest-results.json' }]] : ['default'],
  },
});
