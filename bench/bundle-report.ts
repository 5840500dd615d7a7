/**
 * The bundle section of BENCHMARKS.md and its target verdict.
 */
import { CORE_ENTRY, OPENID_CLIENT_ENTRY, type BundleEntry } from './bundle.js'

export type { BundleEntry }

const kb = (value: number) => value.toFixed(1)

export function bundleVerdict(entries: readonly BundleEntry[]): {
  target: string
  measured: string
  met: boolean
} {
  const core = entries.find((e) => e.name === CORE_ENTRY)!
  const peer = entries.find((e) => e.name === OPENID_CLIENT_ENTRY)!
  return {
    target: `core bundle ≤ ${core.target} KB gz (OAuth 2-only app)`,
    measured: `${kb(core.gzKb)} KB gz (openid-client ${kb(peer.gzKb)} KB)`,
    met: core.gzKb <= core.target!,
  }
}

export function bundleSection(entries: readonly BundleEntry[]): string {
  return [
    '## 6. Bundle size',
    '',
    '**What.** Each entry bundled as an app would ship it (bench/bundle.ts): esbuild, `bundle`, `minify`, ESM, browser platform, every dependency inlined except the optional peers the app installs itself (msw, the database drivers), then gzip level 9. The core entry is an OAuth 2-only app: `import { OAuth }`, `register` one OpenID Connect app, `authorizeRedirect`, `authorizeAccessToken`, `app.get(...).json()`. openid-client is measured doing the same (`discovery`, `buildAuthorizationUrl`, `authorizationCodeGrant`, `fetchProtectedResource`). KB are 1,000 bytes.',
    '',
    '| Entry | Minified KB | Minified + gzip KB | Target |',
    '|---|--:|--:|---|',
    ...entries.map(
      (e) =>
        `| ${e.name} | ${kb(e.minKb)} | ${kb(e.gzKb)} | ${e.target === undefined ? '' : `≤ ${e.target}: **${e.gzKb <= e.target ? 'met' : 'not met'}**`} |`,
    ),
  ].join('\n')
}
