/**
 * What every kind of app is configured with, the token callbacks, and the checks that make a bad
 * config fail at once, naming the app and the field.
 *
 * @module
 */
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import { isLoopback } from '../http/loopback.js'
import type { AppToken, OAuth2Token, TokenContext } from '../types.js'

/**
 * Reads the stored token of the current user for an app. On an OAuth 2 app's config it hands
 * {@link OAuth2Token}s, on an OAuth 1 app's {@link OAuth1Token}s; the registry's, shared by every app,
 * hands either ({@link AppToken}), and a token of the wrong kind for the app is `token_missing`.
 *
 * @typeParam T - the token type.
 * @group Tokens
 */
export type FetchToken<T extends AppToken = OAuth2Token> = (
  name: string,
  ctx?: TokenContext,
) => Promise<T | undefined | null> | T | undefined | null

/** What {@link UpdateToken} is told about the refresh that produced `token`. @group Tokens */
export interface UpdateTokenInfo {
  /**
   * How the token was obtained: a user's `login`, a `refresh` (the token replaces one the app holds),
   * or a grant without a login (`client_credentials`, `device_code`, `password`).
   */
  reason: 'login' | 'refresh' | 'client_credentials' | 'device_code' | 'password'
  /** The refresh token that was used (the old one). */
  refreshToken?: string
  /** The access token that was replaced. */
  accessToken?: string
  /** The request context, when there was one. */
  ctx?: TokenContext
  /**
   * The fencing token of the cross-process lock this refresh ran under (with a `lock` that gives one,
   * such as `redisLock`). A writer that can should refuse the write when a later holder has taken
   * the lock since (its fence is newer): `RedisTokenStore` does, atomically.
   */
  fence?: Fence
}

/**
 * A fencing token: each acquisition of a lock gets a larger `token` than every earlier one, and
 * `key` names where the lock keeps the latest (for `redisLock`, a Redis key holding the counter). A
 * write made under a fence is valid only while the counter at `key` still equals `token`.
 *
 * @group Tokens
 */
export interface Fence {
  /** Where the lock keeps the latest fencing token it handed out. */
  key: string
  /** This holder's fencing token. */
  token: number
}

/**
 * Persists a new or refreshed token. Called once per token. The registry's, shared by every app, gets
 * the token of whichever app it is ({@link AppToken}: tell them apart with `'oauth_token' in token`, or by `name`).
 *
 * @typeParam T - the token type.
 * @group Tokens
 */
export type UpdateToken<T extends AppToken = OAuth2Token> = (
  name: string,
  token: T,
  info: UpdateTokenInfo,
) => Promise<void> | void

/**
 * A user's profile, normalised across providers to OpenID Connect claim names, with the provider's
 * own profile kept as `raw`.
 *
 * @typeParam Raw - the provider's profile type (each preset exports its own).
 * @group Providers
 */
export interface NormalizedProfile<Raw = Record<string, unknown>> {
  /** The provider's stable user id, as a string. */
  sub: string
  name?: string
  email?: string
  /** True only when the provider says the email is verified. */
  email_verified?: boolean
  picture?: string
  /** The provider's profile as it sent it. */
  raw: Raw
}

/** Options shared by every kind of app. @group Config */
export interface BaseAppConfig {
  /** The client identifier issued by the provider. */
  clientId: string
  /** The client secret, when the client has one. */
  clientSecret?: string
  /** Base for relative URLs in `get`/`post`/…: `'user'` becomes `${apiBaseUrl}/user`. */
  apiBaseUrl?: string
  /** Replace an app already registered under this name instead of failing. */
  overwrite?: boolean
  /** Per-app `fetch` (defaults to the registry's, then the global one). */
  fetch?: typeof fetch
  /** Milliseconds before a provider request is abandoned (default 10,000). */
  timeout?: number
  /**
   * Largest provider response accepted by the protocol steps, and by what oauthkit itself reads from
   * the API (`profile()`), in bytes (default 1 MiB).
   */
  maxResponseSize?: number
  /**
   * Largest API response body the app reads from `get`/`post`/… (default 10 MiB); `false` lifts it.
   * A call can set its own with `maxResponseSize`.
   */
  apiMaxResponseSize?: number | false
  /**
   * More origins (`https://host[:port]`) API calls may send the app's token or signature to. By
   * default credentials go only to the origin of `apiBaseUrl` and of the provider's userinfo endpoint:
   * a call to any other origin is refused (`untrusted_origin`) before anything is sent.
   */
  trustedOrigins?: string[]
  /** Allow `http:` endpoints that are not loopback. Only for test rigs on private networks. */
  allowInsecureRequests?: boolean
  /** A User-Agent header for every request to the provider (some APIs require one). */
  userAgent?: string
  /** Reads this app's token, overriding the registry's `fetchToken`. */
  fetchToken?: FetchToken
  /** Persists this app's tokens, overriding the registry's `updateToken`. */
  updateToken?: UpdateToken
}

/** */
export function configError(app: string, field: string, problem: string): OAuthKitError {
  return new OAuthKitError(ErrorCode.CONFIG_INVALID, `app "${app}": ${field} ${problem}`, { app })
}

/** Check one URL field: well formed, and https unless loopback or explicitly allowed. */
export function checkUrl(
  app: string,
  field: string,
  value: unknown,
  allowInsecure: boolean | undefined,
): void {
  if (value === undefined) return
  if (typeof value !== 'string' || !URL.canParse(value))
    throw configError(app, field, 'is not a valid absolute URL')
  const url = new URL(value)
  if (url.protocol === 'https:') return
  if (url.protocol !== 'http:')
    throw configError(app, field, `must use https: (got ${url.protocol})`)
  if (!isLoopback(url) && !allowInsecure) {
    throw configError(
      app,
      field,
      'uses http: on a non-loopback host; use https:, or set allowInsecureRequests: true for a private test rig',
    )
  }
}

/** Check what is shared by all apps. */
export function validateBaseConfig(
  name: string,
  config: Omit<BaseAppConfig, 'clientId' | 'clientSecret' | 'fetchToken' | 'updateToken'> & {
    clientId?: unknown
    clientSecret?: unknown
  },
  /** False for a kind without client credentials (OpenID 2.0). */
  requireClientId = true,
): void {
  if (typeof config !== 'object' || config === null)
    throw configError(name, 'config', 'must be an object')
  if (requireClientId && (typeof config.clientId !== 'string' || config.clientId === ''))
    throw configError(name, 'clientId', 'is required')
  if (
    config.clientSecret !== undefined &&
    typeof config.clientSecret !== 'string' &&
    typeof config.clientSecret !== 'function'
  ) {
    throw configError(
      name,
      'clientSecret',
      'must be a string (or, for OAuth 2, a function returning one)',
    )
  }
  for (const field of ['timeout', 'maxResponseSize'] as const) {
    const value = config[field]
    if (value !== undefined && !(Number.isFinite(value) && value > 0))
      throw configError(name, field, 'must be a positive number')
  }
  const apiLimit = config.apiMaxResponseSize
  if (
    apiLimit !== undefined &&
    apiLimit !== false &&
    !(Number.isFinite(apiLimit) && apiLimit > 0)
  ) {
    throw configError(
      name,
      'apiMaxResponseSize',
      'must be a positive number of bytes, or false for no limit',
    )
  }
  checkTrustedOrigins(name, config.trustedOrigins, config.allowInsecureRequests)
}

/** Each trusted origin: an https origin (http only on loopback or with allowInsecureRequests), nothing more. */
function checkTrustedOrigins(
  name: string,
  origins: unknown,
  allowInsecure: boolean | undefined,
): void {
  if (origins === undefined) return
  if (!Array.isArray(origins))
    throw configError(name, 'trustedOrigins', 'must be an array of origins (https://host[:port])')
  origins.forEach((origin: unknown, i) => {
    const field = `trustedOrigins[${i}]`
    checkUrl(name, field, origin, allowInsecure)
    const url = new URL(origin as string)
    // An origin, not a URL prefix: a path would suggest a scope that the origin check does not enforce.
    if (
      url.username ||
      url.password ||
      url.pathname !== '/' ||
      url.search ||
      url.hash ||
      !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]+\/?$/i.test(origin as string)
    ) {
      throw configError(
        name,
        field,
        `must be an origin only (${url.origin}), without path, query or credentials`,
      )
    }
  })
}
