/**
 * Tokens sealed at rest: what the registry puts into a {@link TokenStore} is encrypted and
 * authenticated with its secret (iron, as the login transactions), bound to the user and the app,
 * and a value that does not unseal is `token_store_invalid`, never garbage.
 *
 * @module
 */
import { sealData, unsealData } from 'iron-session'
import type { FetchToken, UpdateToken } from '../app/config.js'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import type { AppToken, TokenContext } from '../types.js'
import type { TokenStore, TokenWriteOptions } from './store.js'

/** What is sealed: the token, with the user and app it belongs to (a row copied to another user is refused). */
interface Sealed {
  u: string
  a: string
  t: AppToken
}

/** The user id a token context carries (`ctx.userId`, a string or a number), as the store's key. @internal */
export function userIdOf(ctx: TokenContext | undefined): string | undefined {
  const id = ctx?.userId
  if (typeof id === 'string' && id !== '') return id
  if (typeof id === 'number' && Number.isFinite(id)) return String(id)
  return undefined
}

/** A user id given to {@link SealedTokenStore}'s methods, checked. */
function key(userId: string | number): string {
  const id = userIdOf({ userId })
  if (id === undefined)
    throw new OAuthKitError(
      ErrorCode.INVALID_REQUEST,
      'token store: userId must be a non-empty string or a finite number',
    )
  return id
}

/**
 * A {@link TokenStore} read and written in plain tokens: each token is sealed with the registry's
 * `secret` on the way in and unsealed on the way out. {@link OAuth.tokens} is one, for the app's own
 * reads and for sign-out (`deleteUser`).
 * @group Token stores
 */
export class SealedTokenStore {
  readonly #store: TokenStore
  readonly #password: string | Record<string, string>

  /**
   * @param store - where the sealed tokens are kept.
   * @param secret - at least 32 characters, or `{ id: password }` to rotate (the highest id seals, every
   *   id unseals).
   */
  constructor(store: TokenStore, secret: string | Record<string, string>) {
    const passwords = typeof secret === 'string' ? [secret] : Object.values(secret ?? {})
    if (passwords.length === 0 || passwords.some((p) => typeof p !== 'string' || p.length < 32))
      throw new OAuthKitError(
        ErrorCode.CONFIG_INVALID,
        'token store: secret must be at least 32 characters (or a map of such strings)',
      )
    this.#store = store
    this.#password = secret
  }

  /** The token of `userId` for `app`, or `undefined`; `token_store_invalid` when it does not unseal. */
  async get(userId: string | number, app: string): Promise<AppToken | undefined> {
    const id = key(userId)
    const sealed = await this.#store.get(id, app)
    if (sealed === undefined || sealed === null) return undefined
    let value: Partial<Sealed> = {}
    try {
      if (typeof sealed === 'string') value = await unsealData<Sealed>(sealed, this.#unseal)
    } catch {
      value = {}
    }
    if (value.u !== id || value.a !== app || typeof value.t !== 'object' || value.t === null) {
      throw new OAuthKitError(
        ErrorCode.TOKEN_STORE_INVALID,
        `${app}: the stored token does not unseal (sealed with a secret this registry does not have, tampered with, or stored for another user or app)`,
        { app },
      )
    }
    return value.t
  }

  /** Seal `token` and keep it for `userId` and `app` (under `options.fence`, see {@link TokenStore.set}). */
  async set(
    userId: string | number,
    app: string,
    token: AppToken,
    options?: TokenWriteOptions,
  ): Promise<void> {
    const id = key(userId)
    const sealed = await sealData({ u: id, a: app, t: token } satisfies Sealed, {
      password: this.#password,
      ttl: 0, // no expiry: a stored refresh token lives as long as the provider lets it
    })
    await (options ? this.#store.set(id, app, sealed, options) : this.#store.set(id, app, sealed))
  }

  /** Forget the token of `userId` for `app`. */
  async delete(userId: string | number, app: string): Promise<void> {
    await this.#store.delete(key(userId), app)
  }

  /** Forget every token of `userId`. */
  async deleteUser(userId: string | number): Promise<void> {
    await this.#store.deleteUser(key(userId))
  }

  get #unseal() {
    return { password: this.#password, ttl: 0 }
  }
}

/**
 * `fetchToken` and `updateToken` over a sealed store, keyed by `ctx.userId`. A token to persist with no
 * `ctx.userId` is refused (`config_invalid`), never dropped; a client-credentials token, the app's
 * own and fetched again when needed, is not stored.
 * @internal
 */
export function storeCallbacks(tokens: SealedTokenStore): {
  fetchToken: FetchToken<AppToken>
  updateToken: UpdateToken<AppToken>
} {
  return {
    fetchToken: async (name, ctx) => {
      const id = userIdOf(ctx)
      return id === undefined ? undefined : tokens.get(id, name)
    },
    updateToken: async (name, token, info) => {
      const id = userIdOf(info.ctx)
      if (id !== undefined)
        return tokens.set(id, name, token, info.fence ? { fence: info.fence } : undefined)
      if (info.reason === 'client_credentials') return
      throw new OAuthKitError(
        ErrorCode.CONFIG_INVALID,
        `${name}: the token store cannot keep this ${info.reason} token: the token context has no userId. ` +
          "Put the signed-in user's id (a string or number) into the context as ctx.userId: the integrations' `context` option, or `ctx` of the call",
        { app: name },
      )
    },
  }
}
