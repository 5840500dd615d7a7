/**
 * Two processes share one token store and a real lock (Redis from Debian's redis-server): concurrent
 * calls with an expired token across both refresh exactly once and call updateToken exactly once.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { fileURLToPath } from 'node:url'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startRedis, type RedisServer } from './support/redis.js'

let redisServer: RedisServer
let redis: Redis
let redisPort: number
let provider: Server
let providerUrl: string
let refreshRequests = 0
let current = { access: 'at-old', refresh: 'rt-old' }

beforeAll(async () => {
  redisServer = await startRedis()
  redis = redisServer.redis
  redisPort = redisServer.port

  // A token endpoint that rotates refresh tokens (the old one is refused once used) and an API.
  provider = createServer((req, res) => {
    let body = ''
    req.on('data', (c: Buffer) => (body += c))
    req.on('end', () => {
      if (req.url === '/token') {
        refreshRequests++
        const params = new URLSearchParams(body)
        if (params.get('refresh_token') !== current.refresh) {
          res
            .writeHead(400, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: 'invalid_grant' }))
          return
        }
        current = { access: `at-${refreshRequests}`, refresh: `rt-${refreshRequests}` }
        // Slow enough that the other process is waiting on the lock meanwhile.
        setTimeout(
          () =>
            res.writeHead(200, { 'content-type': 'application/json' }).end(
              JSON.stringify({
                access_token: current.access,
                refresh_token: current.refresh,
                token_type: 'Bearer',
                expires_in: 3600,
              }),
            ),
          100,
        )
        return
      }
      const token = (req.headers.authorization ?? '').replace('Bearer ', '')
      if (token !== current.access) {
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

function worker(): Promise<WorkerResult> {
  const script = fileURLToPath(new URL('./support/refresh-worker.ts', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    env: { ...process.env, REDIS_PORT: String(redisPort), PROVIDER_URL: providerUrl, CALLS: '10' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  child.stdout!.on('data', (c: Buffer) => (out += c))
  child.stderr!.on('data', (c: Buffer) => (err += c))
  return new Promise((resolve, reject) => {
    child.on('exit', (code) =>
      code === 0
        ? resolve(JSON.parse(out.trim().split('\n').at(-1)!))
        : reject(new Error(`worker exited ${code}: ${err}`)),
    )
  })
}

it('refreshes exactly once across two processes sharing a Redis lock and token store', async () => {
  const expired = {
    access_token: 'at-old',
    refresh_token: 'rt-old',
    token_type: 'bearer',
    expires_at: Math.floor(Date.now() / 1000) - 5,
  }
  await redis.set('token:alice', JSON.stringify(expired))
  await redis.del('updates', 'go', 'ready')
  const runs = [worker(), worker()]
  // Both workers block on the list until both are ready to start, then race.
  while ((await redis.get('ready')) !== '2') await new Promise((r) => setTimeout(r, 20))
  await redis.rpush('go', '1', '1')
  const [a, b] = (await Promise.all(runs)) as [WorkerResult, WorkerResult]
  expect(refreshRequests).toBe(1)
  expect(await redis.get('updates')).toBe('1')
  expect(new Set([...a.tokens, ...b.tokens])).toEqual(new Set(['at-1']))
  expect(JSON.parse((await redis.get('token:alice'))!)).toMatchObject({
    access_token: 'at-1',
    refresh_token: 'rt-1',
  })
}, 30_000)
