/**
 * The layout of ARCHITECTURE.md, checked: no import circle (type imports count too), imports point
 * down the layers, nothing in oauth1/ imports oauth2/, the grants never import the app, and no
 * source file (src/, integrations/, and the testing export's testing/) is over 400 lines.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')

function files(dir: string): string[] {
  return readdirSync(join(root, dir)).flatMap((entry) => {
    const path = join(dir, entry)
    return statSync(join(root, path)).isDirectory()
      ? files(path)
      : path.endsWith('.ts')
        ? [path]
        : []
  })
}

const sources = [...files('src'), ...files('integrations')]
/** Each file's relative imports (static, dynamic and `export … from`), as repository paths. */
const graph = new Map(
  sources.map((file) => {
    const text = readFileSync(join(root, file), 'utf8')
    const specs = [...text.matchAll(/(?:from|import\()\s*'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!)
    return [
      file,
      [
        ...new Set(
          specs.map((spec) =>
            relative(root, resolve(root, dirname(file), spec)).replace(/\.js$/, '.ts'),
          ),
        ),
      ],
    ]
  }),
)

describe('architecture', () => {
  it('reads the import graph (a check that finds nothing proves nothing)', () => {
    expect(graph.get('src/oauth2/app.ts')).toContain('src/app/base.ts')
    expect(graph.get('integrations/express/index.ts')).toContain('src/index.ts')
    expect(graph.size).toBeGreaterThan(50)
  })

  it('has no import circle', () => {
    const circles: string[][] = []
    const state = new Map<string, 'open' | 'done'>()
    const visit = (file: string, path: string[]) => {
      if (state.get(file) === 'done') return
      if (state.get(file) === 'open')
        return void circles.push([...path.slice(path.indexOf(file)), file])
      state.set(file, 'open')
      for (const next of graph.get(file) ?? []) visit(next, [...path, file])
      state.set(file, 'done')
    }
    for (const file of graph.keys()) visit(file, [])
    expect(circles).toEqual([])
  })

  const layer = (file: string): number => {
    if (file.startsWith('integrations/')) return 6
    if (
      file === 'src/index.ts' ||
      file === 'src/routes.ts' ||
      file.startsWith('src/routes/') ||
      file.startsWith('src/providers/')
    )
      return 5
    if (file === 'src/registry.ts' || file === 'src/bound.ts' || file === 'src/config-keys.ts')
      return 4
    if (/^src\/(oauth1|oauth2|openid2|guard)\//.test(file)) return 3
    if (file.startsWith('src/app/') || file.startsWith('src/stores/')) return 2
    if (/^src\/(http|session)\//.test(file) || file === 'src/types.ts') return 1
    if (file.startsWith('src/errors/')) return 0
    throw new Error(`${file} belongs to no layer of ARCHITECTURE.md`)
  }

  it('imports point down: integrations → routes → registry → apps → app base → http/session → errors', () => {
    const upward = [...graph].flatMap(([file, imports]) =>
      imports
        .filter((target) => layer(target) > layer(file))
        .map((target) => `${file} → ${target}`),
    )
    // config-keys is read by the apps' option checks: the one registry-level module the apps use.
    expect(upward.filter((edge) => !edge.endsWith('→ src/config-keys.ts'))).toEqual([])
  })

  it('keeps OAuth 1 apart from OAuth 2, and the grants apart from the app', () => {
    const edges = [...graph].flatMap(([file, imports]) =>
      imports.map((target) => [file, target] as const),
    )
    expect(
      edges.filter(
        ([file, target]) => file.startsWith('src/oauth1/') && target.startsWith('src/oauth2/'),
      ),
    ).toEqual([])
    expect(
      edges.filter(
        ([file, target]) => file.startsWith('src/oauth2/') && target.startsWith('src/oauth1/'),
      ),
    ).toEqual([])
    expect(
      edges.filter(
        ([file, target]) =>
          file.startsWith('src/oauth2/') &&
          file !== 'src/oauth2/app.ts' &&
          target === 'src/oauth2/app.ts',
      ),
    ).toEqual([])
    // OpenID 2.0 is its own protocol: it shares the app base, nothing of either OAuth.
    expect(
      edges.filter(
        ([file, target]) => file.startsWith('src/openid2/') && /^src\/oauth[12]\//.test(target),
      ),
    ).toEqual([])
    expect(graph.get('src/openid2/app.ts')).toContain('src/app/base.ts')
  })

  it('keeps the store drivers (optional peers) out of the core: type imports in their own modules only', () => {
    const drivers = /^(?:import|export)\b[^\n]*from\s+'(better-sqlite3|pg|ioredis)'/gm
    const found = sources.flatMap((file) =>
      [...readFileSync(join(root, file), 'utf8').matchAll(drivers)].map((m) => `${file}: ${m[0]}`),
    )
    expect(found.map((line) => line.split(':')[0])).toEqual([
      'src/stores/postgres.ts',
      'src/stores/redis-lock.ts',
      'src/stores/redis.ts',
      'src/stores/sqlite.ts',
    ])
    const text = (file: string) => readFileSync(join(root, file), 'utf8')
    expect(text('src/stores/sqlite.ts')).toMatch(/^import type \{[^}]*\} from 'better-sqlite3'$/m)
    expect(text('src/stores/postgres.ts')).toMatch(/^import type \{[^}]*\} from 'pg'$/m)
    expect(text('src/stores/redis.ts')).toMatch(/^import type \{[^}]*\} from 'ioredis'$/m)
    expect(text('src/stores/redis-lock.ts')).toMatch(/^import type \{[^}]*\} from 'ioredis'$/m)
    const importers = (target: string) =>
      [...graph].filter(([, imports]) => imports.includes(target)).map(([file]) => file)
    expect(importers('src/stores/redis-lock.ts')).toEqual(['src/stores/redis.ts'])
    for (const driver of ['sqlite', 'postgres', 'redis'])
      expect(importers(`src/stores/${driver}.ts`), driver).toEqual([])
  })

  it('has no source file over 400 lines (the testing export included)', () => {
    const long = [...sources, ...files('testing')]
      .map((file) => [file, readFileSync(join(root, file), 'utf8').split('\n').length] as const)
      .filter(([, lines]) => lines > 400)
    expect(long).toEqual([])
  })
})
