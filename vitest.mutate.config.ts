/**
 * The vitest run StrykerJS uses (`npm run mutate`): the tests of one scope of mutation/scopes.json,
 * named by MUTATE_SCOPE: fast unit and hostile tests that cover the scope's code. A survivor re-runs
 * every test that covers it, so the slow suites that only pass through that code (every msw login
 * covers transaction.ts and http.ts) would make a run take hours. No dist/ build (no globalSetup).
 */
import { readFileSync } from 'node:fs'
import { defineConfig } from 'vitest/config'

const scopes = JSON.parse(
  readFileSync(new URL('mutation/scopes.json', import.meta.url), 'utf8'),
) as Record<string, { tests: string[] }>
const scope = scopes[process.env.MUTATE_SCOPE ?? '']
if (!scope)
  throw new Error(
    `vitest.mutate.config.ts: set MUTATE_SCOPE to one of ${Object.keys(scopes).join(', ')}`,
  )

export default defineConfig({
  test: {
    include: scope.tests,
    // The Express adapter's size check reads the source, which Stryker has instrumented.
    testNamePattern: /^(?!.*imports only types from express)/,
    testTimeout: 20_000,
    hookTimeout: 30_000,
    maxWorkers: 2,
  },
})
