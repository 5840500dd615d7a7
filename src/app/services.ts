/**
 * What the registry shares with every app it makes: `fetch`, the login transactions, the token
 * callbacks and the refresh lock.
 *
 * @module
 */
import type { TransactionStore } from '../session/transaction.js'
import type { AppToken } from '../types.js'
import type { FetchToken, UpdateToken } from './config.js'

/**
 * Runs `fn` while holding a lock named `key`, across every process that shares the token store
 * (Redis, a database advisory lock, …). In-process calls are already single-flight without it.
 *
 * @group Tokens
 */
export type LockFunction = <T>(key: string, fn: () => Promise<T>) => Promise<T>

/** What an app gets from the registry it belongs to. */
export interface AppServices {
  fetch: typeof fetch
  transactions: TransactionStore
  fetchToken?: FetchToken<AppToken>
  updateToken?: UpdateToken<AppToken>
  lock?: LockFunction
}
