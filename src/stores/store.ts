/**
 * The `TokenStore` contract: where a registry created with `new OAuth({ store, secret })` keeps each
 * user's tokens, sealed.
 *
 * @module
 */
import type { Fence } from '../app/config.js'

/**
 * A token sealed (encrypted and authenticated) with the registry's secret: an opaque string, all a
 * {@link TokenStore} ever holds. Read it back through {@link OAuth.tokens}.
 *
 * @group Token stores
 */
export type SealedToken = string & { readonly __sealedToken?: never }

/**
 * Keeps the tokens of the app's users, keyed by the app's own user id and the registered app name.
 * It only ever sees {@link SealedToken}s: the registry seals a token (an {@link AppToken}) with its
 * `secret` before `set` and unseals what `get` returns, so a database dump holds no usable token.
 *
 * Ready-made: {@link MemoryTokenStore}, and `SqliteTokenStore` (`oauthkit/stores/sqlite`),
 * `PostgresTokenStore` (`oauthkit/stores/postgres`), `RedisTokenStore` (`oauthkit/stores/redis`).
 * Any object with these four methods works.
 *
 * @example
 * ```ts
 * const oauth = new OAuth({ store: new MemoryTokenStore(), secret: process.env.OAUTH_SECRET })
 * await oauth.create('github').get('user', { ctx: { userId: 42 } })
 * ```
 * @group Token stores
 */
export interface TokenStore {
  /** The sealed token of `userId` for `app`, or `undefined` when there is none. */
  get(userId: string, app: string): Promise<SealedToken | undefined>
  /**
   * Keep `token` for `userId` and `app`, replacing the one there. With `options.fence` (a refresh
   * made under a fencing lock), a store that can check it refuses the write once a later holder has
   * taken the lock (`lock_lost`); one that cannot ignores it (the refresh checked its lease just before).
   */
  set(userId: string, app: string, token: SealedToken, options?: TokenWriteOptions): Promise<void>
  /** Forget the token of `userId` for `app` (nothing happens when there is none). */
  delete(userId: string, app: string): Promise<void>
  /** Forget every token of `userId` (sign-out, account deletion). */
  deleteUser(userId: string): Promise<void>
}

/** What {@link TokenStore.set} is told about a write. @group Token stores */
export interface TokenWriteOptions {
  /** The fencing token of the refresh lock the write was made under. */
  fence?: Fence
}
