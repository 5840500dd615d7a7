/**
 * The vitest run StrykerJS uses (`npm run mutate`): the unit, msw and oidc-provider tests, without the
 * browser tests, the example apps (they need a built dist/ and child processes that Stryker cannot
 * see) and the multi-process refresh test (Redis and worker processes). No dist/ build either.
 * The adapter size check is left out too: it reads the source, which Stryker has instrumented. So is
 * test/grants-msw.test.ts: it tests grants.ts (not in scope), and its device-polling timings flaked under load.
 */
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'test/examples-*.test.ts', 'test/refresh-multiprocess.test.ts', 'test/readme.test.ts', 'test/grants-msw.test.ts', '**/node_modules/**'],
    testNamePattern: /^(?!.*imports only types from express)/,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
  },
})
