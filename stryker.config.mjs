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
    // Transactions: sealing, one-time take, binding to the callback, the app and the session; bounds.
    'src/transaction.ts',
    // The callback: one-valued parameters, state, iss, the transaction, the code.
    'src/oauth2.ts:300-334',
    // ID token checks: code exchange (nonce, iat, required ID token), issuer resolution, signature, typ, audiences.
    'src/oauth2.ts:611-720',
    'src/jwks.ts',
    // HTTP limits: timeout, no redirects, declared and streamed size caps; errors stripped of bodies and echoed secrets.
    'src/http.ts:59-193',
    'src/http.ts:221-299',
    // Loopback: where http: and non-Secure cookies are allowed.
    'src/config.ts:268-271',
    // Token lifecycle: resolve, due, 401 recovery, single-flight refresh, §12.2 identity on refresh.
    'src/oauth2.ts:420-551',
    // API calls: credentials only on the request fetch sees, only to trusted origins, one 401 retry, limits.
    'src/api.ts:92-312',
    // OAuth 1 signatures.
    'src/oauth1/signature.ts',
    // Integrations' error paths: oauthkit errors to onError, everything else rethrown.
    'integrations/next/index.ts:106-135',
    'integrations/sveltekit/index.ts:116-156',
    'integrations/express/index.ts:132-150',
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
  ignorePatterns: [
    'dist',
    'docs',
    'coverage',
    'reports',
    'bench',
    'examples/next/.next',
    'examples/sveltekit/build',
    'examples/sveltekit/.svelte-kit',
    'test-results',
  ],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 90, low: 80, break: null },
}
