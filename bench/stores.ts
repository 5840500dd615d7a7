/**
 * 4. Token store round trips: one `set` then one `get` of a sealed token, sequentially, on each store
 *    (memory, SQLite in a temp file, PostgreSQL and Redis started as the tests start them, on
 *    127.0.0.1), interleaved; and the sealing apart: `SealedTokenStore` (seal on set, unseal on get)
 *    over the memory store, whose difference from the bare memory store is the sealing cost.
 */
import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import {
  MemoryTokenStore,
  SealedTokenStore,
  type OAuth2Token,
  type TokenStore,
} from '../src/index.js'
import { PostgresTokenStore } from '../src/stores/postgres.js'
import { RedisTokenStore } from '../src/stores/redis.js'
import { SqliteTokenStore } from '../src/stores/sqlite.js'
import { startPostgres } from '../test/support/postgres.js'
import { startRedis } from '../test/support/redis.js'
import { interleave, summarize, type InterleaveOptions, type Summary } from './stats.js'

const SECRET = 'a-bench-secret-that-is-at-least-32-characters'
const USERS = 100

export interface StoreSeries {
  name: string
  /** µs per set + get: the median over rounds of each round's median (min–max of rounds). */
  median: Summary
  /** µs per set + get: each round's mean. */
  mean: Summary
  /** This process's CPU µs per set + get. */
  cpu: Summary
}

export interface StoreBenchResult {
  options: InterleaveOptions
  /** Characters of the sealed token each store keeps. */
  sealedChars: number
  series: StoreSeries[]
  /** µs of sealing per set + get, paired per round: sealed-over-memory minus memory (medians). */
  sealing: Summary
}

/** A token like a provider's: opaque access and refresh tokens and an ID token of ~800 characters. */
function sampleToken(): OAuth2Token {
  return {
    access_token: randomBytes(30).toString('base64url'),
    refresh_token: randomBytes(30).toString('base64url'),
    id_token: randomBytes(600).toString('base64url'),
    token_type: 'Bearer',
    scope: 'openid email profile',
    expires_at: Math.floor(Date.now() / 1000) + 3600,
  }
}

const SEALED_MEMORY = 'SealedTokenStore over memory'
const SQLITE_WAL = 'SQLite, WAL + synchronous NORMAL'

export async function storeRoundTrips(options: InterleaveOptions): Promise<StoreBenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'oauthkit-bench-stores-'))
  const sqlite = new Database(join(dir, 'tokens.db'))
  const sqliteWal = new Database(join(dir, 'tokens-wal.db'))
  sqliteWal.pragma('journal_mode = WAL')
  sqliteWal.pragma('synchronous = NORMAL')
  const postgres = await startPostgres()
  const pool = new pg.Pool({ connectionString: postgres.url, max: 1 })
  const redis = await startRedis()
  try {
    // One real sealed string, stored as is by the bare stores.
    const sealer = new MemoryTokenStore()
    await new SealedTokenStore(sealer, SECRET).set('user-0', 'api', sampleToken())
    const sealed = (await sealer.get('user-0', 'api'))!
    const stores: Record<string, TokenStore> = {
      memory: new MemoryTokenStore(),
      SQLite: new SqliteTokenStore(sqlite),
      [SQLITE_WAL]: new SqliteTokenStore(sqliteWal),
      PostgreSQL: new PostgresTokenStore(pool),
      Redis: new RedisTokenStore(redis.redis),
    }
    const contenders: Record<string, () => Promise<unknown>> = {}
    for (const [name, store] of Object.entries(stores)) {
      let i = 0
      contenders[name] = async () => {
        const user = `user-${i++ % USERS}`
        await store.set(user, 'api', sealed)
        if ((await store.get(user, 'api')) !== sealed) throw new Error(`${name}: round trip lost`)
      }
    }
    const sealedStore = new SealedTokenStore(new MemoryTokenStore(), SECRET)
    const token = sampleToken()
    let j = 0
    contenders[SEALED_MEMORY] = async () => {
      const user = `user-${j++ % USERS}`
      await sealedStore.set(user, 'api', token)
      const back = (await sealedStore.get(user, 'api')) as OAuth2Token | undefined
      if (back?.access_token !== token.access_token) throw new Error('sealed round trip lost')
    }
    const result = await interleave(contenders, options)
    const series = Object.keys(contenders).map((name) => ({
      name,
      median: summarize(result.median[name]!),
      mean: summarize(result.mean[name]!),
      cpu: summarize(result.cpu[name]!),
    }))
    const memory = result.median.memory!
    const sealing = summarize(result.median[SEALED_MEMORY]!.map((v, round) => v - memory[round]!))
    return { options, sealedChars: sealed.length, series, sealing }
  } finally {
    await pool.end()
    sqlite.close()
    sqliteWal.close()
    postgres.stop()
    await redis.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

const us = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1))
const spread = (s: Summary) => `${us(s.median)} (${us(s.min)}–${us(s.max)})`

/** The console lines of this benchmark. */
export function storesConsole(result: StoreBenchResult): string[] {
  return [
    '4. Token store round trips (µs per set + get of a sealed token: median of per-round medians (min–max))',
    ...result.series.map(
      (s) => `  ${s.name.padEnd(34)} ${spread(s.median)}   CPU ${us(s.cpu.median)}`,
    ),
    `  sealing alone (seal + unseal, paired per round) ${spread(result.sealing)}`,
  ]
}

/** Its section of BENCHMARKS.md. */
export function storesMarkdown(result: StoreBenchResult): string[] {
  const o = result.options
  return [
    '## Token store round trips',
    '',
    `**What.** One \`set\` then one \`get\` of the same user's token, awaited in turn, on each token store: \`MemoryTokenStore\`; \`SqliteTokenStore\` on better-sqlite3 with a temp file, as \`new Database(file)\` opens it (rollback journal, synchronous FULL: every set is a committed transaction synced to disk), and the same with \`journal_mode = WAL\` and \`synchronous = NORMAL\` (the usual production pragmas: no sync per commit); \`PostgresTokenStore\` on a \`pg.Pool\` of one connection to a PostgreSQL server started as the tests start it (test/support/postgres.ts: 127.0.0.1, fsync off); \`RedisTokenStore\` on ioredis to a redis-server started as the tests start it (no persistence). The bare stores keep a sealed token as it is (${result.sealedChars.toLocaleString('en-US')} characters: an access and a refresh token and an ~800-character ID token, sealed with iron); users cycle over ${USERS} keys. "${SEALED_MEMORY}" is what the registry does with a \`store\`: seal on set, unseal on get (iron: AES-256-CBC + HMAC-SHA-256 through WebCrypto, with the registry secret), over the memory store.`,
    '',
    `**How.** ${o.rounds} rounds; in each, every contender makes ${o.perRound.toLocaleString('en-US')} round trips, interleaved in blocks of ${o.block} in a new random order per cycle (as in section 1), after ${o.warmup} untimed ones. Each round trip is timed on its own; per round we keep the median, the mean and this process's CPU time (the servers' own CPU is not in it). The sealing cost is paired per round: the sealed contender's median minus the bare memory store's.`,
    '',
    '| Store | µs per set + get: median of rounds (min–max) | Mean of rounds | CPU µs (this process) |',
    '|---|--:|--:|--:|',
    ...result.series.map(
      (s) => `| ${s.name} | ${spread(s.median)} | ${us(s.mean.median)} | ${us(s.cpu.median)} |`,
    ),
    `| **sealing alone** (seal + unseal: sealed over memory − memory, per round) | ${spread(result.sealing)} | | |`,
    '',
    'A store with sealing costs about its bare round trip plus the sealing line: the registry seals once per `set` and unseals once per `get` whatever the store.',
    '',
  ]
}
