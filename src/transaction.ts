/**
 * The short-lived state of a login between the redirect and the callback, sealed (encrypted and
 * authenticated) with iron-session's `sealData` and kept in one cookie per in-flight login, so logins
 * started in several tabs all succeed.
 *
 * @module
 */
import { sealData, unsealData } from 'iron-session'
import type { CookieOptions, CookieStore } from './cookies.js'
import { ErrorCode, OAuthKitError } from './errors.js'

/** What a login needs to remember until its callback. @group Transactions */
export interface Transaction {
  /** Name of the registered app that started the login (mix-up defence). */
  app: string
  /** The key the callback is matched by: OAuth 2 `state`, OAuth 1 temporary `oauth_token`. */
  key: string
  /** The exact redirect_uri sent in the authorization request. */
  redirectUri: string
  /** PKCE code verifier (absent when the app disabled PKCE). */
  codeVerifier?: string
  /** OpenID Connect nonce. */
  nonce?: string
  /** The login asked for `openid`: an ID token is required. */
  oidc?: boolean
  /** The issuer expected in the callback (RFC 9207) and in the ID token. */
  issuer?: string
  /** `max_age` sent, so `auth_time` can be checked. */
  maxAge?: number
  /** Same-origin relative path to return to after the login. */
  returnTo?: string
  /** OAuth 1.0a temporary credentials secret. */
  tokenSecret?: string
  /** Milliseconds since the epoch. */
  createdAt: number
}

/** Options of a {@link TransactionStore}. @group Transactions */
export interface TransactionStoreOptions {
  /** iron password: at least 32 characters, or a map of id → password for rotation (newest id wins). */
  secret: string | Record<string, string>
  /** Seconds a transaction is valid (default 600). */
  ttl?: number
  /** Most logins in flight per browser; the oldest is dropped beyond it (default 5). */
  maxInFlight?: number
  /** Cookie name prefix (default `oauthkit.tx.`). */
  cookiePrefix?: string
}

/** Where and how the transaction cookie is written. @internal */
export interface TransactionCookieOptions {
  secure: boolean
  sameSite: 'lax' | 'none'
  path?: string
}

/** Browsers refuse cookies over 4,096 bytes (RFC 6265 §6.1); stay under with the attributes. */
const MAX_COOKIE_BYTES = 4096

/** Consumed keys remembered per process, so a replayed callback is refused even with the cookie. */
class ReplayGuard {
  readonly #seen = new Map<string, number>()
  constructor(readonly limit: number) {}

  /** Record `key` as used until `expiresAt`; false when it was already used. */
  use(key: string, expiresAt: number, now: number): boolean {
    const until = this.#seen.get(key)
    if (until !== undefined && until > now) return false
    this.#seen.delete(key)
    this.#seen.set(key, expiresAt)
    // Maps iterate in insertion order: drop expired, then oldest, to stay bounded.
    for (const [k, exp] of this.#seen) {
      if (this.#seen.size <= this.limit && exp > now) break
      this.#seen.delete(k)
    }
    return true
  }
}

/**
 * Seals transactions into cookies and takes them back exactly once.
 * @group Transactions
 */
export class TransactionStore {
  readonly ttl: number
  readonly #password: string | Record<string, string>
  readonly #maxInFlight: number
  readonly #prefix: string
  readonly #replay = new ReplayGuard(10_000)

  constructor(options: TransactionStoreOptions) {
    const passwords = typeof options.secret === 'string' ? [options.secret] : Object.values(options.secret)
    if (passwords.length === 0 || passwords.some((p) => typeof p !== 'string' || p.length < 32)) {
      throw new OAuthKitError(ErrorCode.CONFIG_INVALID, 'OAuth: secret must be at least 32 characters (or a map of such strings)')
    }
    this.#password = options.secret
    this.ttl = options.ttl ?? 600
    this.#maxInFlight = options.maxInFlight ?? 5
    this.#prefix = options.cookiePrefix ?? 'oauthkit.tx.'
  }

  /**
   * The cookie name for a transaction key: oauthkit's own `state` (43 base64url characters, public in
   * the redirect anyway) names its cookie as is; any other key (an OAuth 1 temporary token) is hashed.
   */
  async cookieName(key: string): Promise<string> {
    if (/^[A-Za-z0-9_-]{43}$/.test(key)) return this.#prefix + key
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)))
    return this.#prefix + base64url(digest.subarray(0, 16))
  }

  /** Seal `tx` into its own cookie, pruning expired transactions and bounding how many are in flight. */
  async save(cookies: CookieStore, tx: Transaction, cookie: TransactionCookieOptions, ttl = this.ttl): Promise<void> {
    const name = await this.cookieName(tx.key)
    // iron's own expiry is a backstop a minute after ours, so an expired login reports "expired".
    const sealed = await sealData(tx, { password: this.#password, ttl: ttl + 60 })
    const value = `${tx.createdAt.toString(36)}.${sealed}`
    const options = this.#cookieOptions(cookie, ttl)
    if (name.length + encodeURIComponent(value).length + 120 > MAX_COOKIE_BYTES) {
      throw new OAuthKitError(ErrorCode.INVALID_REQUEST, `${tx.app}: the login transaction is too large for a cookie (check returnTo's length)`, { app: tx.app })
    }
    this.#prune(cookies, cookie, tx.createdAt, ttl)
    cookies.set(name, value, options)
  }

  /**
   * Take the transaction for `key` out of the cookies: it is deleted whatever happens next, and a key
   * can be taken once per process even if the cookie is replayed.
   */
  async take(cookies: CookieStore, key: string, app: string, cookie: TransactionCookieOptions, ttl = this.ttl): Promise<Transaction> {
    const name = await this.cookieName(key)
    const raw = cookies.get(name)
    if (raw === undefined) {
      throw new OAuthKitError(
        ErrorCode.TRANSACTION_NOT_FOUND,
        `${app}: no login transaction matches this callback (it was already used, started in another browser, or its cookie was not sent back)`,
        { app },
      )
    }
    cookies.delete(name, this.#cookieOptions(cookie, 0))
    const dot = raw.indexOf('.')
    let tx: Partial<Transaction>
    try {
      tx = await unsealData<Partial<Transaction>>(raw.slice(dot + 1), { password: this.#password, ttl: ttl + 60 })
    } catch {
      tx = {}
    }
    if (dot < 1 || typeof tx.key !== 'string' || typeof tx.app !== 'string' || typeof tx.createdAt !== 'number' || typeof tx.redirectUri !== 'string') {
      throw new OAuthKitError(ErrorCode.TRANSACTION_INVALID, `${app}: the login transaction cookie is invalid (tampered, truncated, expired long ago, or sealed with another secret)`, { app })
    }
    if (tx.key !== key) {
      throw new OAuthKitError(ErrorCode.TRANSACTION_INVALID, `${app}: the login transaction does not belong to this callback`, { app })
    }
    const now = Date.now()
    const expiresAt = tx.createdAt + ttl * 1000
    if (now > expiresAt) {
      throw new OAuthKitError(ErrorCode.TRANSACTION_EXPIRED, `${app}: the login took longer than ${ttl} seconds; start again`, { app })
    }
    if (!this.#replay.use(name, expiresAt, now)) {
      throw new OAuthKitError(ErrorCode.TRANSACTION_NOT_FOUND, `${app}: this login transaction was already used`, { app })
    }
    if (tx.app !== app) {
      throw new OAuthKitError(ErrorCode.APP_MISMATCH, `${app}: this callback belongs to a login started with app "${tx.app}" (possible mix-up attack)`, { app })
    }
    return tx as Transaction
  }

  #cookieOptions(cookie: TransactionCookieOptions, ttl: number): CookieOptions {
    return { path: cookie.path ?? '/', httpOnly: true, secure: cookie.secure, sameSite: cookie.sameSite, maxAge: ttl }
  }

  /** Drop expired transaction cookies and the oldest beyond the in-flight bound. */
  #prune(cookies: CookieStore, cookie: TransactionCookieOptions, now: number, ttl: number): void {
    if (!cookies.getAll) return
    const live: Array<{ name: string; createdAt: number }> = []
    for (const { name, value } of cookies.getAll()) {
      if (!name.startsWith(this.#prefix)) continue
      const createdAt = parseInt(value.slice(0, value.indexOf('.')), 36)
      if (!Number.isFinite(createdAt) || now - createdAt > ttl * 1000) cookies.delete(name, this.#cookieOptions(cookie, 0))
      else live.push({ name, createdAt })
    }
    live.sort((a, b) => a.createdAt - b.createdAt)
    while (live.length >= this.#maxInFlight) cookies.delete(live.shift()!.name, this.#cookieOptions(cookie, 0))
  }
}

/** base64url without padding (RFC 4648 §5). @internal */
export function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}

/** A random secret for a registry created without one (valid for this process only). @internal */
export function randomSecret(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)))
}
