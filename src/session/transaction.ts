/**
 * The short-lived state of a login between the redirect and the callback, sealed (encrypted and
 * authenticated: AES-256-GCM, see `seal.ts`) and kept in one cookie per in-flight login, so logins
 * started in several tabs all succeed.
 *
 * @module
 */
import type { CookieOptions, CookieStore } from './cookies.js'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import type { OAuthContext } from '../types.js'
import { seal, unseal } from './seal.js'
import { fallbackSecret } from './secret.js'

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
  /** SHA-256 (base64url) of the app's `ctx.binding` when the login started; the callback must match it. */
  binding?: string
  /** Milliseconds since the epoch. */
  createdAt: number
}

/** Options of a {@link TransactionStore}. @group Transactions */
export interface TransactionStoreOptions {
  /**
   * Sealing password: at least 32 characters, or a map of id → password for rotation (newest id wins).
   * Without it, a random one is made on first use (refused when `NODE_ENV=production`).
   */
  secret?: string | Record<string, string>
  /** Seconds a transaction is valid (default 600). */
  ttl?: number
  /** Most logins in flight per browser; the oldest is dropped beyond it (default 5). */
  maxInFlight?: number
  /**
   * Cookie name prefix (default `__Host-oauthkit.tx.`). On an http loopback redirect URI a leading
   * `__Host-` or `__Secure-` is dropped, as browsers accept those names only from secure origins.
   */
  cookiePrefix?: string
  /** Where used transactions are remembered (default: a {@link MemoryReplayGuard} of this process). */
  replayGuard?: ReplayGuard
}

/** Where and how the transaction cookie is written. */
export interface TransactionCookieOptions {
  secure: boolean
  sameSite: 'lax' | 'none'
  /** The redirect URI is http on a loopback host (development): no `__Host-`/`__Secure-` name there. */
  insecureLoopback?: boolean
}

/** Browsers refuse cookies over 4,096 bytes (RFC 6265 §6.1); stay under with the attributes. */
const MAX_COOKIE_BYTES = 4096

/**
 * Most bytes all transaction cookies together may add to the browser's `Cookie` header, the oldest
 * dropped first: Node refuses request headers over 16 KiB (431), so logins must never fill them.
 */
export const MAX_TRANSACTION_BYTES = 6 * 1024

/** The default name prefix: `__Host-` makes browsers refuse it with `Domain` or from sibling hosts (RFC 6265bis §4.1.3.2). */
const DEFAULT_PREFIX = '__Host-oauthkit.tx.'

/**
 * Remembers which login transactions were used, so a callback replayed with its cookie is refused.
 * The default, {@link MemoryReplayGuard}, remembers per process; with several processes, share one
 * (`RedisReplayGuard` from `oauthkit/stores/redis`) through the registry's `replayGuard`.
 *
 * @group Transactions
 */
export interface ReplayGuard {
  /**
   * Record `key` as used until `expiresAt` (milliseconds since the epoch, inclusive, like the
   * transaction's lifetime); resolves true on its first use, false when it was already used.
   */
  use(key: string, expiresAt: number): Promise<boolean>
}

/**
 * The default {@link ReplayGuard}: used keys remembered in this process only, bounded (expired keys
 * dropped first, then the oldest).
 * @group Transactions
 */
export class MemoryReplayGuard implements ReplayGuard {
  readonly #seen = new Map<string, number>()
  readonly #limit: number

  /** @param limit - most keys remembered (default 10,000). */
  constructor(limit = 10_000) {
    this.#limit = limit
  }

  async use(key: string, expiresAt: number): Promise<boolean> {
    const now = Date.now()
    const until = this.#seen.get(key)
    if (until !== undefined && until >= now) return false
    this.#seen.delete(key)
    this.#seen.set(key, expiresAt)
    // Maps iterate in insertion order: drop expired, then oldest, to stay bounded.
    for (const [k, exp] of this.#seen) {
      if (this.#seen.size <= this.#limit && exp >= now) break
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
  #password?: string | Record<string, string>
  readonly #maxInFlight: number
  readonly #prefix: string
  /** The prefix without `__Host-`/`__Secure-`, used on http loopback. */
  readonly #plainPrefix: string
  readonly #replay: ReplayGuard

  constructor(options: TransactionStoreOptions) {
    const passwords =
      options.secret === undefined
        ? []
        : typeof options.secret === 'string'
          ? [options.secret]
          : Object.values(options.secret)
    if (
      (options.secret !== undefined && passwords.length === 0) ||
      passwords.some((p) => typeof p !== 'string' || p.length < 32)
    ) {
      throw new OAuthKitError(
        ErrorCode.CONFIG_INVALID,
        'OAuth: secret must be at least 32 characters (or a map of such strings)',
      )
    }
    if (options.replayGuard !== undefined && typeof options.replayGuard?.use !== 'function') {
      throw new OAuthKitError(
        ErrorCode.CONFIG_INVALID,
        'OAuth: replayGuard must have a use(key, expiresAt) method (a ReplayGuard such as new RedisReplayGuard(redis))',
      )
    }
    this.#replay = options.replayGuard ?? new MemoryReplayGuard()
    this.#password = options.secret
    this.ttl = options.ttl ?? 600
    this.#maxInFlight = options.maxInFlight ?? 5
    const prefix = options.cookiePrefix ?? DEFAULT_PREFIX
    if (typeof prefix !== 'string' || !/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/.test(prefix)) {
      throw new OAuthKitError(
        ErrorCode.CONFIG_INVALID,
        'OAuth: cookiePrefix must be a non-empty cookie name token (RFC 6265 §4.1.1)',
      )
    }
    this.#prefix = prefix
    this.#plainPrefix = prefix.replace(/^__(Host|Secure)-/i, '')
  }

  /**
   * The cookie name for a transaction key: oauthkit's own `state` (43 base64url characters, public in
   * the redirect anyway) names its cookie as is; any other key (an OAuth 1 temporary token) is hashed.
   * `__Host-` unless the redirect URI is http loopback.
   */
  async cookieName(
    key: string,
    cookie: Pick<TransactionCookieOptions, 'insecureLoopback'> = {},
  ): Promise<string> {
    const prefix = cookie.insecureLoopback ? this.#plainPrefix : this.#prefix
    if (/^[A-Za-z0-9_-]{43}$/.test(key)) return prefix + key
    const digest = new Uint8Array(
      await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key)),
    )
    return prefix + base64url(digest.subarray(0, 16))
  }

  /**
   * Seal `tx` into its own cookie, bound to `ctx.binding` if set, pruning expired transactions and
   * bounding how many are in flight and how many bytes they take.
   */
  async save(
    ctx: Pick<OAuthContext, 'cookies' | 'binding'>,
    tx: Transaction,
    cookie: TransactionCookieOptions,
    ttl = this.ttl,
  ): Promise<void> {
    const name = await this.cookieName(tx.key, cookie)
    const binding = await bindingHash(ctx.binding, tx.app)
    const sealedTx = binding === undefined ? tx : { ...tx, binding }
    // The seal's own expiry is a backstop a minute after ours, so an expired login reports "expired".
    const sealed = await seal(sealedTx, this.#secret(), ttl + 60)
    const value = `${tx.createdAt.toString(36)}.${sealed}`
    const options = this.#cookieOptions(cookie, ttl)
    if (name.length + encodeURIComponent(value).length + 120 > MAX_COOKIE_BYTES) {
      throw new OAuthKitError(
        ErrorCode.INVALID_REQUEST,
        `${tx.app}: the login transaction is too large for a cookie (check returnTo's length)`,
        { app: tx.app },
      )
    }
    this.#prune(
      ctx.cookies,
      cookie,
      tx.createdAt,
      ttl,
      name.length + encodeURIComponent(value).length + 2,
    )
    ctx.cookies.set(name, value, options)
  }

  /**
   * Take the transaction for `key` out of the cookies: it is deleted whatever happens next, and a key
   * can be taken once even if the cookie is replayed (once per process with the default replay guard,
   * once across processes with a shared one). A transaction bound to a
   * `ctx.binding` is refused unless this context carries the same value (and an unbound one if it carries any).
   */
  async take(
    ctx: Pick<OAuthContext, 'cookies' | 'binding'>,
    key: string,
    app: string,
    cookie: TransactionCookieOptions,
    ttl = this.ttl,
  ): Promise<Transaction> {
    const cookies = ctx.cookies
    const name = await this.cookieName(key, cookie)
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
    const password = this.#secret()
    let tx: Partial<Transaction>
    try {
      const data = await unseal(raw.slice(dot + 1), password)
      tx = typeof data === 'object' && data !== null ? (data as Partial<Transaction>) : {}
    } catch {
      tx = {}
    }
    if (
      dot < 1 ||
      typeof tx.key !== 'string' ||
      typeof tx.app !== 'string' ||
      typeof tx.createdAt !== 'number' ||
      typeof tx.redirectUri !== 'string'
    ) {
      throw new OAuthKitError(
        ErrorCode.TRANSACTION_INVALID,
        `${app}: the login transaction cookie is invalid (tampered, truncated, expired long ago, or sealed with another secret)`,
        { app },
      )
    }
    if (tx.key !== key) {
      throw new OAuthKitError(
        ErrorCode.TRANSACTION_INVALID,
        `${app}: the login transaction does not belong to this callback`,
        { app },
      )
    }
    const now = Date.now()
    const expiresAt = tx.createdAt + ttl * 1000
    if (now > expiresAt) {
      throw new OAuthKitError(
        ErrorCode.TRANSACTION_EXPIRED,
        `${app}: the login took longer than ${ttl} seconds; start again`,
        { app },
      )
    }
    if (!(await this.#replay.use(name, expiresAt))) {
      throw new OAuthKitError(
        ErrorCode.TRANSACTION_NOT_FOUND,
        `${app}: this login transaction was already used`,
        { app },
      )
    }
    if (tx.app !== app) {
      throw new OAuthKitError(
        ErrorCode.APP_MISMATCH,
        `${app}: this callback belongs to a login started with app "${tx.app}" (possible mix-up attack)`,
        { app },
      )
    }
    // Login CSRF (RFC 6749 §10.12): a transaction planted in this browser was started in another session.
    if ((await bindingHash(ctx.binding, app)) !== tx.binding) {
      throw new OAuthKitError(
        ErrorCode.TRANSACTION_INVALID,
        `${app}: the login transaction was started in another session of this app (its binding differs); start again`,
        { app },
      )
    }
    const { binding: _binding, ...rest } = tx as Transaction
    return rest
  }

  /** The sealing password; a registry without a secret gets its random one here, on first use. */
  #secret(): string | Record<string, string> {
    return (this.#password ??= fallbackSecret())
  }

  /** `__Host-` needs `Secure`, `Path=/` and no `Domain` (RFC 6265bis §4.1.3.2); the plain name keeps the same attributes. */
  #cookieOptions(cookie: TransactionCookieOptions, ttl: number): CookieOptions {
    return {
      path: '/',
      httpOnly: true,
      secure: cookie.secure,
      sameSite: cookie.sameSite,
      maxAge: ttl,
    }
  }

  /**
   * Drop expired transaction cookies, then the oldest until one more (of `adding` bytes) fits both the
   * in-flight bound and {@link MAX_TRANSACTION_BYTES}. Both names (prefixed and plain) count.
   */
  #prune(
    cookies: CookieStore,
    cookie: TransactionCookieOptions,
    now: number,
    ttl: number,
    adding: number,
  ): void {
    if (!cookies.getAll) return
    const live: Array<{ name: string; createdAt: number; bytes: number }> = []
    for (const { name, value } of cookies.getAll()) {
      if (!name.startsWith(this.#prefix) && !name.startsWith(this.#plainPrefix)) continue
      const createdAt = parseInt(value.slice(0, value.indexOf('.')), 36)
      if (!Number.isFinite(createdAt) || now - createdAt > ttl * 1000)
        cookies.delete(name, this.#cookieOptions(cookie, 0))
      else live.push({ name, createdAt, bytes: name.length + encodeURIComponent(value).length + 2 }) // `name=value; `
    }
    live.sort((a, b) => a.createdAt - b.createdAt)
    let bytes = live.reduce((sum, c) => sum + c.bytes, adding)
    while (live.length > 0 && (live.length >= this.#maxInFlight || bytes > MAX_TRANSACTION_BYTES)) {
      const oldest = live.shift()!
      bytes -= oldest.bytes
      cookies.delete(oldest.name, this.#cookieOptions(cookie, 0))
    }
  }
}

/** SHA-256 of a binding value, so the sealed cookie never holds the app's session id. */
async function bindingHash(binding: unknown, app: string): Promise<string | undefined> {
  if (binding === undefined) return undefined
  if (typeof binding !== 'string' || binding === '') {
    throw new OAuthKitError(
      ErrorCode.INVALID_REQUEST,
      `${app}: ctx.binding must be a non-empty string`,
      { app },
    )
  }
  return base64url(
    new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(binding))),
  )
}

/** base64url without padding (RFC 4648 §5). */
export function base64url(bytes: Uint8Array): string {
  let binary = ''
  for (const b of bytes) binary += String.fromCharCode(b)
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')
}
