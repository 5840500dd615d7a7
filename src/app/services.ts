/**
 * What the registry shares with every app it makes: `fetch`, the login transactions, the token
 * callbacks and the refresh lock.
 *
 * @module
 */
import type { ReplayGuard, TransactionStore } from '../session/transaction.js'
import type { AppToken } from '../types.js'
import type { Fence, FetchToken, UpdateToken } from './config.js'

/**
 * Runs `fn` while holding a lock named `key`, across every process that shares the token store
 * (Redis, a database advisory lock, …). In-process calls are already single-flight without it. A
 * lock with a lease and fencing (`redisLock` from `oauthkit/stores/redis`) passes `fn` a
 * {@link LockLease}; a plain lock may call `fn()` with nothing.
 *
 * @group Tokens
 */
export type LockFunction = <T>(key: string, fn: (lease?: LockLease) => Promise<T>) => Promise<T>

/**
 * What a leased lock tells the code it runs: its fencing token, and whether the lease still holds.
 * A refresh checks `held()` before writing its token and hands `fence` to `updateToken` (and the
 * store), so a holder whose lease ran out cannot overwrite a newer holder's token.
 *
 * @group Tokens
 */
export interface LockLease {
  readonly fence: Fence
  /** True while this holder still owns the lock (its lease neither expired nor taken over). */
  held(): Promise<boolean>
}

/** What an app gets from the registry it belongs to. */
export interface AppServices {
  fetch: typeof fetch
  transactions: TransactionStore
  fetchToken?: FetchToken<AppToken>
  updateToken?: UpdateToken<AppToken>
  lock?: LockFunction
  /** The registry's `replayGuard`, when one is configured (one-time values beside transactions). */
  replayGuard?: ReplayGuard
}
