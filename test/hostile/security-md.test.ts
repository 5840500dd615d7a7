/**
 * SECURITY.md's table must match the tests: every row names a test file under test/hostile/ and a
 * test whose name starts with the case id given there.
 */
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const root = fileURLToPath(new URL('../..', import.meta.url))

it('points every case of SECURITY.md at an existing test', () => {
  const rows = readFileSync(`${root}SECURITY.md`, 'utf8')
    .split('\n')
    .map((line) => /^\| (.+?) \|.*\| `([\w.-]+\.test\.ts)` › `([^`]+)` \|$/.exec(line))
    .filter((m): m is RegExpExecArray => m !== null)
  expect(rows.length).toBeGreaterThanOrEqual(40)
  for (const [, , file, test] of rows) {
    const source = readFileSync(`${root}test/hostile/${file}`, 'utf8')
    expect(source, `${file} has no test named "${test}…"`).toMatch(
      new RegExp(`\\b(it|test)\\(\\s*(['"\`])${test!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    )
  }
})
