/**
 * The other grants and endpoints of an OAuth 2 app: device authorization (RFC 8628), resource owner
 * password credentials (RFC 6749 §4.3, legacy), token exchange (RFC 8693), revocation (RFC 7009),
 * introspection (RFC 7662) and RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0).
 *
 * Each function takes the app first; {@link OAuth2App} exposes them as methods. The protocol work is
 * oauth4webapi's; every failure is an {@link OAuthKitError} whose message holds no token or secret.
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import { hasOpenId, isLoopback, scopeString } from './config.js'
import { ErrorCode, OAuthKitError } from './errors.js'
import { staticSecret } from './client-auth.js'
import { toOAuthKitError } from './http.js'
import { providerText } from './provider-text.js'
import type { OAuth2App } from './oauth2.js'
import { toToken } from './token.js'
import type { IdTokenClaims, OAuth2Token, TokenContext } from './types.js'

const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'
/** RFC 8628 §3.2: the polling interval when the provider gives none. */
const DEFAULT_DEVICE_INTERVAL = 5
/** RFC 8628 §3.5: `slow_down` adds 5 seconds to the interval. */
const SLOW_DOWN_STEP = 5

/**
 * A device authorization response (RFC 8628 §3.2), wire names kept: show `user_code` and
 * `verification_uri` (or `verification_uri_complete`, e.g. as a QR code) to the user, then poll.
 *
 * @group Device flow
 */
export interface DeviceAuthorization {
  /** The code the device polls with. Keep it secret; never show it. */
  device_code: string
  /** The code the user enters at `verification_uri`. */
  user_code: string
  /** Where the user goes to enter `user_code`. */
  verification_uri: string
  /** `verification_uri` with the user code already in it, for a QR code or a link. */
  verification_uri_complete?: string
  /** Seconds the codes are valid for, from when the provider answered. */
  expires_in: number
  /** Seconds the device must wait between polls (5 when the provider gives none). */
  interval: number
  /**
   * When the codes expire, in seconds since the epoch, computed from `expires_in` on receipt.
   * Polling stops there; without it, `expires_in` counts from the start of polling.
   */
  expires_at?: number
}

/** Options of a device authorization request. @group Device flow */
export interface DeviceAuthorizationOptions {
  /** Scopes to ask for; default: the app's `scope`. */
  scope?: string | string[]
  /** Extra device authorization request parameters (`resource`, `audience`, …). */
  params?: Record<string, string>
}

/** Options of device token polling. @group Device flow */
export interface PollDeviceTokenOptions {
  /** Stops polling at once, sleeping or mid-request; the promise rejects with the signal's reason. */
  signal?: AbortSignal
  /** The request context, handed to `updateToken`. */
  ctx?: TokenContext
  /**
   * Waits `ms` milliseconds, rejecting with `signal.reason` when it aborts.
   * @internal
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /**
   * The clock, in milliseconds since the epoch.
   * @internal
   */
  now?: () => number
}

/** Options of a resource owner password credentials request. @group OAuth 2 */
export interface PasswordGrantOptions {
  /** Scopes to ask for; default: the app's `scope`. */
  scope?: string | string[]
  /** Extra token request parameters. */
  params?: Record<string, string>
  /** The request context, handed to `updateToken`. */
  ctx?: TokenContext
}

/**
 * A token exchange request (RFC 8693 §2.1). Token types are URIs such as
 * `urn:ietf:params:oauth:token-type:access_token`, `…:refresh_token`, `…:id_token` or `…:jwt`.
 *
 * @group Token exchange
 */
export interface TokenExchangeOptions {
  /** The token that represents the party on whose behalf the request is made. */
  subjectToken: string
  /** The type of `subjectToken`. */
  subjectTokenType: string
  /** A token that represents the acting party (delegation). */
  actorToken?: string
  /** The type of `actorToken`; required with it. */
  actorTokenType?: string
  /** The type of token wanted. */
  requestedTokenType?: string
  /** Logical names of the services the token is for. */
  audience?: string | string[]
  /** URIs of the resources the token is for (RFC 8707). */
  resource?: string | string[]
  /** Scopes wanted for the new token. */
  scope?: string | string[]
  /** Extra token request parameters. */
  params?: Record<string, string>
}

/**
 * The token a token exchange issued. When it is not an access token, `token_type` is `n_a` and
 * `access_token` holds the issued token anyway (RFC 8693 §2.2.1).
 *
 * @group Token exchange
 */
export interface ExchangedToken extends OAuth2Token {
  /** The type of the issued token, e.g. `urn:ietf:params:oauth:token-type:access_token`. */
  issued_token_type?: string
}

/** Options of a revocation request. @group Tokens */
export interface RevokeTokenOptions {
  /**
   * The type of token given. With a token object, also which of its tokens to revoke
   * (default: the refresh token when it has one).
   */
  tokenTypeHint?: 'access_token' | 'refresh_token'
}

/** Options of an introspection request. @group Tokens */
export interface IntrospectTokenOptions {
  /** The type of token given, to help the provider find it. */
  tokenTypeHint?: 'access_token' | 'refresh_token'
}

/** An introspection response (RFC 7662 §2.2). @group Tokens */
export interface TokenIntrospection {
  /** Whether the token is currently valid. All other members may be absent when it is not. */
  active: boolean
  scope?: string
  client_id?: string
  username?: string
  token_type?: string
  /** Seconds since the epoch. */
  exp?: number
  /** Seconds since the epoch. */
  iat?: number
  /** Seconds since the epoch. */
  nbf?: number
  sub?: string
  aud?: string | string[]
  iss?: string
  jti?: string
  [member: string]: unknown
}

/** Options of an RP-initiated logout. @group OAuth 2 */
export interface LogoutOptions {
  /** The ID token (or the token holding it) of the session to end; the provider may skip its confirmation. */
  idTokenHint?: string | OAuth2Token
  /** Where the provider sends the user after the logout; must be registered with the provider. */
  postLogoutRedirectUri?: string
  /** An opaque value the provider passes back to `postLogoutRedirectUri`. */
  state?: string
  /** Extra logout request parameters (`ui_locales`, `logout_hint`, …). */
  params?: Record<string, string>
}

/**
 * Start a device authorization: get the device and user codes for a device that cannot show a
 * browser (a TV, a CLI). Show `user_code` and `verification_uri` to the user, then poll for the
 * token with `pollDeviceToken`.
 *
 * @see RFC 8628 §3.1–3.2, https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 */
export async function deviceAuthorization(app: OAuth2App, options: DeviceAuthorizationOptions = {}): Promise<DeviceAuthorization> {
  const as = await app.loadServerMetadata()
  requireEndpoint(app, as, 'device_authorization_endpoint')
  const params: Record<string, string> = { ...options.params }
  const scope = scopeString(options.scope ?? app.config.scope)
  requireOpenIdForPolicy(app, scope)
  if (scope) params.scope = scope
  let result: oauth.DeviceAuthorizationResponse
  try {
    const response = await oauth.deviceAuthorizationRequest(as, app.client, await app.clientAuth(), params, app.requestOptions('device'))
    result = await oauth.processDeviceAuthorizationResponse(as, app.client, response)
  } catch (error) {
    throw toOAuthKitError(error, app.name, 'device', [staticSecret(app.config)])
  }
  const authorization: DeviceAuthorization = {
    device_code: result.device_code,
    user_code: result.user_code,
    verification_uri: result.verification_uri,
    expires_in: result.expires_in,
    interval: result.interval ?? DEFAULT_DEVICE_INTERVAL,
    expires_at: Math.floor(Date.now() / 1000) + result.expires_in,
  }
  if (result.verification_uri_complete !== undefined) authorization.verification_uri_complete = result.verification_uri_complete
  return authorization
}

/**
 * Poll the token endpoint until the user approves the device authorization: waits `interval`
 * seconds between polls, keeps polling on `authorization_pending`, adds 5 seconds on `slow_down`
 * and doubles the interval after a timeout. An ID token is validated (signature included). The token
 * is handed to `updateToken` once.
 *
 * Rejects with `access_denied` when the user refuses, with `token_error` and `error: 'expired_token'`
 * when the codes expire (or `expires_in` runs out), and with the signal's reason when aborted.
 *
 * @see RFC 8628 §3.4–3.5, https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 */
export async function pollDeviceToken(app: OAuth2App, authorization: DeviceAuthorization, options: PollDeviceTokenOptions = {}): Promise<OAuth2Token> {
  const { signal } = options
  const sleep = options.sleep ?? abortableSleep
  const now = options.now ?? Date.now
  signal?.throwIfAborted()
  if (typeof authorization?.device_code !== 'string' || authorization.device_code === '') {
    throw new OAuthKitError(ErrorCode.INVALID_REQUEST, `${app.name}: pollDeviceToken needs the device authorization's device_code`, { app: app.name })
  }
  const lifetime = positive(authorization.expires_in) ?? 0
  const deadline = typeof authorization.expires_at === 'number' ? authorization.expires_at * 1000 : now() + lifetime * 1000
  let interval = positive(authorization.interval) ?? DEFAULT_DEVICE_INTERVAL
  const as = await app.loadServerMetadata()
  const clientAuth = await app.clientAuth()

  for (;;) {
    const wait = interval * 1000
    const left = deadline - now()
    // No poll is allowed before the interval has passed; if the codes expire first, none can succeed.
    if (left <= wait) {
      if (left > 0) await sleep(left, signal)
      signal?.throwIfAborted()
      throw deviceCodeExpired(app, 'the device authorization expired before it was approved')
    }
    await sleep(wait, signal)
    signal?.throwIfAborted()

    let result: oauth.TokenEndpointResponse
    let asForToken = as
    try {
      const response = await oauth.deviceCodeGrantRequest(as, app.client, clientAuth, authorization.device_code, { ...app.requestOptions('token'), signal })
      asForToken = { ...as, issuer: await app.idTokenIssuerFor(response, as.issuer) }
      result = await oauth.processDeviceCodeResponse(asForToken, app.client, response)
    } catch (error) {
      if (signal?.aborted) throw signal.reason
      if (error instanceof oauth.ResponseBodyError) {
        if (error.error === 'authorization_pending') continue
        if (error.error === 'slow_down') {
          interval += SLOW_DOWN_STEP
          continue
        }
        if (error.error === 'expired_token') throw deviceCodeExpired(app, 'the device code expired before it was approved', error)
        if (error.error === 'access_denied') {
          throw new OAuthKitError(ErrorCode.ACCESS_DENIED, `${app.name}: the user denied the device authorization`, {
            app: app.name,
            error: error.error,
            errorDescription: providerText(error.error_description),
            status: error.status,
          })
        }
      }
      const failure = toOAuthKitError(error, app.name, 'token', [authorization.device_code, staticSecret(app.config)])
      // RFC 8628 §3.5: after a connection timeout, poll less often before trying again.
      if (failure.code === ErrorCode.TIMEOUT) {
        interval *= 2
        continue
      }
      throw failure
    }
    const token = await finishToken(app, asForToken, result)
    signal?.throwIfAborted()
    await app.persist(token, { reason: 'device_code', ctx: options.ctx })
    return token
  }
}

/**
 * Get a token with the user's username and password. The client sees the password: this grant is
 * legacy and discouraged, and must not be used (RFC 9700 §2.4); use the authorization code grant
 * with PKCE, or the device authorization grant for devices without a browser. For first-party
 * migrations only. The token is handed to `updateToken`.
 *
 * @see RFC 6749 §4.3, https://www.rfc-editor.org/rfc/rfc6749#section-4.3
 * @see RFC 9700 §2.4, https://www.rfc-editor.org/rfc/rfc9700#section-2.4
 */
export async function passwordGrant(app: OAuth2App, username: string, password: string, options: PasswordGrantOptions = {}): Promise<OAuth2Token> {
  if (typeof username !== 'string' || username === '' || typeof password !== 'string') {
    throw new OAuthKitError(ErrorCode.INVALID_REQUEST, `${app.name}: passwordGrant needs a username and a password`, { app: app.name })
  }
  const params = new URLSearchParams(options.params)
  params.set('username', username)
  params.set('password', password)
  const scope = scopeString(options.scope ?? app.config.scope)
  requireOpenIdForPolicy(app, scope)
  if (scope) params.set('scope', scope)
  const as = await app.loadServerMetadata()
  let result: oauth.TokenEndpointResponse
  let asForToken = as
  try {
    const response = await oauth.genericTokenEndpointRequest(as, app.client, await app.clientAuth(), 'password', params, app.requestOptions('token'))
    asForToken = { ...as, issuer: await app.idTokenIssuerFor(response, as.issuer) }
    result = await oauth.processGenericTokenEndpointResponse(asForToken, app.client, response)
  } catch (error) {
    throw toOAuthKitError(error, app.name, 'token', [password, staticSecret(app.config)])
  }
  const token = await finishToken(app, asForToken, result)
  await app.persist(token, { reason: 'password', ctx: options.ctx })
  return token
}

/**
 * Exchange a token for another one: for another audience or resource, with fewer scopes, or to act
 * on behalf of the subject (delegation, impersonation). A `token_type` of `N_A` (the issued token is
 * not an access token) is accepted here only. The new token is returned, not handed to
 * `updateToken`: it is not the app's own token.
 *
 * @see RFC 8693 §2, https://www.rfc-editor.org/rfc/rfc8693#section-2
 */
export async function tokenExchange(app: OAuth2App, options: TokenExchangeOptions): Promise<ExchangedToken> {
  const invalid = (problem: string) => new OAuthKitError(ErrorCode.INVALID_REQUEST, `${app.name}: tokenExchange ${problem}`, { app: app.name })
  if (typeof options?.subjectToken !== 'string' || options.subjectToken === '') throw invalid('needs a subjectToken')
  if (typeof options.subjectTokenType !== 'string' || options.subjectTokenType === '') throw invalid('needs a subjectTokenType')
  if (options.actorToken !== undefined && !options.actorTokenType) throw invalid('needs actorTokenType with actorToken (RFC 8693 §2.1)')
  if (options.actorTokenType !== undefined && options.actorToken === undefined) throw invalid('got actorTokenType without actorToken (RFC 8693 §2.1)')

  const params = new URLSearchParams(options.params)
  params.set('subject_token', options.subjectToken)
  params.set('subject_token_type', options.subjectTokenType)
  if (options.actorToken !== undefined) {
    params.set('actor_token', options.actorToken)
    params.set('actor_token_type', options.actorTokenType!)
  }
  if (options.requestedTokenType) params.set('requested_token_type', options.requestedTokenType)
  for (const [name, value] of [['audience', options.audience], ['resource', options.resource]] as const) {
    if (value === undefined) continue
    params.delete(name)
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, item)
  }
  const scope = scopeString(options.scope)
  if (scope) params.set('scope', scope)

  const as = await app.loadServerMetadata()
  let result: oauth.TokenEndpointResponse
  try {
    const response = await oauth.genericTokenEndpointRequest(as, app.client, await app.clientAuth(), TOKEN_EXCHANGE_GRANT, params, app.requestOptions('token'))
    // RFC 8693 §2.2.1: "N_A" when the issued token is not an access token (oauth4webapi lower-cases it).
    result = await oauth.processGenericTokenEndpointResponse(as, app.client, response, { recognizedTokenTypes: { n_a: () => {} } })
  } catch (error) {
    throw toOAuthKitError(error, app.name, 'token', [options.subjectToken, options.actorToken, staticSecret(app.config)])
  }
  return finishToken(app, as, result)
}

/**
 * Revoke a token at the provider. Given a token object, revokes its refresh token when it has one
 * (which ends the whole grant at most providers), else its access token, and sends the matching
 * `token_type_hint`. Runs the app's `revokeTokenRequest` hooks. Resolves once the provider accepted
 * the request; revoking an unknown or already revoked token also succeeds (RFC 7009 §2.2).
 *
 * @see RFC 7009 §2, https://www.rfc-editor.org/rfc/rfc7009#section-2
 */
export async function revokeToken(app: OAuth2App, token: string | OAuth2Token, options: RevokeTokenOptions = {}): Promise<void> {
  let value: unknown = token
  let hint = options.tokenTypeHint
  if (typeof token === 'object' && token !== null) {
    hint ??= token.refresh_token ? 'refresh_token' : 'access_token'
    value = hint === 'refresh_token' ? token.refresh_token : token.access_token
  }
  if (typeof value !== 'string' || value === '') {
    throw new OAuthKitError(ErrorCode.INVALID_REQUEST, `${app.name}: revokeToken got no ${hint ?? 'token'} to revoke`, { app: app.name })
  }
  const as = await app.loadServerMetadata()
  requireEndpoint(app, as, 'revocation_endpoint')
  try {
    const response = await oauth.revocationRequest(as, app.client, await app.clientAuth(), value, {
      ...app.requestOptions('revocation'),
      additionalParameters: hint ? { token_type_hint: hint } : undefined,
    })
    await oauth.processRevocationResponse(response)
  } catch (error) {
    throw toOAuthKitError(error, app.name, 'revocation', [value, staticSecret(app.config)])
  }
}

/**
 * Ask the provider whether a token is active, and what it grants. Runs the app's
 * `introspectTokenRequest` hooks. An inactive, unknown or revoked token gives `{ active: false }`,
 * not an error.
 *
 * @see RFC 7662 §2, https://www.rfc-editor.org/rfc/rfc7662#section-2
 */
export async function introspectToken(app: OAuth2App, token: string, options: IntrospectTokenOptions = {}): Promise<TokenIntrospection> {
  if (typeof token !== 'string' || token === '') {
    throw new OAuthKitError(ErrorCode.INVALID_REQUEST, `${app.name}: introspectToken needs a token`, { app: app.name })
  }
  const as = await app.loadServerMetadata()
  requireEndpoint(app, as, 'introspection_endpoint')
  try {
    const response = await oauth.introspectionRequest(as, app.client, await app.clientAuth(), token, {
      ...app.requestOptions('introspection'),
      additionalParameters: options.tokenTypeHint ? { token_type_hint: options.tokenTypeHint } : undefined,
    })
    const result = await oauth.processIntrospectionResponse(as, app.client, response)
    return { ...result } as TokenIntrospection
  } catch (error) {
    throw toOAuthKitError(error, app.name, 'introspection', [token, staticSecret(app.config)])
  }
}

/**
 * The URL that ends the user's session at the provider: its `end_session_endpoint` with
 * `client_id`, `id_token_hint` (the token's ID token when a token is given), `post_logout_redirect_uri`
 * and `state`. Throws `metadata_invalid` when the provider has no end_session_endpoint, or one that
 * is not https (http only on loopback, or with `allowInsecureRequests`).
 *
 * @see OpenID Connect RP-Initiated Logout 1.0 §2, https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export async function createLogoutUrl(app: OAuth2App, options: LogoutOptions = {}): Promise<URL> {
  if (options.postLogoutRedirectUri !== undefined && !URL.canParse(options.postLogoutRedirectUri)) {
    throw new OAuthKitError(ErrorCode.INVALID_REQUEST, `${app.name}: postLogoutRedirectUri is not an absolute URL`, { app: app.name })
  }
  const as = await app.loadServerMetadata()
  if (typeof as.end_session_endpoint !== 'string' || !URL.canParse(as.end_session_endpoint)) {
    throw new OAuthKitError(ErrorCode.METADATA_INVALID, `${app.name}: the provider has no end_session_endpoint (RP-initiated logout is not supported)`, { app: app.name })
  }
  const url = new URL(as.end_session_endpoint)
  // The logout URL carries id_token_hint through the browser: TLS (OIDC Core §16.17), except loopback or an app that allows http.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (isLoopback(url) || app.config.allowInsecureRequests === true))) {
    throw new OAuthKitError(ErrorCode.METADATA_INVALID, `${app.name}: the end_session_endpoint must use https: (got ${url.protocol}${url.protocol === 'http:' ? ' on a non-loopback host' : ''})`, { app: app.name })
  }
  const query: Record<string, string> = { ...options.params, client_id: app.config.clientId }
  const hint = typeof options.idTokenHint === 'string' ? options.idTokenHint : options.idTokenHint?.id_token
  if (hint) query.id_token_hint = hint
  if (options.postLogoutRedirectUri !== undefined) query.post_logout_redirect_uri = options.postLogoutRedirectUri
  if (options.state !== undefined) query.state = options.state
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value)
  return url
}

/**
 * A 302 redirect to the logout URL of `createLogoutUrl`, not cached. Clear the app's own session too.
 *
 * @see OpenID Connect RP-Initiated Logout 1.0 §2, https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export async function logoutRedirect(app: OAuth2App, options: LogoutOptions = {}): Promise<Response> {
  const url = await createLogoutUrl(app, options)
  return new Response(null, { status: 302, headers: { location: url.href, 'cache-control': 'no-store' } })
}

/** A token response → token, with an ID token's signature verified and its claims as `userinfo`. */
async function finishToken(app: OAuth2App, as: oauth.AuthorizationServer, result: oauth.TokenEndpointResponse): Promise<OAuth2Token> {
  // A policy checked on the ID token (idTokenIssuer: tenant, hosted domain, organization) fails open without one.
  if (app.config.idTokenIssuer && !result.id_token) {
    throw new OAuthKitError(ErrorCode.ID_TOKEN_INVALID, `${app.name}: the token response has no ID token, which this app checks (idTokenIssuer)`, { app: app.name })
  }
  try {
    const claims = oauth.getValidatedIdTokenClaims(result) as IdTokenClaims | undefined
    if (result.id_token) await app.verifyIdTokenSignature(as, result.id_token)
    return toToken(result, claims)
  } catch (error) {
    throw toOAuthKitError(error, app.name, 'token')
  }
}

/** An app that checks ID tokens (idTokenIssuer) must ask for one. */
function requireOpenIdForPolicy(app: OAuth2App, scope: string | undefined): void {
  if (app.config.idTokenIssuer && !hasOpenId(scope)) {
    throw new OAuthKitError(ErrorCode.INVALID_REQUEST, `${app.name}: the scope must include openid: this app checks each ID token (idTokenIssuer)`, { app: app.name })
  }
}

type Endpoint = 'device_authorization_endpoint' | 'revocation_endpoint' | 'introspection_endpoint'

function requireEndpoint(app: OAuth2App, as: oauth.AuthorizationServer, endpoint: Endpoint): void {
  if (typeof as[endpoint] !== 'string') {
    throw new OAuthKitError(ErrorCode.METADATA_INVALID, `${app.name}: the provider has no ${endpoint}`, { app: app.name })
  }
}

function deviceCodeExpired(app: OAuth2App, why: string, cause?: oauth.ResponseBodyError): OAuthKitError {
  return new OAuthKitError(ErrorCode.TOKEN_ERROR, `${app.name}: ${why}; start a new device authorization`, {
    app: app.name,
    error: 'expired_token',
    errorDescription: providerText(cause?.error_description),
    status: cause?.status,
  })
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
