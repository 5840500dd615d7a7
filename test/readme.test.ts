/**
 * The README's code is the examples' code: every TypeScript block must appear verbatim in a file
 * under examples/ (which the typecheck compiles and test/examples-core.test.ts runs).
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const root = fileURLToPath(new URL('..', import.meta.url))

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? e.name === 'node_modules' || e.name.startsWith('.')
        ? []
        : files(join(dir, e.name))
      : /\.(ts|tsx|svelte|js)$/.test(e.name)
        ? [join(dir, e.name)]
        : [],
  )
}

it('has only TypeScript blocks that are copies of runnable examples', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const blocks = [...readme.matchAll(/```(?:ts|tsx)\n([\s\S]*?)```/g)].map((m) => m[1]!)
  expect(blocks.length).toBeGreaterThan(0)
  const sources = files(join(root, 'examples')).map((f) => readFileSync(f, 'utf8'))
  for (const block of blocks) {
    expect(
      sources.some((s) => s.includes(block)),
      `README block not found in examples/:\n${block.slice(0, 200)}`,
    ).toBe(true)
  }
})

it("has the Express example README's TypeScript blocks copied from its app", () => {
  const readme = readFileSync(join(root, 'examples/express/README.md'), 'utf8')
  const blocks = [...readme.matchAll(/```(?:ts|tsx)\n([\s\S]*?)```/g)].map((m) => m[1]!)
  expect(blocks.length).toBeGreaterThan(3)
  const app = readFileSync(join(root, 'examples/express/app.ts'), 'utf8')
  for (const block of blocks)
    expect(app.includes(block), `block not found in app.ts:\n${block.slice(0, 200)}`).toBe(true)
})

it('shows the install-and-test and install-and-demo command lines', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  expect(readme).toContain('npm ci && npm run demo')
  expect(readme).toContain('./scripts/system-deps.sh && npm ci && npm test')
  expect(readFileSync(join(root, '.ci/run'), 'utf8')).toMatch(/npm test/)
})

it('links example sources to the repository (typedoc would turn a relative link into a download), documents by relative path', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const links = [...readme.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1]!)
  const sources = links.filter((l) => /\.(ts|tsx|js|svelte)$/.test(l))
  expect(sources.length).toBeGreaterThan(5)
  for (const link of sources)
    expect(link).toMatch(/^https:\/\/github\.com\/oauthkit\/oauthkit\/blob\/main\/examples\//)
  for (const link of links.filter((l) => l.endsWith('.md'))) expect(link).not.toMatch(/^https?:/)
})

it('starts with what a user needs: install, the peers per import, the Express quick start, Workers', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8')
  const headings = [...readme.matchAll(/^## (.+)$/gm)].map((m) => m[1]!)
  expect(headings.slice(0, 4)).toEqual([
    'Install',
    'Quick start: Express',
    'On Cloudflare Workers',
    'Working on oauthkit: two commands',
  ])
  expect(readme).toContain('npm i oauthkit\n')
  for (const peer of [
    '`express`',
    '`@types/express`',
    '`next`',
    '`@sveltejs/kit`',
    '`msw`',
    '`oidc-provider`',
  ])
    expect(readme).toContain(peer)
})
