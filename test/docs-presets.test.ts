/**
 * The preset pages (docs/presets/*.md, one per group) and the API reference group the presets the
 * same way: every preset is on exactly one page, and its file's `@group` tags name that page.
 */
import { readFileSync, readdirSync } from 'node:fs'
import * as presets from 'oauthkit/providers'
import { expect, it } from 'vitest'

const providers = new URL('../src/providers/', import.meta.url)
const pages = new URL('../docs/presets/', import.meta.url)

/** Each preset's file, by its factory: the file's name camelCased, exported as a function. */
const factories = new Map(
  readdirSync(providers)
    .map((file) => [
      file
        .replace(/\.ts$/, '')
        .replace(/-(\w)/g, (_, c: string) => c.toUpperCase())
        .replace(/Oauth/, 'OAuth'),
      file,
    ])
    .filter(([name]) => typeof (presets as Record<string, unknown>)[name!] === 'function') as Array<
    [string, string]
  >,
)

/** Each page's title and the presets of its table (the backticked names of the first column). */
const groups = readdirSync(pages).map((file) => {
  const text = readFileSync(new URL(file, pages), 'utf8')
  const title = /^title: (.+)$/m.exec(text)?.[1]
  const names = [...text.matchAll(/^\| (`[^|]+`) \|/gm)].flatMap((m) =>
    [...m[1]!.matchAll(/`(\w+)`/g)].map((n) => n[1]!),
  )
  return { file, title, names }
})

it('has a page per group, together listing every preset once', () => {
  expect(factories.size).toBeGreaterThanOrEqual(40)
  expect(groups.map((g) => g.file).sort()).toEqual(['identity.md', 'social.md', 'work.md'])
  const listed = groups.flatMap((g) => g.names)
  expect([...listed].sort()).toEqual([...factories.keys()].sort())
})

it("groups each preset's API reference under its page's title", () => {
  for (const { title, names } of groups) {
    expect(title).toBeTruthy()
    for (const name of names) {
      const source = readFileSync(new URL(factories.get(name)!, providers), 'utf8')
      const tags = [...source.matchAll(/@group ([^*\n]+?)\s*(?:\*\/|$)/gm)].map((m) => m[1])
      expect(tags.length, name).toBeGreaterThan(0)
      expect(new Set(tags), name).toEqual(new Set([title]))
    }
  }
})
