/**
 * `oauthkit/stores/redis`: a {@link TokenStore} in Redis through `ioredis` (an optional peer
 * dependency: install it to use this module). One hash per user, one field per app.
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
import type { SealedToken, TokenStore } from './store.js'

/** Options of {@link RedisTokenStore}. @group Token stores */
export interface RedisTokenStoreOptions {
  /** Prefix of the per-user hash keys (default `oauthkit:tokens:`). */
  prefix?: string
}

/** What the store needs of an `ioredis` client. @group Token stores */
export type RedisHashes = Pick<Redis, 'hget' | 'hset' | 'hdel' | 'del'>

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
    this.#redis = redis
    this.#prefix = options.prefix ?? 'oauthkit:tokens:'
  }

  async get(userId: string, app: string): Promise<SealedToken | undefined> {
    return (await this.#redis.hget(this.#prefix + userId, app)) ?? undefined
  }

  async set(userId: string, app: string, token: SealedToken): Promise<void> {
    await this.#redis.hset(this.#prefix + userId, app, token)
  }

  async delete(userId: string, app: string): Promise<void> {
    await this.#redis.hdel(this.#prefix + userId, app)
  }

  async deleteUser(userId: string): Promise<void> {
    await this.#redis.del(this.#prefix + userId)
  }
}
