/**
 * OAuth 1 app configuration: what `register` accepts for an app with `requestTokenUrl`, and its checks.
 *
 * @module
 */
import type { BaseAppConfig, FetchToken, NormalizedProfile, UpdateToken } from '../app/config.js'
import { checkUrl, configError, validateBaseConfig } from '../app/config.js'
import { isLoopback } from '../http/loopback.js'
import type { OAuth1Token, RequestHook, ResponseHook } from '../types.js'
import type { SignatureMethod, SignaturePlacement } from './signature.js'

/** Reads the stored OAuth 1 token of the current user for an app: `FetchToken<OAuth1Token>`. @group Tokens */
export type OAuth1FetchToken = FetchToken<OAuth1Token>

/** Persists a new OAuth 1 token; called once after each login: `UpdateToken<OAuth1Token>`. @group Tokens */
export type OAuth1UpdateToken = UpdateToken<OAuth1Token>

/**
 * What an {@link OAuth1ProfileLoader} can call: the OAuth 1 counterpart of {@link ProfileApi}.
 *
 * @group OAuth 1
 */
export interface OAuth1ProfileApi {
  /** The app's name. */
  readonly name: string
  /** A signed GET to the provider's API (relative to `apiBaseUrl`), parsed as JSON; an error status is ky's `HTTPError`. */
  getJson<T>(url: string, token: OAuth1Token): Promise<T>
}

/**
 * Loads and normalises a user's profile with an OAuth 1 app and its token (presets supply one): the
 * OAuth 1 counterpart of {@link ProfileLoader}. OAuth 1 has no standard profile endpoint, so without
 * a loader {@link OAuth1App.profile} is `unsupported_operation`.
 *
 * @typeParam Raw - the provider's profile type.
 * @group OAuth 1
 */
export type OAuth1ProfileLoader<Raw = Record<string, unknown>> = (
  api: OAuth1ProfileApi,
  token: OAuth1Token,
) => Promise<NormalizedProfile<Raw>>

/**
 * Compliance hooks of an OAuth 1 app. Each may be one function or an array, run in order.
 *
 * @group Hooks
 */
export interface OAuth1Hooks {
  /** The request-token endpoint's response, before it is read (it must end up form-encoded). */
  requestTokenResponse?: ResponseHook | ResponseHook[]
  /** The access-token endpoint's response, before it is read (it must end up form-encoded). */
  accessTokenResponse?: ResponseHook | ResponseHook[]
  /**
   * Every API request, after it was signed. A hook that changes a signed part (method, URL, or a
   * form body) breaks the signature; headers other than `Authorization` are not signed.
   */
  protectedRequest?: RequestHook | RequestHook[]
}

/**
 * An OAuth 1.0a app (Twitter/X, Garmin, Tumblr, Flickr, …). The presence of `requestTokenUrl` is what
 * makes `register` create an {@link OAuth1App}.
 *
 * @example
 * ```ts
 * oauth.register('twitter', {
 *   requestTokenUrl: 'https://api.x.com/oauth/request_token',
 *   accessTokenUrl: 'https://api.x.com/oauth/access_token',
 *   authorizeUrl: 'https://api.x.com/oauth/authenticate',
 *   apiBaseUrl: 'https://api.x.com/1.1',
 *   clientId: process.env.TWITTER_CONSUMER_KEY!,
 *   clientSecret: process.env.TWITTER_CONSUMER_SECRET,
 * })
 * ```
 * @group OAuth 1
 */
export interface OAuth1AppConfig extends Omit<BaseAppConfig, 'fetchToken' | 'updateToken'> {
  /** Temporary credentials (request token) endpoint, RFC 5849 §2.1. */
  requestTokenUrl: string
  /** Never set for OAuth 1 apps; its presence makes an app OpenID 2.0. */
  openIdEndpoint?: undefined
  /** Token credentials (access token) endpoint, RFC 5849 §2.3. */
  accessTokenUrl: string
  /** Resource owner authorization endpoint, RFC 5849 §2.2. */
  authorizeUrl: string
  /** `HMAC-SHA1` (default), `HMAC-SHA256`, `RSA-SHA1` (needs `rsaKey`) or `PLAINTEXT` (https only). */
  signatureMethod?: SignatureMethod
  /** Where the protocol parameters travel: the `Authorization` header (default), the query, or a form body. */
  signaturePlacement?: SignaturePlacement
  /** The `realm` of the `Authorization` header (header placement only; never signed). */
  realm?: string
  /** RSA-SHA1 only: the client's private key, a PKCS#8 PEM (`BEGIN PRIVATE KEY`) or a CryptoKey. */
  rsaKey?: string | CryptoKey
  /** Extra parameters for the request-token request (sent in its query and signed), e.g. `x_auth_access_type`. */
  requestTokenParams?: Record<string, string>
  /** Extra parameters for the authorization URL (`force_login`, `screen_name`, …); a per-call parameter overrides these. */
  authorizeParams?: Record<string, string>
  /** Seconds a login transaction stays valid (default: the registry's, 600). */
  transactionTtl?: number
  /** Compliance hooks for this provider's quirks. */
  hooks?: OAuth1Hooks
  /** Reads this app's token, overriding the registry's `fetchToken`. */
  fetchToken?: OAuth1FetchToken
  /** Persists this app's tokens, overriding the registry's `updateToken`. */
  updateToken?: OAuth1UpdateToken
  /** How `profile()` loads the user's profile (OAuth 1 has no standard endpoint: without one, `profile()` is refused). */
  profile?: OAuth1ProfileLoader<unknown>
}

const SIGNATURE_METHODS: readonly SignatureMethod[] = [
  'HMAC-SHA1',
  'HMAC-SHA256',
  'RSA-SHA1',
  'PLAINTEXT',
]
const PLACEMENTS: readonly SignaturePlacement[] = ['header', 'query', 'body']
const URL_FIELDS = ['requestTokenUrl', 'accessTokenUrl', 'authorizeUrl', 'apiBaseUrl'] as const
/** OAuth 2 options that mean nothing to an OAuth 1 app: refused, so a mixed-up config fails loudly. */
const OAUTH2_ONLY = [
  'serverMetadataUrl',
  'issuer',
  'scope',
  'grantType',
  'tokenEndpointAuthMethod',
  'clientSecretBasicEncoding',
  'clientAssertionAudience',
  'pkce',
  'responseMode',
  'privateKey',
] as const
/** The protocol parameters oauthkit adds to a signed request (and strips again before re-signing a retry). */

function checkParams(
  name: string,
  field: string,
  params: unknown,
  reserved: (key: string) => boolean,
): void {
  if (params === undefined) return
  if (typeof params !== 'object' || params === null || Array.isArray(params))
    throw configError(name, field, 'must be an object of strings')
  for (const [key, value] of Object.entries(params)) {
    if (typeof value !== 'string') throw configError(name, `${field}.${key}`, 'must be a string')
    if (reserved(key))
      throw configError(name, `${field}.${key}`, 'is set by oauthkit and cannot be configured')
  }
}

/**
 * Check an OAuth 1 app's config. Throws an {@link OAuthKitError} `config_invalid` naming the app and
 * the field.
 */
export function validateOAuth1Config(name: string, config: OAuth1AppConfig): void {
  validateBaseConfig(name, config)
  for (const field of ['requestTokenUrl', 'accessTokenUrl', 'authorizeUrl'] as const) {
    if (config[field] === undefined || config[field] === '')
      throw configError(name, field, 'is required for an OAuth 1 app')
  }
  for (const field of URL_FIELDS) checkUrl(name, field, config[field], config.allowInsecureRequests)
  const raw = config as unknown as Record<string, unknown>
  for (const field of OAUTH2_ONLY) {
    if (raw[field] !== undefined)
      throw configError(
        name,
        field,
        'is an OAuth 2 option; an OAuth 1 app (requestTokenUrl) does not use it',
      )
  }
  const method = config.signatureMethod ?? 'HMAC-SHA1'
  if (!SIGNATURE_METHODS.includes(method))
    throw configError(name, 'signatureMethod', `must be one of ${SIGNATURE_METHODS.join(', ')}`)
  const placement = config.signaturePlacement ?? 'header'
  if (!PLACEMENTS.includes(placement))
    throw configError(name, 'signaturePlacement', `must be one of ${PLACEMENTS.join(', ')}`)
  if (method === 'RSA-SHA1') {
    const key = config.rsaKey
    if (key === undefined) throw configError(name, 'rsaKey', 'is required for RSA-SHA1')
    if (typeof key === 'string') {
      if (/-----BEGIN RSA PRIVATE KEY-----/.test(key))
        throw configError(
          name,
          'rsaKey',
          'is a PKCS#1 key: convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)',
        )
      if (!/-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----/.test(key))
        throw configError(
          name,
          'rsaKey',
          'must be an unencrypted PKCS#8 PEM private key (BEGIN PRIVATE KEY) or a CryptoKey',
        )
    } else if (
      typeof key !== 'object' ||
      key === null ||
      (key as Partial<CryptoKey>).type !== 'private'
    ) {
      throw configError(name, 'rsaKey', 'must be a PKCS#8 PEM string or a private CryptoKey')
    }
  } else {
    if (typeof config.clientSecret !== 'string')
      throw configError(
        name,
        'clientSecret',
        `is required for ${method} (only RSA-SHA1 signs without one)`,
      )
    if (config.rsaKey !== undefined)
      throw configError(
        name,
        'rsaKey',
        `is only used with signatureMethod RSA-SHA1 (this app uses ${method})`,
      )
  }
  if (method === 'PLAINTEXT') {
    // PLAINTEXT sends the secrets as the signature: only over TLS, or to a loopback host.
    for (const field of URL_FIELDS) {
      const value = config[field]
      if (
        value !== undefined &&
        new URL(value).protocol === 'http:' &&
        !isLoopback(new URL(value))
      ) {
        throw configError(
          name,
          field,
          'uses http: with PLAINTEXT, which would send the secrets in the clear (RFC 5849 §3.4.4)',
        )
      }
    }
  }
  if (
    config.realm !== undefined &&
    (typeof config.realm !== 'string' || !/^[\x20-\x7e]*$/.test(config.realm))
  ) {
    throw configError(name, 'realm', 'must be a printable ASCII string')
  }
  checkParams(name, 'requestTokenParams', config.requestTokenParams, (key) =>
    key.startsWith('oauth_'),
  )
  checkParams(name, 'authorizeParams', config.authorizeParams, (key) => key === 'oauth_token')
  if (
    config.transactionTtl !== undefined &&
    !(Number.isFinite(config.transactionTtl) && config.transactionTtl >= 0)
  ) {
    throw configError(name, 'transactionTtl', 'must be a non-negative number of seconds')
  }
  if (config.profile !== undefined && typeof config.profile !== 'function')
    throw configError(name, 'profile', 'must be a profile loader function')
}
