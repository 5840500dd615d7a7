/**
 * App configuration: what `register` accepts, and the checks that make a bad config fail at once,
 * naming the app and the field.
 *
 * @module
 */
import type { JWK } from 'oauth4webapi'
import { ErrorCode, OAuthKitError } from './errors.js'
import type { ComplianceHooks, IdTokenClaims, OAuth2Token, TokenContext, UserInfo } from './types.js'

/** How the client authenticates at the token endpoint (RFC 6749 §2.3, OIDC Core §9). @group Config */
export type TokenEndpointAuthMethod =
  | 'client_secret_basic'
  | 'client_secret_post'
  | 'client_secret_jwt'
  | 'private_key_jwt'
  | 'none'

/**
 * How `client_secret_basic` writes the client id and secret into the `Authorization` header.
 *
 * - `form` (default): form-encoded first, as RFC 6749 §2.3.1 asks. Letters, digits and `- . _ * ~`
 *   go out as they are, every other character as `%XX` (a space as `%20`). Works with servers that
 *   decode (oidc-provider, Keycloak, …) and, for ids and secrets made only of those characters, with
 *   servers that do not (Authlib).
 * - `raw`: the UTF-8 bytes as they are, for a server that never decodes (Authlib's, whose own client
 *   sends them raw) and a secret with other characters (`+ / = %`). The client id must then have no `:`.
 *
 * When unsure how a server reads the header, `tokenEndpointAuthMethod: 'client_secret_post'` avoids
 * the question: the body is form-encoded and every server decodes it.
 *
 * @see {@link https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1 | RFC 6749 §2.3.1}
 * @group Config
 */
export type ClientSecretBasicEncoding = 'form' | 'raw'

/**
 * The `aud` of the JWT a client signs for `private_key_jwt` and `client_secret_jwt`.
 *
 * - `issuer` (default, what oauth4webapi sends): the authorization server's issuer identifier, which
 *   OpenID Connect servers (oidc-provider, Keycloak, …) accept.
 * - `token_endpoint`: the token endpoint URL, for a server that accepts only that, as RFC 7523 §3
 *   allows and Authlib's `JWTBearerClientAssertion` is set up in its docs. The same assertion then
 *   also authenticates at the revocation and introspection endpoints.
 *
 * @see {@link https://www.rfc-editor.org/rfc/rfc7523#section-3 | RFC 7523 §3}
 * @group Config
 */
export type ClientAssertionAudience = 'issuer' | 'token_endpoint'

/** Reads the stored token of the current user for an app. @group Tokens */
export type FetchToken = (name: string, ctx?: TokenContext) => Promise<OAuth2Token | undefined | null> | OAuth2Token | undefined | null

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
}

/** Persists a new or refreshed token. Called once per token. @group Tokens */
export type UpdateToken = (name: string, token: OAuth2Token, info: UpdateTokenInfo) => Promise<void> | void

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

/**
 * Loads and normalises a user's profile with an app and its token (presets supply one). Receives the
 * app's authenticated request function, so the call goes through the app's hooks and refresh.
 *
 * @group Providers
 */
export type ProfileLoader<Raw = Record<string, unknown>> = (api: ProfileApi, token: OAuth2Token) => Promise<NormalizedProfile<Raw>>

/** What a {@link ProfileLoader} can call. @group Providers */
export interface ProfileApi {
  /** The app's name. */
  readonly name: string
  /** An authenticated GET to the provider's API (relative to `apiBaseUrl`), parsed as JSON. */
  getJson<T>(url: string, token: OAuth2Token): Promise<T>
  /** An authenticated request with any method (and an optional JSON body), parsed as JSON. */
  requestJson<T>(method: string, url: string, token: OAuth2Token, options?: { json?: unknown }): Promise<T>
  /** The userinfo endpoint's claims (OpenID Connect). */
  userinfo(token: OAuth2Token): Promise<UserInfo>
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

/**
 * An OAuth 2.0 / OpenID Connect app. Endpoints come from `serverMetadataUrl` (OIDC discovery or
 * RFC 8414), from explicit fields, or both: an explicit field overrides the discovered value.
 *
 * @group Config
 */
export interface OAuth2AppConfig extends Omit<BaseAppConfig, 'clientSecret'> {
  /**
   * The client secret, or a function returning the current one (Sign in with Apple's secret is a JWT
   * that must be re-signed before it expires); it is called for each token request.
   */
  clientSecret?: string | (() => string | Promise<string>)
  /** OIDC discovery (`…/.well-known/openid-configuration`) or RFC 8414 metadata URL. */
  serverMetadataUrl?: string
  /** The issuer identifier. Required for OpenID Connect without discovery. */
  issuer?: string
  /** Authorization endpoint. */
  authorizeUrl?: string
  /** Token endpoint. */
  accessTokenUrl?: string
  userinfoEndpoint?: string
  jwksUri?: string
  revocationEndpoint?: string
  introspectionEndpoint?: string
  deviceAuthorizationEndpoint?: string
  /** RP-initiated logout endpoint (OIDC RP-Initiated Logout 1.0). */
  endSessionEndpoint?: string
  /** Other server metadata, in RFC 8414 names; merged over the discovered document. */
  serverMetadata?: Record<string, unknown>
  /** Scopes, space-separated or as an array. `openid` makes this an OpenID Connect login. */
  scope?: string | string[]
  /** Extra authorization request parameters; a per-call parameter overrides these. */
  authorizeParams?: Record<string, string>
  /** Extra token request parameters for the authorization code exchange. */
  accessTokenParams?: Record<string, string>
  /** Default: `client_secret_basic` with a secret, `private_key_jwt` with a private key, else `none`. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod
  /**
   * How `client_secret_basic` encodes the id and secret: `form` (default) or `raw` for a server that
   * never decodes them. See {@link ClientSecretBasicEncoding}.
   */
  clientSecretBasicEncoding?: ClientSecretBasicEncoding
  /**
   * For `private_key_jwt` and `client_secret_jwt`: the client assertion's `aud`, the issuer (default)
   * or the token endpoint URL. See {@link ClientAssertionAudience}.
   */
  clientAssertionAudience?: ClientAssertionAudience
  /** For `private_key_jwt`: a private JWK, a CryptoKey, or a PKCS#8 PEM. */
  privateKey?: JWK | CryptoKey | string
  /** `kid` to put in the client assertion header (taken from a JWK's own `kid` when absent). */
  privateKeyId?: string
  /** Signing algorithm of a PEM private key (default RS256). */
  privateKeyAlg?: string
  /** PKCE with S256 (RFC 7636). On by default; `false` only for a provider that rejects it. */
  pkce?: boolean
  /**
   * Send and require an OpenID Connect `nonce` (default true with `openid`). `false` only for a
   * provider that never returns one (LinkedIn): the ID token must then carry no nonce at all.
   */
  nonce?: boolean
  /** `form_post` for providers that POST the callback (Sign in with Apple). Default: query. */
  responseMode?: 'query' | 'form_post'
  /** The ID token `alg` expected; default: the provider's advertised algorithms, else RS256. */
  idTokenSignedResponseAlg?: string
  /** Clock tolerance in seconds for ID token `exp`/`iat` (default 30, at most 300). */
  clockTolerance?: number
  /** Seconds before `expires_at` at which a token is refreshed (default 60). */
  leeway?: number
  /** Seconds server metadata and JWKS are cached (default 3600). */
  metadataTtl?: number
  /** Seconds a login transaction stays valid (default 600). */
  transactionTtl?: number
  /**
   * The issuer an ID token must carry, when it depends on the token (Microsoft Entra multi-tenant:
   * `https://login.microsoftonline.com/{tid}/v2.0`). Receives the unverified claims; the token is
   * then fully validated against the returned issuer. Default: the metadata issuer. An app with it
   * must ask for `openid` (checked at `register` and per login), and each login must return an ID token.
   */
  idTokenIssuer?: (claims: IdTokenClaims, metadataIssuer: string) => string
  /** `client_credentials` makes a machine-to-machine app: API calls fetch (and renew) its own token. */
  grantType?: 'authorization_code' | 'client_credentials'
  /**
   * Where API calls carry the access token: the `Authorization` header (default), or the URL query
   * (`uri`) for a legacy API that needs it — a token in a URL leaks into logs (RFC 9700 §4.3.2).
   */
  tokenPlacement?: 'header' | 'uri'
  /** Compliance hooks for this provider's quirks. */
  hooks?: ComplianceHooks
  /** How `profile()` loads the user's profile; default: userinfo (or the ID token) claims. */
  profile?: ProfileLoader<unknown>
  /** Never set for OAuth 2 apps; its presence makes an app OAuth 1. */
  requestTokenUrl?: undefined
}

const URL_FIELDS = [
  'serverMetadataUrl',
  'issuer',
  'authorizeUrl',
  'accessTokenUrl',
  'userinfoEndpoint',
  'jwksUri',
  'revocationEndpoint',
  'introspectionEndpoint',
  'deviceAuthorizationEndpoint',
  'endSessionEndpoint',
  'apiBaseUrl',
] as const

const AUTH_METHODS: readonly TokenEndpointAuthMethod[] = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'none',
]

/** True for `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]`. @internal */
export function isLoopback(url: URL): boolean {
  const host = url.hostname
  return host === 'localhost' || host.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(host) || host === '[::1]'
}

/** @internal */
export function configError(app: string, field: string, problem: string): OAuthKitError {
  return new OAuthKitError(ErrorCode.CONFIG_INVALID, `app "${app}": ${field} ${problem}`, { app })
}

/** Check one URL field: well formed, and https unless loopback or explicitly allowed. @internal */
export function checkUrl(app: string, field: string, value: unknown, allowInsecure: boolean | undefined): void {
  if (value === undefined) return
  if (typeof value !== 'string' || !URL.canParse(value)) throw configError(app, field, 'is not a valid absolute URL')
  const url = new URL(value)
  if (url.protocol === 'https:') return
  if (url.protocol !== 'http:') throw configError(app, field, `must use https: (got ${url.protocol})`)
  if (!isLoopback(url) && !allowInsecure) {
    throw configError(app, field, 'uses http: on a non-loopback host; use https:, or set allowInsecureRequests: true for a private test rig')
  }
}

/** Normalise `scope` to a space-separated string. @internal */
export function scopeString(scope: string | string[] | undefined): string | undefined {
  if (scope === undefined) return undefined
  const list = Array.isArray(scope) ? scope : scope.split(/\s+/)
  const joined = list.filter(Boolean).join(' ')
  return joined || undefined
}

/**
 * True for a `max_age` the callback can enforce: a plain non-negative integer of seconds (OIDC Core
 * §3.1.2.1), no sign, exponent, unit or leading zero a provider might read differently.
 * @internal
 */
export function isMaxAge(value: string): boolean {
  return /^(0|[1-9]\d{0,9})$/.test(value)
}

/** True when a scope asks for OpenID Connect. @internal */
export function hasOpenId(scope: string | string[] | undefined): boolean {
  return (scopeString(scope) ?? '').split(' ').includes('openid')
}

/** Check what is shared by all apps. @internal */
export function validateBaseConfig(name: string, config: Omit<BaseAppConfig, 'clientSecret'> & { clientSecret?: unknown }): void {
  if (typeof config !== 'object' || config === null) throw configError(name, 'config', 'must be an object')
  if (typeof config.clientId !== 'string' || config.clientId === '') throw configError(name, 'clientId', 'is required')
  if (config.clientSecret !== undefined && typeof config.clientSecret !== 'string' && typeof config.clientSecret !== 'function') {
    throw configError(name, 'clientSecret', 'must be a string (or, for OAuth 2, a function returning one)')
  }
  for (const field of ['timeout', 'maxResponseSize'] as const) {
    const value = config[field]
    if (value !== undefined && !(Number.isFinite(value) && value > 0)) throw configError(name, field, 'must be a positive number')
  }
  const apiLimit = config.apiMaxResponseSize
  if (apiLimit !== undefined && apiLimit !== false && !(Number.isFinite(apiLimit) && apiLimit > 0)) {
    throw configError(name, 'apiMaxResponseSize', 'must be a positive number of bytes, or false for no limit')
  }
  checkTrustedOrigins(name, config.trustedOrigins, config.allowInsecureRequests)
}

/** Each trusted origin: an https origin (http only on loopback or with allowInsecureRequests), nothing more. */
function checkTrustedOrigins(name: string, origins: unknown, allowInsecure: boolean | undefined): void {
  if (origins === undefined) return
  if (!Array.isArray(origins)) throw configError(name, 'trustedOrigins', 'must be an array of origins (https://host[:port])')
  origins.forEach((origin: unknown, i) => {
    const field = `trustedOrigins[${i}]`
    checkUrl(name, field, origin, allowInsecure)
    const url = new URL(origin as string)
    // An origin, not a URL prefix: a path would suggest a scope that the origin check does not enforce.
    if (url.username || url.password || url.pathname !== '/' || url.search || url.hash || !/^[a-z][a-z0-9+.-]*:\/\/[^/?#]+\/?$/i.test(origin as string)) {
      throw configError(name, field, `must be an origin only (${url.origin}), without path, query or credentials`)
    }
  })
}

/** Check an OAuth 2 app's config. Throws an {@link OAuthKitError} `config_invalid`. @internal */
export function validateOAuth2Config(name: string, config: OAuth2AppConfig): void {
  validateBaseConfig(name, config)
  for (const field of URL_FIELDS) checkUrl(name, field, config[field], config.allowInsecureRequests)
  if (!config.serverMetadataUrl && !config.authorizeUrl) {
    throw configError(name, 'authorizeUrl', 'is missing: give serverMetadataUrl (discovery) or authorizeUrl and accessTokenUrl')
  }
  if (!config.serverMetadataUrl && !config.accessTokenUrl) {
    throw configError(name, 'accessTokenUrl', 'is missing: give serverMetadataUrl (discovery) or accessTokenUrl')
  }
  const scope = scopeString(config.scope)
  if (scope?.split(' ').includes('openid') && !config.serverMetadataUrl) {
    if (!config.issuer) throw configError(name, 'issuer', 'is required for an OpenID Connect app without serverMetadataUrl')
    if (!config.jwksUri && !config.serverMetadata?.jwks_uri && !config.clientSecret) {
      throw configError(name, 'jwksUri', 'is required to validate ID tokens without serverMetadataUrl')
    }
  }
  const method = config.tokenEndpointAuthMethod
  if (method !== undefined && !AUTH_METHODS.includes(method)) {
    throw configError(name, 'tokenEndpointAuthMethod', `must be one of ${AUTH_METHODS.join(', ')}`)
  }
  if ((method === 'client_secret_basic' || method === 'client_secret_post' || method === 'client_secret_jwt') && !config.clientSecret) {
    throw configError(name, 'clientSecret', `is required for ${method}`)
  }
  const encoding = config.clientSecretBasicEncoding
  if (encoding !== undefined && encoding !== 'form' && encoding !== 'raw') throw configError(name, 'clientSecretBasicEncoding', 'must be "form" or "raw"')
  // RFC 7617 §2: the user-id ends at the first colon, so a raw id cannot hold one.
  if (encoding === 'raw' && config.clientId.includes(':')) throw configError(name, 'clientSecretBasicEncoding', '"raw" cannot send a client id containing ":"; use "form" or client_secret_post')
  if (method === 'private_key_jwt' && !config.privateKey) throw configError(name, 'privateKey', 'is required for private_key_jwt')
  const audience = config.clientAssertionAudience
  if (audience !== undefined) {
    if (audience !== 'issuer' && audience !== 'token_endpoint') throw configError(name, 'clientAssertionAudience', 'must be "issuer" or "token_endpoint"')
    // The default method with a private key is private_key_jwt (client-auth.ts authMethodOf).
    const signs = method === undefined ? Boolean(config.privateKey) : method === 'private_key_jwt' || method === 'client_secret_jwt'
    if (!signs) throw configError(name, 'clientAssertionAudience', 'applies only to private_key_jwt and client_secret_jwt')
  }
  if (config.responseMode !== undefined && config.responseMode !== 'query' && config.responseMode !== 'form_post') {
    throw configError(name, 'responseMode', 'must be "query" or "form_post"')
  }
  const responseType = config.authorizeParams?.response_type
  if (responseType !== undefined && responseType !== 'code') {
    throw configError(name, 'authorizeParams.response_type', `"${responseType}" is refused: the implicit and hybrid grants leak tokens (RFC 9700 §2.1.2); use the authorization code grant with PKCE`)
  }
  // A policy on the ID token (tenant, hosted domain, organization) fails open when a login has no ID token: require openid.
  if (config.idTokenIssuer !== undefined && !hasOpenId(config.authorizeParams?.scope ?? config.scope)) {
    throw configError(name, 'scope', 'must include openid: idTokenIssuer checks each ID token, so every login must be an OpenID Connect login')
  }
  const maxAge = config.authorizeParams?.max_age
  if (maxAge !== undefined && !isMaxAge(maxAge)) {
    throw configError(name, 'authorizeParams.max_age', 'must be a plain non-negative integer of seconds (OIDC Core §3.1.2.1), or auth_time could not be checked against it')
  }
  if (config.clockTolerance !== undefined && !(config.clockTolerance >= 0 && config.clockTolerance <= 300)) {
    throw configError(name, 'clockTolerance', 'must be between 0 and 300 seconds')
  }
  for (const field of ['leeway', 'metadataTtl', 'transactionTtl'] as const) {
    const value = config[field]
    if (value !== undefined && !(Number.isFinite(value) && value >= 0)) throw configError(name, field, 'must be a non-negative number of seconds')
  }
}
