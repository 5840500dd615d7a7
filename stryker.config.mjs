// @ts-check
/**
 * Mutation testing of the code that guards security (`npm run mutate`; not part of `npm test`).
 * One run per scope of mutation/scopes.json (the files or line ranges to mutate, and the fast tests
 * that cover them), chosen by MUTATE_SCOPE; scripts/mutate.mjs runs every scope in turn, then the
 * summary in MUTATION.md. Incremental: only mutants whose code or tests changed since
 * mutation/stryker-incremental-<scope>.json are run again; commit those files with MUTATION.md.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs'

const scopes = JSON.parse(readFileSync(new URL('mutation/scopes.json', import.meta.url), 'utf8'))
const name = process.env.MUTATE_SCOPE ?? ''
const scope = scopes[name]
if (!scope)
  throw new Error(
    `stryker.config.mjs: set MUTATE_SCOPE to one of ${Object.keys(scopes).join(', ')} (npm run mutate -- <scope> runs one)`,
  )

// test/oauth1/signature.test.ts reads the RFC 5849 vectors from ../shared beside the checkout; from a
// sandbox (.stryker-tmp/sandbox-*/) that path is .stryker-tmp/shared, so point it at the real one.
const shared = new URL('../shared/', import.meta.url)
const link = new URL('.stryker-tmp/shared', import.meta.url)
if (existsSync(shared) && !lstatSync(link, { throwIfNoEntry: false })) {
  mkdirSync(new URL('.stryker-tmp/', import.meta.url), { recursive: true })
  symlinkSync(shared, link, 'dir')
}

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  // vitest.mutate.config.ts runs the scope's tests only (it reads MUTATE_SCOPE too).
  vitest: { configFile: 'vitest.mutate.config.ts' },
  mutate: scope.mutate,
  coverageAnalysis: 'perTest',
  // Module-level constants would each need every test run again.
  ignoreStatic: true,
  incremental: true,
  incrementalFile: `mutation/stryker-incremental-${name}.json`,
  // One test runner at a time: the machine is two cores shared with other work (MUTATE_CONCURRENCY=2 for more).
  concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 1),
  timeoutMS: 10_000,
  // On a shared machine a test can run several times slower than in the dry run: a mutant is a
  // timeout only past 3 times its tests' dry-run time (plus timeoutMS), not 1.5.
  timeoutFactor: 3,
  dryRunTimeoutMinutes: 10,
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
  htmlReporter: { fileName: `reports/mutation/${name}.html` },
  jsonReporter: { fileName: `reports/mutation/${name}.json` },
  thresholds: { high: 90, low: 80, break: null },
}
