/**
 * `oauthkit/stores/redis`: a {@link TokenStore} in Redis through `ioredis` (an optional peer
 * dependency: install it to use this module). One hash per user, one field per app. With it, for
 * several processes: {@link redisLock} (single-flight refresh with a lease and fencing) and
 * {@link RedisReplayGuard} (a login callback is used once across processes).
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * import { RedisTokenStore } from 'oauthkit/stores/redis'
 * const oauth = new OAuth({ store: new RedisTokenStore(new Redis(process.env.REDIS_URL!)), secret })
 * ```
 * @module
 */
import type { Redis } from 'ioredis'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import { requireClient } from './driver.js'
import type { SealedToken, TokenStore, TokenWriteOptions } from './store.js'

export {
  redisLock,
  RedisReplayGuard,
  type RedisLockOptions,
  type RedisReplayGuardOptions,
  type RedisScripts,
} from './redis-lock.js'

// Write the token only while the lock's latest fencing token is still the writer's (see redisLock).
const FENCED_SET = `if redis.call('get', KEYS[2]) == ARGV[3] then
  redis.call('hset', KEYS[1], ARGV[1], ARGV[2])
  return 1
end
return 0`

/** Options of {@link RedisTokenStore}. @group Token stores */
export interface RedisTokenStoreOptions {
  /** Prefix of the per-user hash keys (default `oauthkit:tokens:`). */
  prefix?: string
}

/** What the store needs of an `ioredis` client. @group Token stores */
export type RedisHashes = Pick<Redis, 'hget' | 'hset' | 'hdel' | 'del' | 'eval'>

/**
 * Keeps sealed tokens in one Redis hash per user (`<prefix><userId>`), a field per app, so
 * `deleteUser` is one `DEL`.
 * @group Token stores
 */
export class RedisTokenStore implements TokenStore {
  readonly #redis: RedisHashes
  readonly #prefix: string

  /** @param redis - an `ioredis` client (or cluster). */
  constructor(redis: RedisHashes, options: RedisTokenStoreOptions = {}) {
    requireClient('RedisTokenStore', 'ioredis', 'new Redis(url)', redis, [
      'hget',
      'hset',
      'hdel',
      'del',
    ])
    this.#redis = redis
    this.#prefix = options.prefix ?? 'oauthkit:tokens:'
  }

  async get(userId: string, app: string): Promise<SealedToken | undefined> {
    return (await this.#redis.hget(this.#prefix + userId, app)) ?? undefined
  }

  /**
   * With `options.fence` (a refresh under {@link redisLock}), the write happens only if the lock's
   * latest fencing token is still this one, checked and written in one script; else `lock_lost`.
   */
  async set(
    userId: string,
    app: string,
    token: SealedToken,
    options?: TokenWriteOptions,
  ): Promise<void> {
    const fence = options?.fence
    if (!fence) {
      await this.#redis.hset(this.#prefix + userId, app, token)
      return
    }
    const key = this.#prefix + userId
    const args = [app, token, String(fence.token)]
    if (Number(await this.#redis.eval(FENCED_SET, 2, key, fence.key, ...args)) !== 1)
      throw new OAuthKitError(
        ErrorCode.LOCK_LOST,
        `${app}: the token was not stored: the refresh lock was taken over by another holder (its fencing token is newer)`,
        { app },
      )
  }

  async delete(userId: string, app: string): Promise<void> {
    await this.#redis.hdel(this.#prefix + userId, app)
  }

  async deleteUser(userId: string): Promise<void> {
    await this.#redis.del(this.#prefix + userId)
  }
}
