/**
 * redisLock and RedisReplayGuard on a real redis-server: one holder at a time, release by the owner
 * only, a crashed holder's lease runs out, fencing refuses a stale holder's write (in the store and
 * through a registry's refresh), and a used transaction key is refused by every guard sharing Redis.
 */
import { randomUUID } from 'node:crypto'
import { http, HttpResponse } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { OAuth, type LockLease, type OAuth2Token, type TokenStore } from '../../src/index.js'
import { redisLock, RedisReplayGuard, RedisTokenStore } from '../../src/stores/redis.js'
import { expectCode, SECRET, useMsw } from '../support/helpers.js'
import { startRedis, type RedisServer } from '../support/redis.js'

let server: RedisServer
beforeAll(async () => {
  server = await startRedis()
})
afterAll(() => server?.stop())

const key = () => `test:lock:${randomUUID()}`

/** A promise and its resolver, to hold a holder inside the lock until the test lets it go. */
function gate<T = void>() {
  let open!: (value: T) => void
  const promise = new Promise<T>((resolve) => (open = resolve))
  return { promise, open }
}

describe('redisLock', () => {
  it('lets one holder in at a time, each with a larger fencing token', async () => {
    const lock = redisLock(server.redis, { leaseMs: 2000 })
    const k = key()
    let inside = 0
    let most = 0
    const fences: number[] = []
    await Promise.all(
      Array.from({ length: 8 }, () =>
        lock(k, async (lease) => {
          inside++
          most = Math.max(most, inside)
          fences.push(lease!.fence.token)
          await new Promise((r) => setTimeout(r, 5))
          inside--
        }),
      ),
    )
    expect(most).toBe(1)
    expect(fences).toHaveLength(8)
    expect(fences).toEqual([...fences].sort((a, b) => a - b))
    expect(new Set(fences).size).toBe(8)
    // Released: neither the lock nor its fence key is left behind.
    expect(await server.redis.exists(k, `${k}:fence`)).toBe(0)
  })

  it('renews the lease while the holder runs past it', async () => {
    // Long enough that only a stall of a whole lease between two renewals (every third) could fail it.
    const lock = redisLock(server.redis, { leaseMs: 2000 })
    const k = key()
    const held = await lock(k, async (lease) => {
      await new Promise((r) => setTimeout(r, 4500))
      return lease!.held()
    })
    expect(held).toBe(true)
  })

  it('a crashed holder blocks the others only until its lease runs out', async () => {
    const k = key()
    // What a holder that died mid-refresh leaves: its lock, with its lease running.
    await server.redis.set(k, 'dead-owner', 'PX', 300)
    const patient = redisLock(server.redis, { leaseMs: 1000, waitMs: 5000 })
    expect(await patient(k, async (lease) => lease!.fence.token > 0)).toBe(true)
    await server.redis.set(k, 'dead-owner', 'PX', 5000)
    const hasty = redisLock(server.redis, { leaseMs: 1000, waitMs: 100 })
    let ran = false
    await expectCode(
      hasty(k, async () => {
        ran = true
      }),
      'lock_timeout',
    )
    expect(ran).toBe(false)
  })

  it('releases only its own lock: a holder whose lease ran out leaves the new holder alone', async () => {
    const lock = redisLock(server.redis, { leaseMs: 5000 })
    const k = key()
    const aInside = gate()
    const aGo = gate()
    const bInside = gate()
    const bGo = gate()
    const a = lock(k, async (lease) => {
      aInside.open()
      await aGo.promise
      return lease!.held()
    })
    await aInside.promise
    await server.redis.del(k) // A's lease ran out
    const b = lock(k, async (lease) => {
      bInside.open()
      await bGo.promise
      return lease!.held()
    })
    await bInside.promise
    const bOwner = await server.redis.get(k)
    aGo.open()
    expect(await a).toBe(false)
    // A's release did not delete B's lock.
    expect(await server.redis.get(k)).toBe(bOwner)
    bGo.open()
    expect(await b).toBe(true)
    expect(await server.redis.exists(k)).toBe(0)
  })

  it('fencing: a stale holder cannot write its token over the newer holder’s', async () => {
    const lock = redisLock(server.redis, { leaseMs: 5000 })
    const store = new RedisTokenStore(server.redis)
    const k = key()
    const user = randomUUID()
    const aInside = gate<LockLease>()
    const aGo = gate()
    const a = lock(k, async (lease) => {
      aInside.open(lease!)
      await aGo.promise
      return store.set(user, 'api', 'sealed-by-a', { fence: lease!.fence })
    })
    const aLease = await aInside.promise
    await server.redis.del(k) // A stalls past its lease; B takes over and writes
    await lock(k, async (lease) => {
      expect(lease!.fence.token).toBeGreaterThan(aLease.fence.token)
      await store.set(user, 'api', 'sealed-by-b', { fence: lease!.fence })
      // Still inside B's hold: A wakes up and tries to write.
      aGo.open()
      await expectCode(a, 'lock_lost')
    })
    expect(await store.get(user, 'api')).toBe('sealed-by-b')
    // After B released, A's fence is still refused (the fence key is gone with B's lock).
    await expectCode(store.set(user, 'api', 'late', { fence: aLease.fence }), 'lock_lost')
    expect(await store.get(user, 'api')).toBe('sealed-by-b')
  })

  it('refuses a missing client and a bad lease with config_invalid', () => {
    expect(() => redisLock(undefined as never)).toThrow(/no ioredis client given/)
    expect(() => redisLock(server.redis, { leaseMs: 0 })).toThrow(/leaseMs/)
  })
})

describe('a registry refreshing under redisLock', () => {
  const msw = useMsw()
  const config = {
    clientId: 'c',
    clientSecret: 's',
    authorizeUrl: 'https://idp.test/authorize',
    accessTokenUrl: 'https://idp.test/token',
    apiBaseUrl: 'https://api.test',
  }

  it('a holder whose lease ran out stores nothing and answers with the token the new holder stored', async () => {
    const redisStore = new RedisTokenStore(server.redis)
    const fencedWrites: number[] = []
    // The Redis store, recording each write made under a fence (so a refused one can be told apart).
    const store: TokenStore = {
      get: (u, a) => redisStore.get(u, a),
      delete: (u, a) => redisStore.delete(u, a),
      deleteUser: (u) => redisStore.deleteUser(u),
      set: async (u, a, t, o) => {
        if (o?.fence) fencedWrites.push(o.fence.token)
        await redisStore.set(u, a, t, o)
      },
    }
    const options = { store, secret: SECRET, lock: redisLock(server.redis, { leaseMs: 5000 }) }
    const stale = new OAuth(options).register('api', config).create('api')
    const fresh = new OAuth(options).register('api', config).create('api')
    const tokens = new OAuth({ store, secret: SECRET }).tokens!
    const user = randomUUID()
    await tokens.set(user, 'api', {
      access_token: 'at-old',
      refresh_token: 'rt-old',
      token_type: 'Bearer',
      expires_at: Math.floor(Date.now() / 1000) - 10,
    })
    const firstRequest = gate()
    const answerFirst = gate()
    let refreshes = 0
    msw.use(
      http.post(config.accessTokenUrl, async () => {
        const n = ++refreshes
        if (n === 1) {
          firstRequest.open()
          await answerFirst.promise // the first holder stalls here
        }
        return HttpResponse.json({
          access_token: `at-${n}`,
          refresh_token: `rt-${n}`,
          token_type: 'Bearer',
          expires_in: 3600,
        })
      }),
      http.get(`${config.apiBaseUrl}/me`, ({ request }) =>
        HttpResponse.json({ auth: request.headers.get('authorization') }),
      ),
    )
    const ctx = { userId: user }
    const staleCall = stale.get('me', { ctx }).json<{ auth: string }>()
    await firstRequest.promise
    // The stalled holder's lease runs out (its lock key expires) and another process takes over.
    const lockKeys = (await server.redis.keys('oauthkit:refresh:*')).filter(
      (k) => !k.endsWith(':fence'),
    )
    expect(lockKeys).toHaveLength(1)
    await server.redis.del(lockKeys[0]!)
    const freshAnswer = await fresh.get('me', { ctx }).json<{ auth: string }>()
    expect(freshAnswer.auth).toBe('Bearer at-2')
    answerFirst.open()
    // The stale holder got at-1 from the provider but may not store it: it answers with at-2.
    expect((await staleCall).auth).toBe('Bearer at-2')
    expect(refreshes).toBe(2)
    const stored = (await tokens.get(user, 'api')) as OAuth2Token
    expect(stored.access_token).toBe('at-2')
    // One write, the new holder's: the stale one was stopped by its lease check before the store.
    expect(fencedWrites).toHaveLength(1)
  })
})

describe('RedisReplayGuard', () => {
  it('lets a key be used once across guards sharing Redis, until it expires', async () => {
    const other = server.redis.duplicate()
    try {
      const a = new RedisReplayGuard(server.redis)
      const b = new RedisReplayGuard(other)
      const k = randomUUID()
      expect(await a.use(k, Date.now() + 200)).toBe(true)
      expect(await b.use(k, Date.now() + 200)).toBe(false)
      expect(await a.use(k, Date.now() + 200)).toBe(false)
      const ttl = await server.redis.pttl(`oauthkit:replay:${k}`)
      expect(ttl).toBeGreaterThan(0)
      expect(ttl).toBeLessThanOrEqual(201)
      // A key whose transaction expires this very millisecond is still remembered for it.
      const edge = randomUUID()
      expect(await a.use(edge, Date.now())).toBe(true)
      expect(await server.redis.pttl(`oauthkit:replay:${edge}`)).toBeGreaterThanOrEqual(0)
    } finally {
      other.disconnect()
    }
  })

  it('refuses a missing client with config_invalid', () => {
    expect(() => new RedisReplayGuard({} as never)).toThrow(/no ioredis client given/)
  })
})
