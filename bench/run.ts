/**
 * `npm run bench`: every benchmark in one run (about 2–3 minutes on a 2-core machine); prints a compact
 * table and writes BENCHMARKS.md at the repository root. Not part of `npm test`.
 */
import { writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { kyConfigurations, sequentialGets } from './api-get.js'
import { appFetchVsFetch, type AppFetchResult } from './app-fetch.js'
import { bundleSizes } from './bundle.js'
import { guardChecks } from './guard.js'
import { loginCallbacks } from './login.js'
import { startApiServer } from './loopback.js'
import { describeMachine, loadAverage } from './machine.js'
import { refreshTrial, type RefreshTrial } from './refresh.js'
import { renderConsole, renderMarkdown, type BenchResults } from './report.js'
import { storeRoundTrips } from './stores.js'

const OUTPUT = fileURLToPath(new URL('../BENCHMARKS.md', import.meta.url))

const started = performance.now()

function step(message: string): void {
  process.stderr.write(
    `[bench ${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${message}\n`,
  )
}

const machine = describeMachine()

const server = await startApiServer()
let gets: BenchResults['gets']
let appFetch: AppFetchResult
try {
  step('1a. 2,000 sequential GETs × 4 contenders × 7 rounds, bare loopback server')
  const fast = await sequentialGets(server.origin, false, {
    rounds: 7,
    perRound: 2000,
    block: 5,
    warmup: 300,
    seed: 1,
  })
  step('1b. the same against the 1 ms server (5 rounds: each takes 4 × 2,000 × ≥1.1 ms)')
  const slow = await sequentialGets(server.origin, true, {
    rounds: 5,
    perRound: 2000,
    block: 5,
    warmup: 100,
    seed: 2,
  })
  step('1c. ky configurations and oauthkit layers')
  const configs = await kyConfigurations(server.origin, {
    rounds: 7,
    perRound: 500,
    block: 5,
    warmup: 100,
    seed: 3,
  })
  gets = { fast, slow, configs }
  step('1d. app.fetch vs plain fetch, bare loopback server')
  appFetch = await appFetchVsFetch(server.origin, {
    rounds: 7,
    perRound: 2000,
    block: 5,
    warmup: 300,
    seed: 4,
  })
} finally {
  await server.close()
}

step('2. 100 concurrent calls with an expired token')
const refresh: RefreshTrial[] = []
for (const latency of [0, 20])
  for (let trial = 0; trial < 3; trial++) refresh.push(await refreshTrial(latency))

step('3. login callbacks against oidc-provider')
const login = await loginCallbacks({ rounds: 7, perRound: 30, warmup: 5 })

step('4. token store round trips: memory, SQLite, PostgreSQL, Redis, and the sealing apart')
const stores = await storeRoundTrips({ rounds: 5, perRound: 300, block: 5, warmup: 50, seed: 4 })
step('6. bundle sizes (esbuild, min + gzip)')
const bundles = await bundleSizes()
step("7. the bearer guard's JWT check against a bare jose.jwtVerify")
const guard = await guardChecks({ rounds: 7, perRound: 2000, block: 10, warmup: 500, seed: 4 })

const results: BenchResults = {
  machine,
  loadAtEnd: loadAverage(),
  durationSeconds: (performance.now() - started) / 1000,
  gets,
  refresh,
  login,
  stores,
  appFetch,
  bundles,
  guard,
}
console.log(renderConsole(results))
writeFileSync(OUTPUT, renderMarkdown(results))
step(`wrote ${OUTPUT}`)
