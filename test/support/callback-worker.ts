/**
 * One app process for the cross-process replay test: handles one login callback (the URL and Cookie
 * header it is given) with a replay guard in Redis (GUARD=redis) or the per-process default
 * (GUARD=memory). Prints one JSON line: the access token, or the error code.
 */
import { Redis } from 'ioredis'
import { isOAuthKitError, MemoryCookieJar, OAuth } from '../../src/index.js'
import { RedisReplayGuard } from '../../src/stores/redis.js'

const redis = new Redis({ host: '127.0.0.1', port: Number(process.env.REDIS_PORT) })
const base = process.env.PROVIDER_URL!

const oauth = new OAuth({
  secret: 'a-test-secret-that-is-at-least-32-characters',
  ...(process.env.GUARD === 'redis' ? { replayGuard: new RedisReplayGuard(redis) } : {}),
}).register('idp', {
  clientId: 'c',
  clientSecret: 's',
  authorizeUrl: `${base}/authorize`,
  accessTokenUrl: `${base}/token`,
})

const request = new Request(process.env.CALLBACK_URL!, {
  headers: { cookie: process.env.COOKIE! },
})
try {
  const token = await oauth
    .create('idp')
    .authorizeAccessToken({ cookies: MemoryCookieJar.fromRequest(request), request })
  console.log(JSON.stringify({ token: token.access_token }))
} catch (error) {
  console.log(JSON.stringify({ code: isOAuthKitError(error) ? error.code : String(error) }))
}
redis.disconnect()
