/**
 * An OAuth 2.0 / OpenID Connect app: authorization code with PKCE, ID token validation, userinfo.
 * The protocol work is oauth4webapi's; this layer adds the lifecycle around it.
 *
 * @module
 */
import * as jose from 'jose'
import type { ResponsePromise } from 'ky'
import * as oauth from 'oauth4webapi'
import { checkContext, tokenMissing } from './arguments.js'
import { AUTHORIZE_OPTION_KEYS, asAuthorizeParam, checkKnownKeys } from './config-keys.js'
import { ApiClient, ApiMethods, CallState, DEFAULT_API_MAX_RESPONSE_SIZE, type ApiRequestOptions } from './api.js'
import { authMethodOf, clientAuthOf, currentSecret, staticSecret } from './client-auth.js'
import type { FetchToken, NormalizedProfile, OAuth2AppConfig, ProfileApi, UpdateToken, UpdateTokenInfo } from './config.js'
import { hasOpenId, isLoopback, isMaxAge, scopeString } from './config.js'
import { ErrorCode, OAuthKitError, isOAuthKitError } from './errors.js'
import { HttpClient, sanitize, toOAuthKitError } from './http.js'
import * as grants from './grants.js'
import { JwksCache } from './jwks.js'
import { toToken } from './token.js'
import { MetadataCache, UNKNOWN_ISSUER } from './metadata.js'
import { providerText } from './provider-text.js'
import { INSPECT, redactedView, withRedaction } from './redact.js'
import { base64url, type Transaction, type TransactionCookieOptions, type TransactionStore } from './transaction.js'
import type { IdTokenClaims, OAuth2Token, OAuthContext, TokenContext, UserInfo } from './types.js'

/** What an app gets from the registry it belongs to. @internal */
export interface AppEnvironment {
  fetch: typeof fetch
  transactions: TransactionStore
  fetchToken?: FetchToken
  updateToken?: UpdateToken
  lock?: LockFunction
}

/**
 * Runs `fn` while holding a lock named `key`, across every process that shares the token store
 * (Redis, a database advisory lock, …). In-process calls are already single-flight without it.
 *
 * @group Tokens
 */
export type LockFunction = <T>(key: string, fn: () => Promise<T>) => Promise<T>

/** Options of {@link OAuth2App.refreshToken}. @group Tokens */
export interface RefreshOptions {
  /** The request context, handed to `updateToken`. */
  ctx?: TokenContext
  /** Extra token request parameters (`scope`, `resource`, …). */
  params?: Record<string, string>
}

/** Per-call options of {@link OAuth2App.createAuthorizationUrl} and {@link OAuth2App.authorizeRedirect}. @group OAuth 2 */
export interface AuthorizeOptions {
  /** Extra or overriding authorization request parameters (`prompt`, `login_hint`, `scope`, …). */
  params?: Record<string, string>
  /** A same-origin relative path to return to after the login; anything else is ignored. */
  returnTo?: string
}

/** A prepared authorization request: its URL, and the transaction to keep until the callback. @group OAuth 2 */
export interface AuthorizationRequest {
  url: URL
  transaction: Transaction
}

/** Options of {@link OAuth2App.authorizeAccessToken}. @group OAuth 2 */
export interface AuthorizeAccessTokenOptions {
  /** Extra token request parameters. */
  params?: Record<string, string>
}

/** A finished login: the token, and where the login asked to return to. @group Core */
export interface CompletedAuthorization<T> {
  token: T
  /** The same-origin path given as `returnTo` when the login started. */
  returnTo?: string
}

/** Parameters that carry the login's security and cannot be overridden per call. */
const RESERVED = new Set(['state', 'nonce', 'code_challenge', 'code_challenge_method', 'client_id', 'redirect_uri', 'response_type'])

const DEFAULT_CLOCK_TOLERANCE = 30

/**
 * An OAuth 2.0 / OpenID Connect remote app, made by {@link OAuth.register} and returned by
 * {@link OAuth.create}.
 *
 * @group OAuth 2
 */
export class OAuth2App extends ApiMethods<OAuth2Token> {
  /** Always `'oauth2'`; tells OAuth 2 apps from OAuth 1 ones. */
  readonly kind = 'oauth2' as const
  /** The name the app was registered under. */
  readonly name: string
  /**
   * The app's configuration, as registered: a copy that prints (`console.log`, `JSON.stringify`) with
   * `clientSecret` and `privateKey` redacted; reading a field gives its value.
   */
  readonly config: Readonly<OAuth2AppConfig>
  /** @internal */
  readonly env: AppEnvironment
  /** @internal */
  readonly http: HttpClient
  readonly #metadata: MetadataCache
  /** @internal */
  readonly insecure: boolean
  /** @internal */
  readonly client: oauth.Client
  #clientAuth?: Promise<oauth.ClientAuth>
  #jwks?: JwksCache
  readonly #api: ApiClient<OAuth2Token>
  readonly #inflight = new Map<string, Promise<OAuth2Token>>()
  /** Results of recent refreshes by old refresh token, so a late caller holding it gets the new token. */
  readonly #recent = new Map<string, { token: OAuth2Token; at: number }>()

  /** @internal */
  constructor(name: string, config: OAuth2AppConfig, env: AppEnvironment) {
    super()
    this.name = name
    this.config = withRedaction(config)
    this.env = env
    this.http = new HttpClient({
      app: name,
      fetch: config.fetch ?? env.fetch,
      timeout: config.timeout ?? 10_000,
      maxResponseSize: config.maxResponseSize ?? 1024 * 1024,
      hooks: config.hooks ?? {},
      userAgent: config.userAgent,
    })
    // http: is allowed for loopback (checked at register) or when the app explicitly allows it.
    this.insecure = config.allowInsecureRequests === true || [config.serverMetadataUrl, config.authorizeUrl, config.accessTokenUrl].some((u) => u !== undefined && new URL(u).protocol === 'http:' && isLoopback(new URL(u)))
    this.#metadata = new MetadataCache(name, config, this.http, config.metadataTtl ?? 3600)
    this.client = {
      client_id: config.clientId,
      token_endpoint_auth_method: authMethodOf(config),
      [oauth.clockTolerance]: config.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE,
    }
    if (config.idTokenSignedResponseAlg) this.client.id_token_signed_response_alg = config.idTokenSignedResponseAlg
    this.#api = new ApiClient<OAuth2Token>(
      name,
      {
        apiBaseUrl: config.apiBaseUrl,
        fetch: config.fetch ?? env.fetch,
        userAgent: config.userAgent,
        hooks: config.hooks?.protectedRequest,
        // RFC 6750 §5.3: the token goes only to the API and the provider's own endpoints, unless the app trusts more.
        trustedOrigins: [config.userinfoEndpoint, ...(config.trustedOrigins ?? [])],
        allowInsecureRequests: config.allowInsecureRequests,
        timeout: config.timeout ?? 10_000,
        maxResponseSize: config.apiMaxResponseSize ?? DEFAULT_API_MAX_RESPONSE_SIZE,
        maxJsonSize: config.maxResponseSize ?? 1024 * 1024,
      },
      {
        resolve: (state) => this.#resolveToken(state),
        ready: (state) => (state.token && !this.#isDue(state.token) ? state.token : undefined),
        authorize: (request, token) => this.#authorize(request, token),
        recover: (response, state) => this.#recover(response, state),
        origins: async () => {
          const userinfo = (await this.loadServerMetadata()).userinfo_endpoint
          return userinfo ? [userinfo] : []
        },
      },
    )
  }

  /**
   * An authenticated request to the provider's API, through ky. A relative `url` is appended to
   * `apiBaseUrl` (`'user'` and `'/user'` both mean `${apiBaseUrl}/user`); an absolute URL is used as is,
   * but only on the origin of `apiBaseUrl`, of the userinfo endpoint or of `trustedOrigins`: any other
   * is refused (`untrusted_origin`) before the token is read. The token is `options.token`, else
   * `fetchToken(name, ctx)`; it is refreshed first when it expires within `leeway` seconds, and once
   * more if the API itself answers 401 `invalid_token`. The call gives up after the app's `timeout`
   * (ky's `TimeoutError`), and its body is limited to `apiMaxResponseSize` bytes.
   *
   * @example
   * ```ts
   * const repos = await oauth.create('github').get('user/repos', { token }).json()
   * ```
   */
  override request(method: string, url: string | URL, options?: ApiRequestOptions<OAuth2Token>): ResponsePromise {
    return this.#api.request(method, url, options)
  }

  /**
   * The current token for API calls: `fetchToken(name, ctx)` (the app's, else the registry's), and
   * refreshed when due — the same token `get`/`post` would use.
   */
  async fetchToken(ctx?: TokenContext): Promise<OAuth2Token> {
    return this.#resolveToken(new CallState<OAuth2Token>(undefined, ctx))
  }

  /**
   * Refresh `token` now with its refresh_token (RFC 6749 §6), or for a `client_credentials` app fetch
   * a new one. Concurrent calls for the same token share one request and one `updateToken`; with a
   * registry `lock`, so do other processes. A refresh_token missing from the response is kept from
   * the old token. On failure throws `reauthentication_required` and stores nothing.
   */
  refreshToken(token: OAuth2Token, options: RefreshOptions = {}): Promise<OAuth2Token> {
    return this.#refreshShared(token, options)
  }

  /** True when the scope asks for OpenID Connect. */
  get isOpenId(): boolean {
    return hasOpenId(this.config.scope)
  }

  /**
   * The provider's metadata: discovered from `serverMetadataUrl` and merged with explicit endpoints.
   * Fetched on first use, cached for `metadataTtl` seconds, shared by all requests.
   */
  loadServerMetadata(): Promise<oauth.AuthorizationServer> {
    return this.#metadata.get()
  }

  /**
   * Build an authorization request (RFC 6749 §4.1.1 with PKCE S256, RFC 7636) without storing
   * anything: returns the URL and the transaction the callback will need.
   *
   * @param redirectUri - the exact callback URL registered with the provider.
   */
  async createAuthorizationUrl(redirectUri: string, options: AuthorizeOptions = {}): Promise<AuthorizationRequest> {
    checkKnownKeys(this.name, 'authorizeRedirect options', options, AUTHORIZE_OPTION_KEYS, asAuthorizeParam)
    if (!URL.canParse(redirectUri)) {
      throw new OAuthKitError(ErrorCode.INVALID_REQUEST, `${this.name}: redirectUri is not an absolute URL`, { app: this.name })
    }
    const params = { ...this.config.authorizeParams, ...options.params }
    for (const key of Object.keys(options.params ?? {})) {
      if (key === 'response_type' && options.params?.[key] !== 'code') throw implicitRefused(this.name)
      if (RESERVED.has(key)) {
        throw new OAuthKitError(ErrorCode.INVALID_REQUEST, `${this.name}: the "${key}" parameter is set by oauthkit and cannot be overridden`, { app: this.name })
      }
    }
    // An app that checks ID tokens (idTokenIssuer: tenant, hosted domain, organization) cannot let a login go without one.
    if (this.config.idTokenIssuer && !hasOpenId(params.scope ?? this.config.scope)) {
      throw new OAuthKitError(ErrorCode.INVALID_REQUEST, `${this.name}: the scope must include openid: this app checks each ID token (idTokenIssuer)`, { app: this.name })
    }
    // OIDC Core §3.1.2.1, §3.1.3.7: auth_time is checked against max_age at the callback, so it must be a number read as the provider reads it.
    if (params.max_age !== undefined && !isMaxAge(String(params.max_age))) {
      throw new OAuthKitError(ErrorCode.INVALID_REQUEST, `${this.name}: max_age must be a plain non-negative integer of seconds`, { app: this.name })
    }
    const as = await this.loadServerMetadata()
    if (!as.authorization_endpoint) {
      throw new OAuthKitError(ErrorCode.METADATA_INVALID, `${this.name}: the provider has no authorization_endpoint`, { app: this.name })
    }
    const url = new URL(as.authorization_endpoint)
    const state = oauth.generateRandomState()
    const tx: Transaction = { app: this.name, key: state, redirectUri, createdAt: Date.now() }
    if (as.issuer !== UNKNOWN_ISSUER) tx.issuer = as.issuer
    const scope = scopeString(params.scope ?? this.config.scope)
    const query: Record<string, string> = { ...params, response_type: 'code', client_id: this.config.clientId, redirect_uri: redirectUri, state }
    if (scope) query.scope = scope
    else delete query.scope
    if (this.config.pkce !== false) {
      tx.codeVerifier = oauth.generateRandomCodeVerifier()
      query.code_challenge = await oauth.calculatePKCECodeChallenge(tx.codeVerifier)
      query.code_challenge_method = 'S256'
    }
    if (scope?.split(' ').includes('openid')) {
      tx.oidc = true
      if (this.config.nonce !== false) {
        tx.nonce = oauth.generateRandomNonce()
        query.nonce = tx.nonce
      }
    }
    if (this.config.responseMode === 'form_post') query.response_mode = 'form_post'
    if (query.max_age !== undefined) tx.maxAge = Number(query.max_age)
    const returnTo = sameOriginPath(options.returnTo)
    if (returnTo) tx.returnTo = returnTo
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value)
    return { url, transaction: tx }
  }

  /**
   * Start a login: store a sealed transaction in a cookie keyed by its `state` and answer with a
   * 302 redirect to the provider. Several logins can be in flight at once (one per tab).
   *
   * @example
   * ```ts
   * return oauth.create('corp').authorizeRedirect({ cookies }, 'https://app.example/auth/corp/callback')
   * ```
   */
  async authorizeRedirect(ctx: OAuthContext, redirectUri: string, options: AuthorizeOptions = {}): Promise<Response> {
    checkContext(this.name, 'authorizeRedirect', ctx)
    const { url, transaction } = await this.createAuthorizationUrl(redirectUri, options)
    await this.env.transactions.save(ctx, transaction, this.transactionCookie(redirectUri), this.#ttl)
    return new Response(null, { status: 302, headers: { location: url.href, 'cache-control': 'no-store' } })
  }

  /**
   * Finish a login on the callback route: check the response against its transaction (state, RFC 9207
   * `iss`, app), exchange the code with the same redirect_uri and PKCE verifier, validate the ID token
   * (signature, alg, typ, iss, sub, aud, exp, iat, nonce, auth_time) and return the token with wire names and `userinfo`
   * set to the ID token's validated claims. The transaction is deleted whether this succeeds or not.
   * `updateToken` is called with the new token.
   */
  async authorizeAccessToken(ctx: OAuthContext, options: AuthorizeAccessTokenOptions = {}): Promise<OAuth2Token> {
    return (await this.completeAuthorization(ctx, options)).token
  }

  /**
   * {@link OAuth2App.authorizeAccessToken}, also returning the `returnTo` path the login was started
   * with (same-origin, checked when the login started). Integrations use it to redirect afterwards.
   */
  async completeAuthorization(ctx: OAuthContext, options: AuthorizeAccessTokenOptions = {}): Promise<CompletedAuthorization<OAuth2Token>> {
    checkContext(this.name, 'authorizeAccessToken', ctx)
    const request = ctx.request
    if (!request) throw new OAuthKitError(ErrorCode.INVALID_REQUEST, `${this.name}: authorizeAccessToken needs ctx.request (the callback request)`, { app: this.name })
    const params = await callbackParameters(request, this.name)
    const cookie = this.transactionCookie(new URL(request.url).href)
    const states = params.getAll('state')
    // RFC 6749 §3.1: a repeated state is refused below; first consume every transaction it names, so none can be retried.
    if (states.length > 1) for (const s of new Set(states)) await this.env.transactions.take(ctx, s, this.name, cookie, this.#ttl).catch(() => undefined)
    const state = single(params, 'state', this.name)
    if (state === undefined) {
      throw new OAuthKitError(ErrorCode.STATE_MISSING, `${this.name}: the callback has no state parameter`, { app: this.name })
    }
    const tx = await this.env.transactions.take(ctx, state, this.name, cookie, this.#ttl)
    const as = await this.loadServerMetadata()
    const expected: oauth.AuthorizationServer = { ...as, issuer: tx.issuer ?? UNKNOWN_ISSUER }
    if (tx.issuer === undefined) params.delete('iss') // No known issuer: RFC 9207 cannot apply; the transaction's app binding still stops mix-ups.
    let validated: URLSearchParams
    try {
      validated = oauth.validateAuthResponse(expected, this.client, params, tx.key)
    } catch (error) {
      throw authorizationResponseError(error, this.name)
    }
    // RFC 6749 §4.1.2, §3.1: exactly one code; a repeated or missing one is a malformed callback, not a token endpoint fault.
    if (single(validated, 'code', this.name) === undefined) {
      throw new OAuthKitError(ErrorCode.INVALID_AUTHORIZATION_RESPONSE, `${this.name}: the callback has no code parameter`, { app: this.name })
    }
    const token = await this.#exchange(as, expected, tx, validated, options)
    await this.persist(token, { reason: 'login', ctx })
    return tx.returnTo === undefined ? { token } : { token, returnTo: tx.returnTo }
  }

  /**
   * Call the userinfo endpoint with `token` (OIDC Core §5.3). When the token came with an ID token,
   * a userinfo `sub` that differs from the ID token's is rejected (§5.3.2).
   */
  async userinfo(token: Pick<OAuth2Token, 'access_token' | 'id_token' | 'userinfo'>): Promise<UserInfo> {
    const as = await this.loadServerMetadata()
    if (!as.userinfo_endpoint) throw new OAuthKitError(ErrorCode.METADATA_INVALID, `${this.name}: the provider has no userinfo_endpoint`, { app: this.name })
    const expectedSub = token.userinfo?.sub ?? (token.id_token ? jose.decodeJwt(token.id_token).sub : undefined)
    try {
      const response = await oauth.userInfoRequest(as, this.client, token.access_token, this.requestOptions('userinfo'))
      const info = await oauth.processUserInfoResponse(as, this.client, expectedSub ?? oauth.skipSubjectCheck, response)
      return info as UserInfo
    } catch (error) {
      if (error instanceof oauth.OperationProcessingError && /"sub"/.test(error.message)) {
        throw new OAuthKitError(ErrorCode.USERINFO_INVALID, `${this.name}: the userinfo sub differs from the ID token's sub`, { app: this.name, cause: sanitize(error) })
      }
      throw toOAuthKitError(error, this.name, 'userinfo', [token.access_token])
    }
  }

  /**
   * A new token with the client credentials grant (RFC 6749 §4.4), handed to `updateToken`.
   */
  async clientCredentials(options: { scope?: string | string[]; params?: Record<string, string>; ctx?: TokenContext } = {}): Promise<OAuth2Token> {
    const as = await this.loadServerMetadata()
    const params: Record<string, string> = { ...options.params }
    const scope = scopeString(options.scope ?? this.config.scope)
    if (scope) params.scope = scope
    let result: oauth.TokenEndpointResponse
    try {
      const response = await oauth.clientCredentialsGrantRequest(as, this.client, await this.clientAuth(), params, this.requestOptions('token'))
      result = await oauth.processClientCredentialsResponse(as, this.client, response)
    } catch (error) {
      throw toOAuthKitError(error, this.name, 'token', [staticSecret(this.config)])
    }
    const token = toToken(result)
    await this.persist(token, { reason: 'client_credentials', ctx: options.ctx })
    return token
  }

  /**
   * Start the device authorization grant (RFC 8628 §3.1): show `user_code` and `verification_uri` to
   * the user, then {@link OAuth2App.pollDeviceToken}.
   */
  deviceAuthorization(options?: grants.DeviceAuthorizationOptions): Promise<grants.DeviceAuthorization> {
    return grants.deviceAuthorization(this, options)
  }

  /**
   * Poll the token endpoint until the user approves the device (RFC 8628 §3.4–3.5): honours
   * `interval`, `slow_down`, `authorization_pending`, `expired_token`, `access_denied`; abortable.
   */
  pollDeviceToken(authorization: grants.DeviceAuthorization, options?: grants.PollDeviceTokenOptions): Promise<OAuth2Token> {
    return grants.pollDeviceToken(this, authorization, options)
  }

  /**
   * The resource owner password grant (RFC 6749 §4.3). Legacy and discouraged (RFC 9700 §2.4): the
   * app sees the user's password. Use the authorization code grant unless a provider leaves no choice.
   */
  passwordGrant(username: string, password: string, options?: grants.PasswordGrantOptions): Promise<OAuth2Token> {
    return grants.passwordGrant(this, username, password, options)
  }

  /** Exchange a token for another (RFC 8693). The result is not passed to `updateToken`. */
  tokenExchange(options: grants.TokenExchangeOptions): Promise<grants.ExchangedToken> {
    return grants.tokenExchange(this, options)
  }

  /** Revoke a token (RFC 7009); given a token object, its refresh token when it has one. */
  revokeToken(token: string | OAuth2Token, options?: grants.RevokeTokenOptions): Promise<void> {
    return grants.revokeToken(this, token, options)
  }

  /** Ask the provider whether a token is active (RFC 7662). */
  introspectToken(token: string, options?: grants.IntrospectTokenOptions): Promise<grants.TokenIntrospection> {
    return grants.introspectToken(this, token, options)
  }

  /** The provider's RP-initiated logout URL (OpenID Connect RP-Initiated Logout 1.0 §2). */
  createLogoutUrl(options?: grants.LogoutOptions): Promise<URL> {
    return grants.createLogoutUrl(this, options)
  }

  /** A 302 to the provider's logout endpoint, so the provider session ends too. */
  logoutRedirect(options?: grants.LogoutOptions): Promise<Response> {
    return grants.logoutRedirect(this, options)
  }

  async #resolveToken(state: CallState<OAuth2Token>): Promise<OAuth2Token> {
    let token = state.token
    if (!token) {
      const read = this.config.fetchToken ?? this.env.fetchToken
      token = (await read?.(this.name, state.ctx)) ?? undefined
    }
    if (!token) {
      if (this.config.grantType !== 'client_credentials') throw tokenMissing(this.name, Boolean(this.config.fetchToken ?? this.env.fetchToken))
      token = await this.#singleFlight('client_credentials', () => this.clientCredentials({ ctx: state.ctx }))
    } else if (this.#isDue(token)) {
      token = await this.#refreshShared(token, { ctx: state.ctx })
    }
    state.token = token
    return token
  }

  #isDue(token: OAuth2Token): boolean {
    return typeof token.expires_at === 'number' && token.expires_at - (this.config.leeway ?? 60) <= Date.now() / 1000
  }

  /** ApiAuthorizer.authorize: `request` is the outgoing copy only `fetch` sees, so it may be changed in place. */
  #authorize(request: Request, token: OAuth2Token): Request {
    if (typeof token.access_token !== 'string' || token.access_token === '') {
      throw new OAuthKitError(ErrorCode.TOKEN_MISSING, `${this.name}: the token has no access_token`, { app: this.name })
    }
    if (typeof token.token_type !== 'string' || token.token_type.toLowerCase() !== 'bearer') {
      throw new OAuthKitError(ErrorCode.UNSUPPORTED_TOKEN_TYPE, `${this.name}: token_type "${String(token.token_type)}" is not supported; only Bearer tokens are sent`, { app: this.name })
    }
    if (this.config.tokenPlacement === 'uri') {
      // Only when the app asks: a token in a URL leaks through logs and Referer (RFC 9700 §4.3.2).
      const url = new URL(request.url)
      url.searchParams.set('access_token', token.access_token)
      return new Request(url, request)
    }
    request.headers.set('authorization', `Bearer ${token.access_token}`)
    return request
  }

  /** A 401 with `error="invalid_token"` (RFC 6750 §3.1) is worth one refresh, when one is possible. */
  async #recover(response: Response, state: CallState<OAuth2Token>): Promise<boolean> {
    const challenge = response.headers.get('www-authenticate') ?? ''
    if (!/^\s*bearer\b/i.test(challenge) || !/\berror\s*=\s*"?invalid_token"?/i.test(challenge)) return false
    const token = state.token
    if (!token || (!token.refresh_token && this.config.grantType !== 'client_credentials')) return false
    state.token = await this.#refreshShared(token, { ctx: state.ctx })
    return true
  }

  /** One refresh per old token at a time, in this process and (with `lock`) across processes. */
  async #refreshShared(token: OAuth2Token, options: RefreshOptions): Promise<OAuth2Token> {
    const clientCredentials = this.config.grantType === 'client_credentials'
    if (!clientCredentials && !token.refresh_token) {
      throw new OAuthKitError(ErrorCode.REAUTHENTICATION_REQUIRED, `${this.name}: the token expired and has no refresh_token; sign the user in again`, { app: this.name })
    }
    const key = await this.#refreshKey(clientCredentials ? token.access_token : token.refresh_token!)
    const recent = this.#recent.get(key)
    if (recent && Date.now() - recent.at < 60_000) return recent.token
    return this.#singleFlight(key, async () => {
      const run = async () => {
        // Another process may have refreshed while this one waited for the lock.
        const read = this.config.fetchToken ?? this.env.fetchToken
        const stored = this.env.lock && read ? await read(this.name, options.ctx) : undefined
        if (stored && stored.access_token !== token.access_token && !this.#isDue(stored)) return stored
        return clientCredentials ? this.clientCredentials({ ctx: options.ctx }) : this.#refresh(token, options)
      }
      const fresh = this.env.lock ? await this.env.lock(`oauthkit:refresh:${key}`, run) : await run()
      const now = Date.now()
      for (const [k, v] of this.#recent) if (now - v.at >= 60_000 || this.#recent.size > 1000) this.#recent.delete(k)
      this.#recent.set(key, { token: fresh, at: now })
      return fresh
    })
  }

  #singleFlight(key: string, fn: () => Promise<OAuth2Token>): Promise<OAuth2Token> {
    let pending = this.#inflight.get(key)
    if (!pending) {
      pending = fn().finally(() => this.#inflight.delete(key))
      this.#inflight.set(key, pending)
    }
    return pending
  }

  /** A digest of the token, so no secret is kept as a map key or sent to a lock service. */
  async #refreshKey(secret: string): Promise<string> {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(`${this.name}\0${secret}`))
    return base64url(new Uint8Array(digest))
  }

  async #refresh(token: OAuth2Token, options: RefreshOptions): Promise<OAuth2Token> {
    let fresh: OAuth2Token
    try {
      const as = await this.loadServerMetadata()
      const response = await oauth.refreshTokenGrantRequest(as, this.client, await this.clientAuth(), token.refresh_token!, {
        ...this.requestOptions('refresh'),
        additionalParameters: options.params,
      })
      // Like the login, a refreshed ID token is checked against the issuer idTokenIssuer names (multi-tenant); §12.2 below pins it to the login's.
      const asForToken = { ...as, issuer: await this.idTokenIssuerFor(response, as.issuer) }
      const result = await oauth.processRefreshTokenResponse(asForToken, this.client, response)
      const claims = oauth.getValidatedIdTokenClaims(result) as IdTokenClaims | undefined
      if (result.id_token && claims) {
        await this.verifyIdTokenSignature(asForToken, result.id_token)
        // OIDC Core §12.2: a refreshed ID token must name the same issuer and subject.
        const previous = token.userinfo
        if (previous && (claims.iss !== previous.iss || claims.sub !== previous.sub)) {
          throw new OAuthKitError(ErrorCode.ID_TOKEN_INVALID, `${this.name}: the refreshed ID token names another issuer or subject`, { app: this.name })
        }
      }
      fresh = toToken(result, claims)
      if (!claims && token.userinfo) fresh.userinfo = token.userinfo
      if (fresh.refresh_token === undefined && token.refresh_token !== undefined) fresh.refresh_token = token.refresh_token
    } catch (error) {
      const cause = toOAuthKitError(error, this.name, 'refresh', [token.refresh_token, token.access_token, staticSecret(this.config)])
      throw new OAuthKitError(ErrorCode.REAUTHENTICATION_REQUIRED, `${this.name}: the token could not be refreshed (${cause.code}${cause.error ? `: ${cause.error}` : ''}); sign the user in again`, {
        app: this.name,
        cause,
        error: cause.error,
        errorDescription: cause.errorDescription,
        status: cause.status,
      })
    }
    await this.persist(fresh, { reason: 'refresh', ctx: options.ctx, refreshToken: token.refresh_token, accessToken: token.access_token })
    return fresh
  }

  /**
   * The signed-in user's profile, normalised (`sub`, `name`, `email`, `email_verified`, `picture`)
   * with the provider's own profile as `raw`: a preset's loader, else the userinfo claims, else the
   * validated ID token claims. The token defaults to `fetchToken(name, ctx)`.
   */
  async profile(token?: OAuth2Token, ctx?: TokenContext): Promise<NormalizedProfile> {
    const current = token ?? (await this.fetchToken(ctx))
    if (this.config.profile) {
      return (await this.config.profile(this.#profileApi, current)) as NormalizedProfile
    }
    const as = await this.loadServerMetadata()
    const claims = as.userinfo_endpoint ? await this.userinfo(current) : current.userinfo
    if (!claims || typeof claims.sub !== 'string') {
      throw new OAuthKitError(ErrorCode.UNSUPPORTED_OPERATION, `${this.name}: no userinfo endpoint, no ID token and no profile loader: configure profile`, { app: this.name })
    }
    return standardProfile(claims)
  }

  get #profileApi(): ProfileApi {
    // Bodies oauthkit reads itself are held to maxResponseSize, like every protocol response.
    return {
      name: this.name,
      getJson: <T>(url: string, token: OAuth2Token) => this.#api.json<T>('GET', url, { token }),
      requestJson: <T>(method: string, url: string, token: OAuth2Token, options: { json?: unknown } = {}) =>
        this.#api.json<T>(method, url, options.json === undefined ? { token } : { token, json: options.json }),
      userinfo: (token: OAuth2Token) => this.userinfo(token),
    }
  }

  /** What `console.log(app)` and `util.inspect(app)` show: the name and the config, secrets redacted. */
  [INSPECT](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    return `OAuth2App ${inspect(this.toJSON(), options)}`
  }

  /** What `JSON.stringify(app)` gives: the name and the config, secrets redacted. */
  toJSON(): { kind: 'oauth2'; name: string; config: Record<string, unknown> } {
    return { kind: this.kind, name: this.name, config: redactedView(this.config) }
  }

  /** Cookie attributes for this app's transactions: Secure and `__Host-` except on http loopback; None for form_post. @internal */
  protected transactionCookie(url: string): TransactionCookieOptions {
    const parsed = new URL(url)
    const insecureLoopback = parsed.protocol === 'http:' && isLoopback(parsed)
    // A form_post callback is a cross-site POST: Lax cookies are not sent with it (Sign in with Apple).
    if (this.config.responseMode === 'form_post') return { secure: true, sameSite: 'none', insecureLoopback }
    return { secure: !insecureLoopback, sameSite: 'lax', insecureLoopback }
  }

  get #ttl(): number {
    return this.config.transactionTtl ?? this.env.transactions.ttl
  }

  /** @internal */
  clientAuth(): Promise<oauth.ClientAuth> {
    this.#clientAuth ??= clientAuthOf(this.name, this.config)
    this.#clientAuth.catch(() => (this.#clientAuth = undefined))
    return this.#clientAuth
  }

  /** @internal */
  requestOptions(step: 'token' | 'refresh' | 'userinfo' | 'revocation' | 'introspection' | 'device') {
    return { [oauth.customFetch]: this.http.fetchFor(step), [oauth.allowInsecureRequests]: this.insecure }
  }

  async #exchange(as: oauth.AuthorizationServer, expected: oauth.AuthorizationServer, tx: Transaction, params: URLSearchParams, options: AuthorizeAccessTokenOptions): Promise<OAuth2Token> {
    const clientAuth = await this.clientAuth()
    let response: Response
    try {
      response = await oauth.authorizationCodeGrantRequest(as, this.client, clientAuth, params, tx.redirectUri, tx.codeVerifier ?? oauth.nopkce, {
        ...this.requestOptions('token'),
        additionalParameters: { ...this.config.accessTokenParams, ...options.params },
      })
    } catch (error) {
      throw toOAuthKitError(error, this.name, 'token', [params.get('code') ?? undefined, tx.codeVerifier, staticSecret(this.config)])
    }
    const idTokenIssuer = await this.idTokenIssuerFor(response, expected.issuer)
    const asForToken = { ...expected, issuer: idTokenIssuer }
    let result: oauth.TokenEndpointResponse
    try {
      result = await oauth.processAuthorizationCodeResponse(asForToken, this.client, response, {
        expectedNonce: tx.nonce,
        requireIdToken: tx.oidc === true || tx.nonce !== undefined || this.config.idTokenIssuer !== undefined,
        maxAge: tx.maxAge,
      })
    } catch (error) {
      throw toOAuthKitError(error, this.name, 'token', [params.get('code') ?? undefined, tx.codeVerifier, staticSecret(this.config)])
    }
    const claims = oauth.getValidatedIdTokenClaims(result) as IdTokenClaims | undefined
    // OIDC Core §3.1.3.7 (10): an ID token issued before this login started (its nonce did not exist yet) is refused.
    if (claims && claims.iat < tx.createdAt / 1000 - (this.config.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE)) {
      throw new OAuthKitError(ErrorCode.ID_TOKEN_INVALID, `${this.name}: the ID token was issued before this login started (iat too far in the past; if the clocks differ, fix them or raise clockTolerance)`, { app: this.name })
    }
    if (result.id_token) await this.verifyIdTokenSignature(asForToken, result.id_token)
    return toToken(result, claims)
  }

  /**
   * The issuer an ID token must carry: the metadata issuer, or what the app's `idTokenIssuer` says
   * for this token (read from a copy of the response; the token is validated against it after).
   * @internal
   */
  async idTokenIssuerFor(response: Response, issuer: string): Promise<string> {
    const resolve = this.config.idTokenIssuer
    if (!resolve || !response.ok) return issuer
    try {
      const body = (await response.clone().json()) as { id_token?: unknown }
      if (typeof body.id_token !== 'string') return issuer
      return resolve(jose.decodeJwt(body.id_token) as IdTokenClaims, issuer)
    } catch (error) {
      // A resolver that refuses the token (wrong tenant) says why; a malformed token fails validation next.
      if (isOAuthKitError(error)) throw error
      return issuer
    }
  }

  /**
   * Verify the ID token's JWS signature with the provider's JWKS (or the client secret for HS*),
   * only with the algorithms the client or provider allows; `none` is never accepted. Also refuses an
   * explicitly typed JWT (`at+jwt`, …), an empty `sub`, an `iat` in the future and extra audiences.
   * @internal
   */
  async verifyIdTokenSignature(as: oauth.AuthorizationServer, idToken: string): Promise<void> {
    const allowed = (this.config.idTokenSignedResponseAlg ? [this.config.idTokenSignedResponseAlg] : (as.id_token_signing_alg_values_supported ?? ['RS256'])).filter((a) => a !== 'none')
    const tolerance = this.config.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE
    const refuse = (why: string) => new OAuthKitError(ErrorCode.ID_TOKEN_INVALID, `${this.name}: ${why}`, { app: this.name })
    try {
      const { alg, typ } = jose.decodeProtectedHeader(idToken)
      if (typeof alg !== 'string' || !allowed.includes(alg)) throw refuse(`the ID token alg "${providerText(String(alg), [], 20) ?? ''}" is not allowed`)
      // RFC 8725 §3.11, RFC 9068 §4: an explicitly typed JWT (`at+jwt`, `logout+jwt`, …) is another kind of token, never an ID token.
      if (typeof typ === 'string' && /\+jwt$/i.test(typ)) throw refuse(`the JWT offered as an ID token is typed "${providerText(typ, [], 40) ?? ''}", another kind of token`)
      const claims = jose.decodeJwt(idToken)
      // OIDC Core §2: sub is a non-empty identifier; an empty one would match every account keyed on it.
      if (claims.sub === '') throw refuse('the ID token has an empty sub')
      // OIDC Core §2: iat is when the token was issued; one from the future (beyond the clock tolerance) is forged or mis-clocked.
      if (typeof claims.iat === 'number' && claims.iat > Date.now() / 1000 + tolerance) {
        throw refuse('the ID token was issued in the future (iat beyond the clock tolerance; if the clocks differ, fix them or raise clockTolerance)')
      }
      const options: jose.JWTVerifyOptions = {
        algorithms: allowed,
        issuer: as.issuer,
        audience: this.config.clientId,
        clockTolerance: tolerance,
      }
      let verified: jose.JWTVerifyResult
      if (alg.startsWith('HS')) {
        const secret = await currentSecret(this.config)
        if (!secret) throw new OAuthKitError(ErrorCode.ID_TOKEN_INVALID, `${this.name}: an ${alg} ID token needs a client secret`, { app: this.name })
        verified = await jose.jwtVerify(idToken, new TextEncoder().encode(secret), options)
      } else {
        verified = await jose.jwtVerify(idToken, this.#jwksFor(as).resolve, options)
      }
      // OIDC Core §3.1.3.7 (3): an ID token that also names audiences this client does not trust is refused.
      const { aud } = verified.payload
      if (Array.isArray(aud) && aud.some((a) => a !== this.config.clientId)) {
        throw new OAuthKitError(ErrorCode.ID_TOKEN_INVALID, `${this.name}: the ID token names audiences besides this client`, { app: this.name })
      }
    } catch (error) {
      if (isOAuthKitError(error)) throw error
      throw new OAuthKitError(ErrorCode.ID_TOKEN_INVALID, `${this.name}: the ID token signature could not be verified (${(error as Error).message})`, { app: this.name, cause: sanitize(error) })
    }
  }

  #jwksFor(as: oauth.AuthorizationServer): JwksCache {
    if (!as.jwks_uri) throw new OAuthKitError(ErrorCode.METADATA_INVALID, `${this.name}: the provider has no jwks_uri to verify ID tokens with`, { app: this.name })
    if (this.#jwks?.uri !== as.jwks_uri) this.#jwks = new JwksCache(this.name, as.jwks_uri, this.http, (this.config.metadataTtl ?? 3600) * 1000)
    return this.#jwks
  }

  /** Hand a new token to `updateToken` (the app's, else the registry's). @internal */
  async persist(token: OAuth2Token, info: UpdateTokenInfo): Promise<void> {
    const update = this.config.updateToken ?? this.env.updateToken
    if (update) await update(this.name, token, info)
  }
}

function implicitRefused(app: string): OAuthKitError {
  return new OAuthKitError(
    ErrorCode.UNSUPPORTED_OPERATION,
    `${app}: the implicit and hybrid grants are refused (RFC 9700 §2.1.2): use the authorization code grant with PKCE, which authorizeRedirect does`,
    { app },
  )
}

/** Standard OpenID Connect claims as a normalised profile. @internal */
export function standardProfile(claims: { sub: string; [claim: string]: unknown }): NormalizedProfile {
  const profile: NormalizedProfile = { sub: claims.sub, raw: { ...claims } }
  if (typeof claims.name === 'string') profile.name = claims.name
  if (typeof claims.email === 'string') profile.email = claims.email
  if (typeof claims.email_verified === 'boolean') profile.email_verified = claims.email_verified
  if (typeof claims.picture === 'string') profile.picture = claims.picture
  return profile
}

/** Longest `returnTo` kept, in bytes once normalised: a longer one is dropped, so logins cannot fill the Cookie header. */
const MAX_RETURN_TO_BYTES = 512

/** A same-origin relative path of at most 512 bytes, or undefined: `//host`, `/\host`, absolute URLs and longer paths are dropped. @internal */
export function sameOriginPath(value: string | undefined): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_RETURN_TO_BYTES || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined
  const base = 'http://oauthkit.invalid'
  try {
    const url = new URL(value, base)
    const path = url.pathname + url.search + url.hash // ASCII: the URL parser percent-encodes the rest
    // Dot segments normalise `/.//evil.example` to `//evil.example`, a network-path reference (RFC 3986 §4.2): refuse it.
    return url.origin === base && !url.pathname.startsWith('//') && path.length <= MAX_RETURN_TO_BYTES ? path : undefined
  } catch {
    return undefined
  }
}

/** Largest callback body read (a form_post response is a few hundred bytes; RFC 6749 §4.1.2). */
const MAX_CALLBACK_BODY_BYTES = 64 * 1024

/** The callback's parameters: the query, or the form body of a `form_post` callback (read at most 64 KiB). @internal */
export async function callbackParameters(request: Request, app: string): Promise<URLSearchParams> {
  const url = new URL(request.url)
  if (request.method === 'POST') {
    const type = request.headers.get('content-type') ?? ''
    if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      throw new OAuthKitError(ErrorCode.INVALID_AUTHORIZATION_RESPONSE, `${app}: a POST callback must be application/x-www-form-urlencoded (response_mode=form_post)`, { app })
    }
    const tooLarge = () => new OAuthKitError(ErrorCode.INVALID_AUTHORIZATION_RESPONSE, `${app}: the callback body is too large (over ${MAX_CALLBACK_BODY_BYTES} bytes)`, { app })
    // A declared size over the cap is refused unread; an undeclared or false one is counted as it streams.
    if (Number(request.headers.get('content-length') ?? 0) > MAX_CALLBACK_BODY_BYTES) throw tooLarge()
    const reader = request.clone().body?.getReader()
    const chunks: Uint8Array[] = []
    let size = 0
    for (let read = await reader?.read(); read && !read.done; read = await reader!.read()) {
      size += read.value.byteLength
      if (size > MAX_CALLBACK_BODY_BYTES) {
        // Cancel both branches of the clone's tee, so the source stops too (a lone branch's cancel waits for the other).
        await Promise.all([reader!.cancel(), request.body?.cancel()]).catch(() => undefined)
        throw tooLarge()
      }
      chunks.push(read.value)
    }
    const body = new Uint8Array(size)
    let offset = 0
    for (const chunk of chunks) {
      body.set(chunk, offset)
      offset += chunk.byteLength
    }
    return new URLSearchParams(new TextDecoder().decode(body))
  }
  return new URLSearchParams(url.search)
}

/** One parameter value; a repeated parameter is refused (RFC 6749 §3.1). @internal */
export function single(params: URLSearchParams, name: string, app: string): string | undefined {
  const values = params.getAll(name)
  if (values.length > 1) {
    throw new OAuthKitError(ErrorCode.INVALID_AUTHORIZATION_RESPONSE, `${app}: the callback repeats the "${name}" parameter`, { app })
  }
  return values[0] || undefined
}

function authorizationResponseError(error: unknown, app: string): OAuthKitError {
  if (error instanceof oauth.AuthorizationResponseError) {
    // The callback's text is the attacker's to choose: cleaned before it reaches a message or a log.
    const fields = { app, error: providerText(error.error), errorDescription: providerText(error.error_description), errorUri: providerText(error.cause.get('error_uri')) }
    const said = fields.errorDescription ? `: ${fields.errorDescription}` : ''
    if (error.error === 'access_denied') return new OAuthKitError(ErrorCode.ACCESS_DENIED, `${app}: the authorization was denied${said}`, fields)
    return new OAuthKitError(ErrorCode.AUTHORIZATION_ERROR, `${app}: the provider answered with error "${fields.error ?? ''}"${said}`, fields)
  }
  if (error instanceof oauth.OperationProcessingError) {
    if (/"iss" \(issuer\) missing/.test(error.message)) {
      return new OAuthKitError(ErrorCode.ISSUER_MISSING, `${app}: the callback has no iss parameter, but the provider advertises it (RFC 9207)`, { app })
    }
    if (/"iss" \(issuer\)/.test(error.message)) {
      return new OAuthKitError(ErrorCode.ISSUER_MISMATCH, `${app}: the callback's iss is not the expected issuer (RFC 9207; possible mix-up attack)`, { app })
    }
    return new OAuthKitError(ErrorCode.INVALID_AUTHORIZATION_RESPONSE, `${app}: invalid authorization response: ${error.message}`, { app })
  }
  if (error instanceof oauth.UnsupportedOperationError) return implicitRefused(app)
  return toOAuthKitError(error, app, 'token')
}
