/**
 * Several processes, one truth: a refresh lock with a lease and fencing, and a login replay guard,
 * both in Redis through `ioredis` (an optional peer). Exported by `oauthkit/stores/redis`.
 *
 * @module
 */
import type { Redis } from 'ioredis'
import type { Fence } from '../app/config.js'
import type { LockFunction, LockLease } from '../app/services.js'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import type { ReplayGuard } from '../session/transaction.js'
import { requireClient } from './driver.js'

/** What the lock and the replay guard need of an `ioredis` client: Lua scripts only. @group Token stores */
export type RedisScripts = Pick<Redis, 'eval'>

/** Options of {@link redisLock}. @group Token stores */
export interface RedisLockOptions {
  /**
   * Milliseconds a holder's lease lasts (default 10,000). It is renewed every third of that while the
   * holder runs, so a crashed holder blocks the others for at most this long.
   */
  leaseMs?: number
  /** Most milliseconds a caller waits for the lock before `lock_timeout` (default three leases). */
  waitMs?: number
  /** Key of the fencing counter, one for every lock of the app (default `oauthkit:lock:fence`). */
  counterKey?: string
}

// Take the lock if free; then hand out the next fencing token and record it as this lock's latest.
const ACQUIRE = `if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local fence = redis.call('incr', KEYS[3])
  redis.call('set', KEYS[2], fence, 'PX', ARGV[2])
  return fence
end
return 0`

// Extend the lease (and the fence with it), only while we still own the lock.
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('pexpire', KEYS[1], ARGV[2])
  redis.call('pexpire', KEYS[2], ARGV[2])
  return 1
end
return 0`

// Release only our own lock (compare-and-delete): a lock that expired and was taken is left alone.
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1], KEYS[2])
end
return 0`

const REPLAY = `if redis.call('set', KEYS[1], '1', 'NX', 'PX', ARGV[1]) then return 1 end
return 0`

function needsClient(what: string, client: unknown): void {
  requireClient(what, 'ioredis', 'new Redis(url)', client, ['eval'])
}

function positive(what: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 1)
    throw new OAuthKitError(
      ErrorCode.CONFIG_INVALID,
      `redisLock: ${what} must be a positive integer`,
    )
  return value
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A {@link LockFunction} in Redis for the registry's `lock`: one process at a time refreshes a
 * token, the others wait and then read the token it stored.
 *
 * - Taken with `SET NX PX` under a random owner id; released by compare-and-delete, so only the owner
 *   releases it. The lease is renewed while the holder runs; a crashed holder's lease runs out.
 * - Waiters poll with a growing, jittered delay, for at most `waitMs` (`lock_timeout`).
 * - Fencing: each acquisition gets a fencing token from one `INCR` counter, larger than every earlier
 *   one, recorded at `<key>:fence` for as long as the lease lives. The refresh checks its lease
 *   before it writes, and hands the {@link Fence} to `updateToken` and the store: `RedisTokenStore`
 *   writes only if `<key>:fence` still holds that token, in one script, so a holder whose lease ran
 *   out (it stalled, another took over) cannot write its token over the newer one (`lock_lost`).
 *   Other stores get the lease check, not the atomic one.
 *
 * Every key of one lock must live on one Redis (not spread over a cluster's slots).
 *
 * @example
 * ```ts
 * import { Redis } from 'ioredis'
 * import { RedisReplayGuard, RedisTokenStore, redisLock } from 'oauthkit/stores/redis'
 * const redis = new Redis(process.env.REDIS_URL!)
 * const oauth = new OAuth({
 *   secret, store: new RedisTokenStore(redis), lock: redisLock(redis), replayGuard: new RedisReplayGuard(redis),
 * })
 * ```
 * @group Token stores
 */
export function redisLock(client: RedisScripts, options: RedisLockOptions = {}): LockFunction {
  needsClient('redisLock', client)
  const leaseMs = positive('leaseMs', options.leaseMs, 10_000)
  const waitMs = positive('waitMs', options.waitMs, 3 * leaseMs)
  const counterKey = options.counterKey ?? 'oauthkit:lock:fence'

  return async (key, fn) => {
    const owner = crypto.randomUUID()
    const fenceKey = `${key}:fence`
    const keys = [key, fenceKey] as const
    const deadline = Date.now() + waitMs
    let token = 0
    for (let attempt = 0; ; attempt++) {
      token = Number(await client.eval(ACQUIRE, 3, ...keys, counterKey, owner, leaseMs))
      if (token > 0) break
      if (Date.now() >= deadline)
        throw new OAuthKitError(
          ErrorCode.LOCK_TIMEOUT,
          `the refresh lock stayed taken for ${waitMs} ms (waitMs); another process is still refreshing`,
        )
      const backoff = Math.min(10 * 1.5 ** attempt, 250, leaseMs / 4)
      await sleep(Math.max(1, Math.min(backoff * (0.5 + Math.random()), deadline - Date.now())))
    }

    let lost = false
    const renew = async (): Promise<boolean> => {
      if (lost) return false
      if (Number(await client.eval(RENEW, 2, ...keys, owner, leaseMs)) !== 1) lost = true
      return !lost
    }
    const timer = setInterval(() => void renew().catch(() => {}), Math.max(1, leaseMs / 3))
    ;(timer as { unref?: () => void }).unref?.()
    const fence: Fence = { key: fenceKey, token }
    const lease: LockLease = { fence, held: renew }
    try {
      return await fn(lease)
    } finally {
      clearInterval(timer)
      await client.eval(RELEASE, 2, ...keys, owner).catch(() => {})
    }
  }
}

/** Options of {@link RedisReplayGuard}. @group Token stores */
export interface RedisReplayGuardOptions {
  /** Prefix of the keys of used transactions (default `oauthkit:replay:`). */
  prefix?: string
}

/**
 * A {@link ReplayGuard} every process shares, for the registry's `replayGuard`: a used login
 * transaction is a key set with `SET NX PX` for the transaction's remaining life, so a callback
 * replayed to any process is refused until the transaction would have expired anyway.
 * @group Token stores
 */
export class RedisReplayGuard implements ReplayGuard {
  readonly #redis: RedisScripts
  readonly #prefix: string

  /** @param redis - an `ioredis` client. */
  constructor(redis: RedisScripts, options: RedisReplayGuardOptions = {}) {
    needsClient('RedisReplayGuard', redis)
    this.#redis = redis
    this.#prefix = options.prefix ?? 'oauthkit:replay:'
  }

  async use(key: string, expiresAt: number): Promise<boolean> {
    // +1: the transaction is valid through expiresAt itself, so the key must outlive that millisecond.
    const ttl = Math.max(1, Math.ceil(expiresAt - Date.now()) + 1)
    return Number(await this.#redis.eval(REPLAY, 1, this.#prefix + key, ttl)) === 1
  }
}
