/**
 * 4. Bundle size of each entry point, as an app would ship it: esbuild (bundle, minify, ESM, browser
 *    platform, every dependency inlined), then gzip level 9. The OAuth 2-only app is the core target:
 *    `import { OAuth }` + register + login + get, with nothing of OAuth 1, the grants or the test kit
 *    used. openid-client is measured doing the same (discovery, authorization URL, code grant, a
 *    protected resource call).
 */
import { build } from 'esbuild'
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('..', import.meta.url))

export interface BundleEntry {
  name: string
  /** What the entry imports and uses. */
  source: string
  /** Kilobytes (1,000 bytes), minified. */
  minKb: number
  /** Kilobytes, minified and gzipped. */
  gzKb: number
  target?: number
  /** Minified kilobytes by part (dependency or oauthkit folder), largest first. */
  parts: Array<{ part: string; minKb: number }>
}

/** What a bundled input file belongs to: a dependency, or an oauthkit folder. */
function partOf(file: string): string {
  const dependency = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file)
  if (dependency) return dependency[1]!
  if (file.startsWith('src/oauth2/grants/')) return 'oauthkit src/oauth2/grants'
  const folder = /^(src|testing)\/([^/]+)\//.exec(file)
  return folder ? `oauthkit ${folder[1]}/${folder[2]}` : `oauthkit ${file}`
}

/** The OAuth 2-only app of the core target. */
export const CORE_ENTRY = 'oauthkit core (OAuth 2 app: register + login + get)'
export const OPENID_CLIENT_ENTRY = 'openid-client (discovery + login + fetchProtectedResource)'

const ENTRIES: Array<{ name: string; source: string; target?: number }> = [
  {
    name: CORE_ENTRY,
    target: 25,
    source: `import { OAuth } from './src/index.ts'
const app = new OAuth({ secret: 's'.repeat(32) })
  .register('corp', { serverMetadataUrl: 'https://idp.example/.well-known/openid-configuration', clientId: 'c', scope: 'openid' })
  .create('corp')
export const login = (ctx, uri) => app.authorizeRedirect(ctx, uri)
export const callback = (ctx) => app.authorizeAccessToken(ctx)
export const me = (token) => app.get('me', { token }).json()`,
  },
  {
    name: 'oauthkit, everything in the main entry',
    source: `export * from './src/index.ts'`,
  },
  { name: 'oauthkit/providers', source: `export * from './src/providers/index.ts'` },
  { name: 'oauthkit/testing', source: `export * from './testing/index.ts'` },
  { name: 'oauthkit/stores/sqlite', source: `export * from './src/stores/sqlite.ts'` },
  { name: 'oauthkit/stores/postgres', source: `export * from './src/stores/postgres.ts'` },
  { name: 'oauthkit/stores/redis', source: `export * from './src/stores/redis.ts'` },
  {
    name: OPENID_CLIENT_ENTRY,
    source: `import * as client from 'openid-client'
export async function login(clientId, secret) {
  const config = await client.discovery(new URL('https://idp.example'), clientId, secret)
  return client.buildAuthorizationUrl(config, { redirect_uri: 'https://app.example/cb', scope: 'openid' })
}
export async function callback(config, url, checks) {
  return client.authorizationCodeGrant(config, url, checks)
}
export async function me(config, token) {
  return (await client.fetchProtectedResource(config, token, new URL('https://api.example/me'), 'GET')).json()
}`,
  },
]

async function measure(
  source: string,
): Promise<{ min: number; gz: number; parts: BundleEntry['parts'] }> {
  const result = await build({
    metafile: true,
    outfile: 'bundle.js',
    stdin: { contents: source, resolveDir: ROOT, loader: 'ts', sourcefile: 'entry.ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    // Optional peers (msw, drivers) stay outside, as the app installs them itself.
    external: ['msw', 'msw/*', 'oidc-provider', 'better-sqlite3', 'pg', 'ioredis', 'node:*'],
  })
  const code = result.outputFiles[0]!.contents
  const parts = new Map<string, number>()
  for (const output of Object.values(result.metafile.outputs))
    for (const [file, input] of Object.entries(output.inputs))
      parts.set(partOf(file), (parts.get(partOf(file)) ?? 0) + input.bytesInOutput)
  return {
    min: code.byteLength,
    gz: gzipSync(code, { level: 9 }).byteLength,
    parts: [...parts]
      .map(([part, bytes]) => ({ part, minKb: bytes / 1000 }))
      .sort((a, b) => b.minKb - a.minKb),
  }
}

export async function bundleSizes(): Promise<BundleEntry[]> {
  const out: BundleEntry[] = []
  for (const entry of ENTRIES) {
    const { min, gz, parts } = await measure(entry.source)
    out.push({ ...entry, minKb: min / 1000, gzKb: gz / 1000, parts })
  }
  return out
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  for (const entry of await bundleSizes())
    console.log(
      `${entry.name.padEnd(60)} ${entry.minKb.toFixed(1)} KB min, ${entry.gzKb.toFixed(1)} KB gz`,
    )
}
