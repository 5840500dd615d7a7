import { Redis } from 'ioredis'
import { OAuth } from 'oauthkit'
import { RedisReplayGuard, RedisTokenStore, redisLock } from 'oauthkit/stores/redis'

// Every process of the app shares one Redis: the tokens, the refresh lock and the used logins.
const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')
export const oauth = new OAuth({
  store: new RedisTokenStore(redis),
  lock: redisLock(redis, { leaseMs: 10_000 }),
  replayGuard: new RedisReplayGuard(redis),
  secret: process.env.OAUTH_SECRET,
})
