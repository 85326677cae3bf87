import { defineConfig } from '@playwright/test';

/**
 * e2e tests drive the real renderer against the real handlers through the local web host, in
 * Debian's Chromium (never a downloaded browser). CHROMIUM_PATH overrides the executable.
 */
export default defineConfig({
  testDir: 'tests/e2e',
  testMatch: '**/*.test.ts',
  fullyParallel: false,
  workers: 1,
  // one retry in CI only, where the 2-core runner also hosts other work: a test that needs it is
  // reported as flaky by name (scripts/test-all.mjs) and still counts; locally a failure is final
  retries: process.env.CI ? 1 : 0,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  outputDir: 'test-results',
  use: {
    viewport: { width: 1400, height: 860 },
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-gpu'],
    },
  },
});
