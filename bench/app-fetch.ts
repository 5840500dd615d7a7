/**
 * 4. `app.fetch` against plain `fetch`: sequential GETs to the loopback API, each reading the small JSON
 *    body, interleaved like the GET benchmark. `app.fetch` reads its token with `fetchToken` (fresh: no
 *    refresh), checks the origin, adds the Bearer header and bounds the body; `fetch` sends the header
 *    itself. Target: ≤ 1.05× plain fetch (issue 15).
 *
 * Run alone: `node --import tsx bench/app-fetch.ts` (starts its own loopback server).
 */
import { fileURLToPath } from 'node:url'
import { OAuth, type OAuth2Token } from '../src/index.js'
import { API_TOKEN } from './api-server.js'
import { startApiServer } from './loopback.js'
import {
  interleave,
  pairedRatios,
  summarize,
  type InterleaveOptions,
  type Summary,
} from './stats.js'

/** Per contender: median latency µs per round, summarized; the per-round ratio app.fetch / fetch. */
export interface AppFetchResult {
  options: InterleaveOptions
  series: Array<{ name: string; median: Summary; cpu: Summary }>
  /** app.fetch / fetch on the median latency of each round. */
  ratio: Summary
  /** The same on CPU time per GET. */
  cpuRatio: Summary
  target: number
}

export const APP_FETCH_TARGET = 1.05

function token(): OAuth2Token {
  return {
    access_token: API_TOKEN,
    token_type: 'Bearer',
    refresh_token: 'bench-refresh',
    expires_at: Math.floor(Date.now() / 1000) + 3600,
  }
}

export async function appFetchVsFetch(
  origin: string,
  options: InterleaveOptions,
): Promise<AppFetchResult> {
  const stored = token()
  const app = new OAuth({
    secret: 'bench-secret-that-is-at-least-32-characters-long',
    fetchToken: () => stored,
  })
    .register('api', {
      clientId: 'bench-client',
      clientSecret: 'bench-client-secret',
      authorizeUrl: `${origin}/authorize`,
      accessTokenUrl: `${origin}/token`,
      apiBaseUrl: origin,
    })
    .create('api')
  const url = `${origin}/fast/user`
  const headers = { authorization: `Bearer ${API_TOKEN}` }
  const appFetch = app.fetch
  const check = (response: Response) => {
    if (response.status !== 200) throw new Error(`HTTP ${response.status}`)
    return response.json()
  }
  const measured = await interleave(
    {
      fetch: async () => check(await fetch(url, { headers })),
      'app.fetch': async () => check(await appFetch(url)),
    },
    options,
  )
  const names = Object.keys(measured.median)
  return {
    options,
    series: names.map((name) => ({
      name,
      median: summarize(measured.median[name]!),
      cpu: summarize(measured.cpu[name]!),
    })),
    ratio: summarize(pairedRatios(measured.median['app.fetch']!, measured.median.fetch!)),
    cpuRatio: summarize(pairedRatios(measured.cpu['app.fetch']!, measured.cpu.fetch!)),
    target: APP_FETCH_TARGET,
  }
}

const f3 = (v: number) => v.toFixed(3)
const us = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(1))
const spread = (s: Summary, f: (v: number) => string) => `${f(s.median)} (${f(s.min)}–${f(s.max)})`

/** The verdict line of the targets table. */
export function appFetchVerdict(result: AppFetchResult): {
  target: string
  measured: string
  met: boolean
} {
  return {
    target: `app.fetch ≤ ${result.target}× plain fetch (bare loopback)`,
    measured: `${spread(result.ratio, f3)}×`,
    met: result.ratio.median <= result.target,
  }
}

export function appFetchConsole(result: AppFetchResult): string[] {
  return [
    '',
    '5. app.fetch vs plain fetch (bare loopback; per-GET median latency µs, median (min–max) of rounds)',
    ...result.series.map(
      (s) => `  ${s.name.padEnd(10)} ${spread(s.median, us)} µs, CPU ${spread(s.cpu, us)} µs`,
    ),
    `  app.fetch / fetch: ${spread(result.ratio, f3)}× (CPU ${spread(result.cpuRatio, f3)}×)`,
  ]
}

export function appFetchMarkdown(result: AppFetchResult): string {
  const o = result.options
  return [
    '## 5. `app.fetch` vs plain `fetch`',
    '',
    `**What.** Sequential GETs to the same loopback server as section 1 (\`/fast/user\`), each reading the JSON body: \`fetch(url, { headers: { authorization } })\` against \`app.fetch(url)\`, the app's WHATWG fetch, which reads the token with \`fetchToken\` (fresh: no refresh), checks the origin, adds the Bearer header and bounds the body. **How.** ${o.rounds} rounds × ${o.perRound.toLocaleString('en-US')} GETs per contender, interleaved in blocks of ${o.block}, ${o.warmup} untimed first; the ratio is taken per round on the median latency.`,
    '',
    '| Contender | Median latency µs (min–max of rounds) | Client CPU µs per GET |',
    '|---|--:|--:|',
    ...result.series.map((s) => `| ${s.name} | ${spread(s.median, us)} | ${spread(s.cpu, us)} |`),
    '',
    `| Ratio | Median latency | CPU | Target |`,
    '|---|--:|--:|--:|',
    `| app.fetch / fetch | ${spread(result.ratio, f3)}× | ${spread(result.cpuRatio, f3)}× | ≤ ${result.target}× |`,
  ].join('\n')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await startApiServer()
  try {
    const result = await appFetchVsFetch(server.origin, {
      rounds: Number(process.env.ROUNDS ?? 7),
      perRound: 2000,
      block: 5,
      warmup: 300,
      seed: 4,
    })
    console.log(appFetchConsole(result).join('\n'))
  } finally {
    await server.close()
  }
}
