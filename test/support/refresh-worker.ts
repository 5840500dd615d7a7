/**
 * One app process for the multi-process refresh test: keeps alice's token in a RedisTokenStore and
 * refreshes under redisLock, both shared with the other processes through Redis; waits for the start
 * signal, then makes CALLS concurrent API calls with her expired token. Prints its results as one
 * JSON line. For the test to count, it pushes its pid to `holders` each time it takes the lock and
 * bumps `updates` on each token the store keeps.
 */
import { Redis } from 'ioredis'
import { OAuth, type LockFunction, type TokenStore } from '../../src/index.js'
import { redisLock, RedisTokenStore } from '../../src/stores/redis.js'

const redis = new Redis({ host: '127.0.0.1', port: Number(process.env.REDIS_PORT) })
const blocking = redis.duplicate()
const base = process.env.PROVIDER_URL!

const leased = redisLock(redis, {
  leaseMs: Number(process.env.LEASE_MS ?? 10_000),
  waitMs: 60_000,
})
const lock: LockFunction = (key, fn) =>
  leased(key, async (lease) => {
    await redis.rpush('holders', String(process.pid))
    return fn(lease)
  })

const redisStore = new RedisTokenStore(redis)
const store: TokenStore = {
  get: (user, app) => redisStore.get(user, app),
  delete: (user, app) => redisStore.delete(user, app),
  deleteUser: (user) => redisStore.deleteUser(user),
  async set(user, app, token, options) {
    await redisStore.set(user, app, token, options)
    await redis.incr('updates')
  },
}

const oauth = new OAuth({
  secret: 'a-test-secret-that-is-at-least-32-characters',
  store,
  lock,
}).register('api', {
  clientId: 'c',
  clientSecret: 's',
  authorizeUrl: `${base}/authorize`,
  accessTokenUrl: `${base}/token`,
  apiBaseUrl: `${base}/api`,
  timeout: 60_000, // a process stopped by the test (SIGSTOP) must not time out its own request meanwhile
})

await redis.incr('ready')
await blocking.blpop('go', 30)
const app = oauth.create('api')
const results = await Promise.all(
  Array.from({ length: Number(process.env.CALLS ?? 10) }, () =>
    app.get('me', { ctx: { userId: 'alice' } }).json<{ token: string }>(),
  ),
)
console.log(JSON.stringify({ tokens: results.map((r) => r.token) }))
redis.disconnect()
blocking.disconnect()
