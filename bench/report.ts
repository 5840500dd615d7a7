/**
 * Renders the results: a compact table for stdout, and BENCHMARKS.md.
 */
import type { ApiGroupResult, RatioResult, Series } from './api-get.js'
import {
  appFetchConsole,
  appFetchMarkdown,
  appFetchVerdict,
  type AppFetchResult,
} from './app-fetch.js'
import { bundleSection, bundleVerdict, type BundleEntry } from './bundle-report.js'
import { targetNotes } from './targets-notes.js'
import type { GuardBenchResult } from './guard.js'
import { guardConsole, guardMarkdown, guardVerdicts } from './guard-report.js'
import type { LoginResult } from './login.js'
import { LIKE_FOR_LIKE, NON_REPUDIATION } from './login.js'
import type { Machine } from './machine.js'
import type { RefreshTrial } from './refresh.js'
import type { Summary } from './stats.js'
import { storesConsole, storesMarkdown, type StoreBenchResult } from './stores.js'

export interface BenchResults {
  machine: Machine
  loadAtEnd: number
  durationSeconds: number
  gets: { fast: ApiGroupResult; slow: ApiGroupResult; configs: ApiGroupResult }
  refresh: RefreshTrial[]
  login: LoginResult
  stores: StoreBenchResult
  appFetch?: AppFetchResult
  bundles: BundleEntry[]
  guard: GuardBenchResult
}

interface Verdict {
  target: string
  measured: string
  met: boolean
}

const fixed = (digits: number) => (value: number) => value.toFixed(digits)
const us = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1))
const ms = fixed(2)
const x = fixed(3)

/** "median (min–max)" */
function spread(summary: Summary, format: (value: number) => string): string {
  return `${format(summary.median)} (${format(summary.min)}–${format(summary.max)})`
}

function findRatio(group: ApiGroupResult, label: string): RatioResult {
  const found = group.ratios.find((r) => r.label === label)
  if (!found) throw new Error(`no ratio "${label}"`)
  return found
}

function loginRatio(login: LoginResult, label: string): number {
  const found = login.ratios.find((r) => r.label === label)
  if (!found) throw new Error(`no login ratio "${label}"`)
  return found.summary.median
}

function findSeries(group: ApiGroupResult, name: string): Series {
  const found = group.series.find((s) => s.name === name)
  if (!found) throw new Error(`no series "${name}"`)
  return found
}

export function verdicts(results: BenchResults): Verdict[] {
  const { fast, slow } = results.gets
  const ratioVerdict = (target: string, ratio: RatioResult, limit: number): Verdict => ({
    target,
    measured: `${spread(ratio.median, x)}×`,
    met: ratio.median.median <= limit,
  })
  const callback = results.login.ratios.find((r) => r.label === 'oauthkit / openid-client')!
  const likeForLike = results.login.ratios.find((r) => r.label === `oauthkit / ${LIKE_FOR_LIKE}`)!
  return [
    ratioVerdict(
      'app.get ≤ 1.0× openid-client fetchProtectedResource (bare loopback)',
      findRatio(fast, 'app.get / openid-client'),
      1.0,
    ),
    ratioVerdict('app.get ≤ 1.05× bare ky (bare loopback)', findRatio(fast, 'app.get / ky'), 1.05),
    ratioVerdict('app.get ≤ 1.05× bare ky (1 ms server)', findRatio(slow, 'app.get / ky'), 1.05),
    ratioVerdict(
      'app.get ≤ 1.10× plain fetch (1 ms server)',
      findRatio(slow, 'app.get / fetch'),
      1.1,
    ),
    {
      target: '100 concurrent expired-token calls → 1 refresh request',
      measured: `${results.refresh.map((t) => t.tokenRequests).join(', ')} (per trial)`,
      met: results.refresh.every((t) => t.tokenRequests === 1),
    },
    {
      target: '… and 1 updateToken call',
      measured: `${results.refresh.map((t) => t.updateTokenCalls).join(', ')} (per trial)`,
      met: results.refresh.every((t) => t.updateTokenCalls === 1),
    },
    {
      target: "login callback ≤ 1.3× openid-client's defaults",
      measured: `${spread(callback.summary, x)}×`,
      met: callback.summary.median <= 1.3,
    },
    ...(results.appFetch ? [appFetchVerdict(results.appFetch)] : []),
    {
      target: 'login callback ≤ 1.0× like-for-like openid-client (signature + sealed state)',
      measured: `${spread(likeForLike.summary, x)}×`,
      met: likeForLike.summary.median <= 1.0,
    },
    bundleVerdict(results.bundles),
    ...guardVerdicts(results.guard),
  ]
}

// ---------------------------------------------------------------------------------------------------------------
// stdout

function pad(cells: string[], widths: number[]): string {
  return cells
    .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] ?? 0) : cell.padStart(widths[i] ?? 0)))
    .join('  ')
}

function consoleGroup(group: ApiGroupResult): string[] {
  const widths = [38, 24, 10, 10]
  const lines = [
    `  ${group.title}`,
    '  ' + pad(['contender', 'median µs (min–max)', 'mean µs', 'CPU µs'], widths),
  ]
  for (const s of group.series)
    lines.push(
      '  ' + pad([s.name, spread(s.median, us), us(s.mean.median), us(s.cpu.median)], widths),
    )
  for (const r of group.ratios) {
    const target =
      r.target === undefined
        ? ''
        : `  target ≤ ${r.target.toFixed(2)}: ${r.median.median <= r.target ? 'met' : 'NOT met'}`
    lines.push(
      `    ${r.label.padEnd(62)} ${spread(r.median, x)}  (mean ${x(r.mean.median)}, CPU ${x(r.cpu.median)})${target}`,
    )
  }
  return lines
}

export function renderConsole(results: BenchResults): string {
  const { login } = results
  const lines: string[] = []
  lines.push(
    `oauthkit bench — ${results.machine.cpu}, ${results.machine.cores} cores, Node ${results.machine.node}, load ${results.machine.loadAtStart.toFixed(2)} → ${results.loadAtEnd.toFixed(2)}, ${results.durationSeconds.toFixed(0)} s`,
  )
  lines.push(
    '',
    '1. Sequential authenticated GETs (per-GET latency; ratios are per round, median (min–max) over rounds)',
  )
  for (const group of [results.gets.fast, results.gets.slow, results.gets.configs])
    lines.push(...consoleGroup(group), '')
  lines.push('2. 100 concurrent app.get with an expired token')
  for (const t of results.refresh) {
    lines.push(
      `  token endpoint +${t.tokenLatencyMs} ms: refresh requests ${t.tokenRequests}, updateToken ${t.updateTokenCalls}, API calls ${t.apiRequests} (${t.apiWithNewToken} with the new token), failures ${t.failures}`,
    )
  }
  lines.push(
    '',
    '3. Login callback (ms per login: median of per-round medians (min–max); ratios paired per login cycle)',
  )
  for (const s of login.series)
    lines.push(
      `  ${s.name.padEnd(44)} ${spread(s.summary, ms)}   all logins: median ${ms(s.all.median)}, IQR ${ms(s.all.q1)}–${ms(s.all.q3)}`,
    )
  for (const r of login.ratios)
    lines.push(
      `    ${r.label.padEnd(62)} ${spread(r.summary, x)}${r.target === undefined ? '' : `  target ≤ ${r.target.toFixed(2)}: ${r.summary.median <= r.target ? 'met' : 'NOT met'}`}`,
    )
  lines.push(
    `  unsealing the sealed checks inside the callback: median ${ms(login.unsealMs.median)} ms (IQR ${ms(login.unsealMs.q1)}–${ms(login.unsealMs.q3)})`,
  )
  lines.push('', ...storesConsole(results.stores))
  if (results.appFetch) lines.push(...appFetchConsole(results.appFetch))
  lines.push('', '6. Bundle sizes (esbuild min + gzip)')
  for (const b of results.bundles)
    lines.push(`  ${b.name.padEnd(62)} ${b.minKb.toFixed(1)} KB min, ${b.gzKb.toFixed(1)} KB gz`)
  lines.push('', ...guardConsole(results.guard))
  lines.push('', 'Targets')
  for (const v of verdicts(results))
    lines.push(`  ${v.met ? 'met    ' : 'NOT met'}  ${v.target}: ${v.measured}`)
  return lines.join('\n')
}

// ---------------------------------------------------------------------------------------------------------------
// BENCHMARKS.md

function mdGroupTable(group: ApiGroupResult): string {
  const rows = group.series.map(
    (s) => `| ${s.name} | ${spread(s.median, us)} | ${spread(s.mean, us)} | ${spread(s.cpu, us)} |`,
  )
  return [
    '| Contender | Median latency µs (min–max of rounds) | Mean µs per GET | Client CPU µs per GET |',
    '|---|--:|--:|--:|',
    ...rows,
  ].join('\n')
}

function mdRatioTable(group: ApiGroupResult): string {
  const rows = group.ratios.map((r) => {
    const verdict =
      r.target === undefined
        ? ''
        : `≤ ${r.target.toFixed(2)}: **${r.median.median <= r.target ? 'met' : 'not met'}**`
    return `| ${r.label} | ${spread(r.median, x)} | ${spread(r.mean, x)} | ${spread(r.cpu, x)} | ${verdict} |`
  })
  return [
    '| Ratio | On median latency | On mean time | On client CPU | Target |',
    '|---|--:|--:|--:|---|',
    ...rows,
  ].join('\n')
}

function configFindings(results: BenchResults): string {
  const c = results.gets.configs
  const r = (label: string) => findRatio(c, label).median
  const pct = (summary: Summary) => {
    const change = (summary.median - 1) * 100
    return `${change.toFixed(1) === '0.0' || change.toFixed(1) === '-0.0' ? '±' : change < 0 ? '−' : '+'}${Math.abs(change).toFixed(1)} %`
  }
  const mirror = findSeries(c, 'ky like ApiClient').median.median
  const noAfter = findSeries(c, 'ky like ApiClient, no afterResponse').median.median
  return [
    `- **ky's own options hardly move its cost on the success path.** Relative to default ky (median latency): \`retry: 0\` ${pct(r('ky retry:0 / ky'))}, \`throwHttpErrors: false\` ${pct(r('ky throwHttpErrors:false / ky'))}, \`timeout: false\` ${pct(r('ky timeout:false / ky'))}, all three ${pct(r('ky all three / ky'))}. ` +
      `\`retry\` and \`throwHttpErrors\` are only consulted when a request fails; \`timeout: false\` saves ky's timer and its wrapping promise. What makes ky ${x(r('ky / fetch').median)}× plain fetch here is not optional in ky 1.14: every call builds a \`Request\` with its own \`AbortController\` signal, clones it before sending (to keep a copy for retries), and undici copies it again inside \`fetch\`.`,
    `- **An equivalent \`beforeRequest\` hook is free**: ky with a hook that sets the header instead of \`headers\` is ${x(r('ky + beforeRequest hook / ky').median)}× ky.`,
    `- **oauthkit's own layer is small**: \`app.get\` is ${spread(r('app.get / ky like ApiClient'), x)}× (≈ ${us((r('app.get / ky like ApiClient').median - 1) * mirror)} µs per GET) a bare ky instance configured like ApiClient (same fetch wrapper, retry predicate, async \`beforeRequest\` reading per-call state from \`context\`, async \`afterResponse\`) whose token logic is just "use the given token". That is the price of token resolution, the expiry and token-type checks, URL joining and the per-call state.`,
    `- **The afterResponse hook is the cost.** ky clones the response for every \`afterResponse\` hook (a tee of the body stream) before calling it, whether the hook looks at the body or not; ApiClient's hook only checks for a 401. Without it the ApiClient-like instance takes ${x(r('ky like ApiClient, no afterResponse / ky like ApiClient').median)}× the time (${us(mirror)} → ${us(noAfter)} µs median). ` +
      `Moving the 401 check into the \`fetch\` function ApiClient already hands to ky (per-call state found through a WeakMap keyed by the signed Request) keeps that gain: ${spread(r('ky like ApiClient, 401 check in fetch / ky like ApiClient'), x)}× the ApiClient-like instance, ${x(r('ky like ApiClient, 401 check in fetch / ky').median)}× bare ky. ApiClient now does exactly that (the "ky like ApiClient" rows keep the old hook as the reference).`,
    `- **\`timeout: false\`** on the ApiClient-like instance: ${x(r('ky like ApiClient, timeout:false / ky like ApiClient').median)}×; passed per call to \`app.get\`: ${x(r('app.get, timeout:false per call / app.get').median)}×. A few per cent at most, for giving up the 10 s timeout on API calls.`,
  ].join('\n')
}

export function renderMarkdown(results: BenchResults): string {
  const { machine, login, gets } = results
  const v = verdicts(results)
  const fastOptions = gets.fast.options
  const slowOptions = gets.slow.options
  const configOptions = gets.configs.options
  const out: string[] = []
  out.push(
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` (bench/run.ts) on ${machine.date}; the whole run took ${results.durationSeconds.toFixed(0)} s. Re-run it to refresh this file; do not edit it by hand.`,
    '',
    '## Machine',
    '',
    '| CPU | Cores | Memory | Node | OS | Load average (1 min) at start → end |',
    '|---|--:|--:|---|---|---|',
    `| ${machine.cpu} | ${machine.cores} | ${machine.memoryGiB.toFixed(1)} GiB | ${machine.node} | ${machine.platform} | ${machine.loadAtStart.toFixed(2)} → ${results.loadAtEnd.toFixed(2)} |`,
    '',
    `Libraries: ${Object.entries(machine.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}.`,
    '',
    '## Targets',
    '',
    '| Target | Measured | Verdict |',
    '|---|---|---|',
    ...v.map((t) => `| ${t.target} | ${t.measured} | **${t.met ? 'met' : 'not met'}** |`),
    '',
    'Ratios are computed per round (both sides measured in the same round) and given as the median over the rounds, with the lowest and highest round in parentheses. The GET ratios are on the median latency of a GET, the login ratio on callback times paired per login cycle (see "How" in each section).',
    '',
    targetNotes(gets, login, results.bundles),
    '',
    '## 1. Sequential authenticated GETs',
    '',
    "**What.** One GET at a time to a `node:http` server on 127.0.0.1, each reading a small JSON body: `app.get(url, { token }).json()` (oauthkit, with a fresh token: no refresh), openid-client v6's `fetchProtectedResource(config, accessToken, url, 'GET')` + `.json()` (a `Configuration` for the same server, `allowInsecureRequests` as the server is http on loopback), `ky.get(url, { headers: { authorization: \"Bearer …\" } }).json()` (bare ky, default options), and `fetch(url, { headers })` + `.json()`. The server checks the Bearer token on every request (a 401 would fail the run), keeps connections alive (each contender reuses one connection) and runs in a child process, so its work and GC do not share the client's thread. Once against a server answering at once, once against one answering after a 1 ms timer.",
    '',
    `**How.** ${fastOptions.rounds} rounds against the bare server, ${slowOptions.rounds} against the 1 ms one (to keep the run under 3 minutes); in each round every contender makes ${fastOptions.perRound.toLocaleString('en-US')} GETs, sequentially, interleaved in blocks of ${fastOptions.block}: a block of one contender, then one of each other, in a new random order for every cycle, so load drift is shared by all and no contender always follows the same other one. ${fastOptions.warmup} untimed GETs per contender first. Each GET is timed on its own; per round and contender we keep the median latency (robust to the other processes on this shared machine preempting us), the mean (total time / GETs, which also charges GC pauses and preemption) and this process's CPU time per GET (all its threads). Tables give the median over rounds and the range of the rounds.`,
    '',
    `### ${gets.fast.title}`,
    '',
    mdGroupTable(gets.fast),
    '',
    mdRatioTable(gets.fast),
    '',
    `### ${gets.slow.title}`,
    '',
    mdGroupTable(gets.slow),
    '',
    mdRatioTable(gets.slow),
    '',
    "### Where the time goes: ky options, hooks, oauthkit's layer",
    '',
    `Same method against the bare loopback server, ${configOptions.perRound.toLocaleString('en-US')} GETs per contender per round, ${configOptions.rounds} rounds, blocks of ${configOptions.block}. "ky like ApiClient" is a bare ky instance created with the options src/api.ts used before this study (\`fetch\` wrapper, \`retry.shouldRetry\`, async \`beforeRequest\` reading the per-call state from \`context\` and setting the header, async \`afterResponse\` checking for a 401) but whose token logic is only "use the token passed"; "app.get, timeout:false per call" passes ky's \`timeout: false\` through \`app.get\`'s options.`,
    '',
    mdGroupTable(gets.configs),
    '',
    mdRatioTable(gets.configs),
    '',
    '**Findings.**',
    '',
    configFindings(results),
    '',
    '## 2. Concurrent refresh',
    '',
    '**What.** 100 `app.get` calls started together, each with its own copy of the same expired token (`expires_at` in the past, `refresh_token` set), as if each request handler had read it from the store; a loopback token endpoint (counting refresh requests) and API (counting calls and whether they carry the refreshed token). A fresh registry per trial, so no refresh result is cached from an earlier trial. The token endpoint answers at once or after 20 ms.',
    '',
    '| Trial | Token endpoint delay | Refresh requests | updateToken calls | API calls | … with the new token | Failed calls |',
    '|--:|--:|--:|--:|--:|--:|--:|',
    ...results.refresh.map(
      (t, i) =>
        `| ${i + 1} | ${t.tokenLatencyMs} ms | ${t.tokenRequests} | ${t.updateTokenCalls} | ${t.apiRequests} | ${t.apiWithNewToken} | ${t.failures} |`,
    ),
    '',
    '## 3. Login callback',
    '',
    `**What.** The callback step of an authorization code + PKCE + nonce login against the test suite's oidc-provider (test/support/oidc-provider.ts, in this process on 127.0.0.1), client \`basic-client\` with client_secret_basic, scope \`openid email profile\`. Each login is a fresh authorization: the redirect and the scripted login/consent are not timed; only the callback step is.`,
    '',
    '- **oauthkit**: `authorizeAccessToken({ cookies, request })`. It finds and unseals the transaction cookie (AES-256-GCM through WebCrypto, the key derived once per secret) and deletes it, checks the replay guard, validates the authorization response (state, RFC 9207 `iss`), exchanges the code (client auth, PKCE verifier, redirect_uri) through its HttpClient (timeout, bounded body), validates the ID token claims with oauth4webapi (iss, aud/azp, exp/iat, nonce, auth_time when max_age) and then **verifies the ID token signature** with the JWKS (fetched once, cached).',
    '- **openid-client**: `client.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier, expectedState, expectedNonce })` after one `client.discovery(...)`. Same oauth4webapi validation of the authorization response and of the ID token claims, but by default **no ID token signature check**: for the code flow, OIDC Core §3.1.3.7 lets the client rely on the TLS connection to the token endpoint, and openid-client only checks signatures after `enableNonRepudiationChecks(config)`. It does no state storage either: the app passes the checks in.',
    `- **${NON_REPUDIATION}**: the same with \`enableNonRepudiationChecks\` (signature verified with the JWKS, cached after the first use).`,
    `- **${LIKE_FOR_LIKE}**: the same again, plus its checks sealed with iron-session at the redirect and unsealed inside the timed step: the work oauthkit does (its own seal is AES-256-GCM, src/session/seal.ts), done by an app around openid-client with the sealing library it would reach for.`,
    '',
    `**How.** ${login.options.warmup} untimed logins per contender first (discovery, JWKS, JIT). Then ${login.options.rounds} rounds of ${login.options.perRound} login cycles; a cycle is one login of each contender, back to back, in a random order. The first table gives, per contender, the median over rounds of each round's median callback time (min–max of rounds), and the median and IQR of all logins pooled. Ratios are paired within each cycle (the logins compared ran a few milliseconds apart), the median of a round's cycles, then the median (min–max) over rounds.`,
    '',
    '| Contender | ms per callback: median of rounds (min–max) | All logins: median | IQR |',
    '|---|--:|--:|--:|',
    ...login.series.map(
      (s) =>
        `| ${s.name} | ${spread(s.summary, ms)} | ${ms(s.all.median)} | ${ms(s.all.q1)}–${ms(s.all.q3)} |`,
    ),
    '',
    '| Ratio (paired per login cycle) | Median of rounds (min–max) | Target |',
    '|---|--:|---|',
    ...login.ratios.map(
      (r) =>
        `| ${r.label} | ${spread(r.summary, x)} | ${r.target === undefined ? '' : `≤ ${r.target.toFixed(2)}: **${r.summary.median <= r.target ? 'met' : 'not met'}**`} |`,
    ),
    '',
    `Paired per login cycle, the signature check makes openid-client ${x(loginRatio(login, `${NON_REPUDIATION} / openid-client`))}× slower and the signature plus the sealed state ${x(loginRatio(login, `${LIKE_FOR_LIKE} / openid-client`))}×; ` +
      `oauthkit is ${x(loginRatio(login, 'oauthkit / openid-client'))}× default openid-client but ${x(loginRatio(login, `oauthkit / ${LIKE_FOR_LIKE}`))}× openid-client doing the same work. ` +
      `Unsealing the checks inside the like-for-like contender's callback took ${ms(login.unsealMs.median)} ms (median; IQR ${ms(login.unsealMs.q1)}–${ms(login.unsealMs.q3)}).`,
    '',
    ...storesMarkdown(results.stores),
    ...(results.appFetch ? [appFetchMarkdown(results.appFetch), ''] : []),
    bundleSection(results.bundles),
    '',
    ...guardMarkdown(results.guard),
    '## Notes',
    '',
    `- **Noise.** This is a shared 2-core VM: other jobs (test runs) were running during the benchmark, so the 1-minute load average was ${machine.loadAtStart.toFixed(2)} at the start and ${results.loadAtEnd.toFixed(2)} at the end, well above the 2 cores. Means and CPU times move by ±20 % or more from round to round; median latencies and the per-round paired ratios of median latency are much steadier (see the min–max ranges). Treat differences under ~3 % as noise.`,
    "- **Why median latency for the GET targets.** With preemption from other processes, a round's mean is dominated by whichever contender happened to be descheduled. The median is what one GET costs when the process runs; the mean and CPU columns are given so that any GC cost (which a median hides) stays visible.",
    "- **What the GET comparison includes.** All three read the JSON body. ky and app.get send `accept: application/json` (ky's `.json()` sets it). app.get also runs the token checks (expiry with leeway, token type) and, through its ky instance, a default 10 s timeout, the retry predicate and the 401 check in its `fetch` wrapper. The transport is the same: global fetch (undici) with keep-alive.",
    '- **1 ms server.** The server waits on a 1 ms `setTimeout`, which fires after 1 ms or a little more, so the fixed part of every GET is ~1.1 ms and library overhead is a smaller share of it.',
    "- **Login.** The provider runs in the same process as the clients, so its own work for the token request (client authentication, code lookup, signing the ID token) is inside every timed callback, for every contender alike. Each WebCrypto call is a round trip through libuv's thread pool and costs more when the pool is not warm (in a side experiment on this machine, iron `unsealData` took ~0.3 ms in a tight loop and ~1 ms when called after 10 ms of idleness). oauthkit makes a few such calls in the callback (the unseal, the cookie name's hash when the state is not already one, the ID token signature); default openid-client makes none. Under heavy load the absolute login times swing widely from round to round; the paired ratios are the figures to read.",
  )
  return out.join('\n') + '\n'
}
