/**
 * The vitest run StrykerJS uses (`npm run mutate`): the unit, msw and oidc-provider tests, without the
 * browser tests, the example apps (they need a built dist/ and child processes that Stryker cannot
 * see), the multi-process refresh test (Redis and worker processes), the interop matrix (Python servers)
 * the packed-tarball tests (npm installs) and the edge runtimes (workerd, edge-runtime: bundles of the source). The tests against the real oidc-provider (login-oidc, grants, bound,
 * testing/) are left out too: each covers every transaction and HTTP mutant and takes seconds per run;
 * the msw and unit tests cover the same code paths, so the score is theirs. No dist/ build either.
 * The adapter size check is left out too: it reads the source, which Stryker has instrumented. So is
 * test/grants-msw.test.ts: it tests grants.ts (not in scope), and its device-polling timings flaked under load.
 */
import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [
      'test/browser/**',
      'test/examples-*.test.ts',
      'test/interop/**',
      'test/package/**',
      'test/runtimes/**',
      'test/bound.test.ts',
      'test/login-oidc.test.ts',
      'test/grants.test.ts',
      'test/testing/**',
      'test/refresh-multiprocess.test.ts',
      'test/readme.test.ts',
      'test/grants-msw.test.ts',
      '**/node_modules/**',
    ],
    testNamePattern: /^(?!.*imports only types from express)/,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
  },
})
