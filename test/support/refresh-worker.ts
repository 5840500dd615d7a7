/**
 * One app process for the multi-process refresh test: shares its token store and a lock with the
 * other processes through Redis, waits for the start signal, then makes concurrent API calls with
 * an expired token. Prints its results as one JSON line.
 */
import { randomUUID } from 'node:crypto'
import { Redis } from 'ioredis'
import { OAuth, type LockFunction, type OAuth2Token } from '../../src/index.js'

const redis = new Redis({
  host: '127.0.0.1',
  port: Number(process.env.REDIS_PORT),
  lazyConnect: false,
})
const blocking = redis.duplicate()
const base = process.env.PROVIDER_URL!

/** A Redis lock: SET NX PX to take it, compare-and-delete to release only our own. */
const lock: LockFunction = async (key, fn) => {
  const id = randomUUID()
  const deadline = Date.now() + 10_000
  while ((await redis.set(key, id, 'PX', 10_000, 'NX')) !== 'OK') {
    if (Date.now() > deadline) throw new Error('lock timeout')
    await new Promise((r) => setTimeout(r, 10))
  }
  try {
    return await fn()
  } finally {
    await redis.eval(
      "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end",
      1,
      key,
      id,
    )
  }
}

const oauth = new OAuth({
  secret: 'a-test-secret-that-is-at-least-32-characters',
  lock,
  fetchToken: async () =>
    JSON.parse((await redis.get('token:alice')) ?? 'null') as OAuth2Token | null,
  updateToken: async (_name, token) => {
    await redis.set('token:alice', JSON.stringify(token))
    await redis.incr('updates')
  },
}).register('api', {
  clientId: 'c',
  clientSecret: 's',
  authorizeUrl: `${base}/authorize`,
  accessTokenUrl: `${base}/token`,
  apiBaseUrl: `${base}/api`,
})

await redis.incr('ready')
await blocking.blpop('go', 10)
const app = oauth.create('api')
const results = await Promise.all(
  Array.from({ length: Number(process.env.CALLS ?? 10) }, () =>
    app.get('me').json<{ token: string }>(),
  ),
)
console.log(JSON.stringify({ tokens: results.map((r) => r.token) }))
redis.disconnect()
blocking.disconnect()
