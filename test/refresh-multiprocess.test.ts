/**
 * Four processes share one token store (RedisTokenStore) and redisLock on Debian's redis-server:
 * 100 concurrent calls each with one expired token refresh exactly once and store it once; and when
 * the lock holder is killed mid-refresh, the others take over once its lease runs out; and when it
 * only stalls past its lease, its late token is fenced off and it answers with the new holder's.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest'
import { OAuth, type OAuth2Token, type SealedTokenStore } from '../src/index.js'
import { RedisTokenStore } from '../src/stores/redis.js'
import { startRedis, type RedisServer } from './support/redis.js'

const LEASE_MS = 1500

let redisServer: RedisServer
let redis: Redis
let redisPort: number
let provider: Server
let providerUrl: string
let tokens: SealedTokenStore
let refreshRequests = 0
let current = { access: 'at-old', refresh: 'rt-old' }
/**
 * When set, the first token request is held: it is handed a function that answers it late (or never,
 * when its holder is killed). Until answered, nothing rotates.
 */
let holdFirst: ((answerLate: () => void) => void) | undefined
/** Every access token issued: the API takes any, so a late answer does not revoke the newer token. */
const issued = new Set<string>()

beforeAll(async () => {
  redisServer = await startRedis()
  redis = redisServer.redis
  redisPort = redisServer.port
  tokens = new OAuth({
    store: new RedisTokenStore(redis),
    secret: 'a-test-secret-that-is-at-least-32-characters',
  }).tokens!

  // A token endpoint that rotates refresh tokens (the old one is refused once used) and an API.
  provider = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c))
    req.on('end', () => {
      if (req.url === '/token') {
        const n = ++refreshRequests
        const params = new URLSearchParams(body)
        if (params.get('refresh_token') !== current.refresh) {
          res
            .writeHead(400, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: 'invalid_grant' }))
          return
        }
        const answer = () => {
          issued.add(`at-${n}`)
          res.writeHead(200, { 'content-type': 'application/json' }).end(
            JSON.stringify({
              access_token: `at-${n}`,
              refresh_token: `rt-${n}`,
              token_type: 'Bearer',
              expires_in: 3600,
            }),
          )
        }
        if (n === 1 && holdFirst) {
          holdFirst(answer)
          return
        }
        current = { access: `at-${n}`, refresh: `rt-${n}` }
        // Slow enough that the other processes are waiting on the lock meanwhile.
        setTimeout(answer, 100)
        return
      }
      const token = (req.headers.authorization ?? '').replace('Bearer ', '')
      if (!issued.has(token)) {
        res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end()
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }))
    })
  }).listen(0, '127.0.0.1')
  await once(provider, 'listening')
  providerUrl = `http://127.0.0.1:${(provider.address() as AddressInfo).port}`
})

afterAll(async () => {
  await redisServer?.stop()
  provider?.closeAllConnections()
  await new Promise((r) => provider?.close(r))
})

interface WorkerResult {
  tokens: string[]
}

interface Worker {
  child: ChildProcess
  /** Its results; rejects when it exits otherwise than with 0. */
  done: Promise<WorkerResult>
}

function worker(): Worker {
  const script = fileURLToPath(new URL('./support/refresh-worker.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: {
      ...process.env,
      REDIS_PORT: String(redisPort),
      PROVIDER_URL: providerUrl,
      CALLS: '100',
      LEASE_MS: String(LEASE_MS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout!.on('data', (c: Buffer) => (out += c))
  child.stderr!.on('data', (c: Buffer) => (err += c))
  const done = new Promise<WorkerResult>((resolve, reject) => {
    child.on('exit', (code, signal) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1)!))
        : reject(new Error(`worker exited ${code ?? signal}: ${err}`)),
    )
  })
  return { child, done }
}

/** Four workers, started together once all are ready. */
async function race(): Promise<Worker[]> {
  const workers = Array.from({ length: 4 }, worker)
  while ((await redis.get('ready')) !== '4') await new Promise((r) => setTimeout(r, 20))
  await redis.rpush('go', '1', '1', '1', '1')
  return workers
}

const expired = (): OAuth2Token => ({
  access_token: 'at-old',
  refresh_token: 'rt-old',
  token_type: 'bearer',
  expires_at: Math.floor(Date.now() / 1000) - 5,
})

beforeEach(async () => {
  refreshRequests = 0
  current = { access: 'at-old', refresh: 'rt-old' }
  holdFirst = undefined
  issued.clear()
  await redis.del('updates', 'go', 'ready', 'holders')
  await tokens.set('alice', 'api', expired())
})

it('4 processes × 100 concurrent calls with one expired token: 1 refresh request, 1 token stored', async () => {
  const workers = await race()
  const results = await Promise.all(workers.map((w) => w.done))
  expect(refreshRequests).toBe(1)
  expect(await redis.get('updates')).toBe('1')
  const seen = results.flatMap((r) => r.tokens)
  expect(seen).toHaveLength(400)
  expect(new Set(seen)).toEqual(new Set(['at-1']))
  expect(await tokens.get('alice', 'api')).toMatchObject({
    access_token: 'at-1',
    refresh_token: 'rt-1',
  })
}, 60_000)

it('the lock holder killed mid-refresh: the others take over once its lease runs out, and refresh once', async () => {
  const requested = new Promise<void>((resolve) => (holdFirst = () => resolve()))
  const workers = await race()
  await requested
  // The holder is the one process that took the lock so far; its refresh request hangs.
  const holders = await redis.lrange('holders', 0, -1)
  expect(holders).toHaveLength(1)
  const holder = workers.find((w) => String(w.child.pid) === holders[0])!
  // What bounds the others' wait: the lease of the lock it holds (renewed up to now, then no more).
  const locks = (await redis.keys('oauthkit:refresh:*')).filter((k) => !k.endsWith(':fence'))
  expect(locks).toHaveLength(1)
  const left = await redis.pttl(locks[0]!)
  expect(left).toBeGreaterThan(0)
  expect(left).toBeLessThanOrEqual(LEASE_MS)
  holder.child.kill('SIGKILL')
  await expect(holder.done).rejects.toThrow('worker exited SIGKILL')

  const survivors = await Promise.all(workers.filter((w) => w !== holder).map((w) => w.done))
  // The second refresh request is the new holder's, with the refresh token nobody had used.
  expect(refreshRequests).toBe(2)
  expect(await redis.get('updates')).toBe('1')
  const after = await redis.lrange('holders', 0, -1)
  expect(after.length).toBeGreaterThanOrEqual(2)
  expect(after[1]).not.toBe(holders[0])
  const seen = survivors.flatMap((r) => r.tokens)
  expect(seen).toHaveLength(300)
  expect(new Set(seen)).toEqual(new Set(['at-2']))
  expect(await tokens.get('alice', 'api')).toMatchObject({
    access_token: 'at-2',
    refresh_token: 'rt-2',
  })
}, 60_000)

it('a holder that stalls past its lease (SIGSTOP) is fenced off: its late token is not stored, and it answers with the new one', async () => {
  let answerLate!: () => void
  const requested = new Promise<void>(
    (resolve) =>
      (holdFirst = (answer) => {
        answerLate = answer
        resolve()
      }),
  )
  const workers = await race()
  await requested
  const holders = await redis.lrange('holders', 0, -1)
  expect(holders).toHaveLength(1)
  const holder = workers.find((w) => String(w.child.pid) === holders[0])!
  holder.child.kill('SIGSTOP')
  const others = await Promise.all(workers.filter((w) => w !== holder).map((w) => w.done))
  expect(new Set(others.flatMap((r) => r.tokens))).toEqual(new Set(['at-2']))
  expect(await redis.get('updates')).toBe('1')

  // The provider answers the stalled request late (at-1), and the holder runs again.
  answerLate()
  holder.child.kill('SIGCONT')
  const woken = await holder.done
  expect(woken.tokens).toHaveLength(100)
  expect(new Set(woken.tokens)).toEqual(new Set(['at-2']))
  expect(refreshRequests).toBe(2)
  expect(await redis.get('updates')).toBe('1')
  expect(await tokens.get('alice', 'api')).toMatchObject({
    access_token: 'at-2',
    refresh_token: 'rt-2',
  })
}, 60_000)
