// @ts-check
/**
 * Mutation testing of the code that guards security (`npm run mutate`; not part of `npm test`).
 * Scores of the last run: MUTATION.md. Incremental: only mutants whose code or tests changed since
 * mutation/stryker-incremental.json are run again; commit that file with MUTATION.md.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.mutate.config.ts' },
  mutate: [
    // Transactions: sealing, one-time take, binding to the callback and the app, bounds.
    'src/transaction.ts',
    // ID token checks: code exchange (nonce, iat, required ID token), issuer resolution, signature and audiences.
    'src/oauth2.ts:571-660',
    'src/jwks.ts',
    // HTTP limits: timeout, declared and streamed size caps; errors stripped of response bodies.
    'src/http.ts:58-184',
    'src/http.ts:209-221',
    // Loopback: where http: and non-Secure cookies are allowed.
    'src/config.ts:210-231',
    // Token lifecycle: resolve, due, 401 recovery, single-flight refresh, §12.2 identity on refresh.
    'src/oauth2.ts:392-516',
    'src/api.ts:441-495',
    // OAuth 1 signatures.
    'src/oauth1/signature.ts',
    // Integrations' error paths: oauthkit errors to onError, everything else rethrown.
    'integrations/next/index.ts:597-626',
    'integrations/sveltekit/index.ts:108-148',
    'integrations/express/index.ts:128-149',
  ],
  coverageAnalysis: 'perTest',
  // Module-level constants would each need every test run again: too slow on two cores.
  ignoreStatic: true,
  incremental: true,
  incrementalFile: 'mutation/stryker-incremental.json',
  concurrency: 2,
  timeoutMS: 10_000,
  // The initial run is the whole scoped suite in one vitest thread; on a shared two-core machine it takes minutes.
  dryRunTimeoutMinutes: 30,
  tempDirName: '.stryker-tmp',
  cleanTempDir: true,
  ignorePatterns: ['dist', 'docs', 'coverage', 'reports', 'bench', 'examples/next/.next', 'examples/sveltekit/build', 'examples/sveltekit/.svelte-kit', 'test-results'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
}
