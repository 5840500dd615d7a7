/**
 * An OAuth 1.0a app (RFC 5849, with the 1.0a callback confirmation and verifier): the three-legged
 * flow and signed API calls, with the same lifecycle and surface as an OAuth 2 app.
 *
 * @module
 */
import type { ResponsePromise } from 'ky'
import { checkContext, tokenMissing } from '../arguments.js'
import { AUTHORIZE_OPTION_KEYS, asAuthorizeParam, checkKnownKeys } from '../config-keys.js'
import { ApiClient, ApiMethods, CallState, DEFAULT_API_MAX_RESPONSE_SIZE, type ApiRequestOptions } from '../api.js'
import type { BaseAppConfig, NormalizedProfile, UpdateTokenInfo } from '../config.js'
import { checkUrl, configError, isLoopback, validateBaseConfig } from '../config.js'
import { ErrorCode, OAuthKitError, isOAuthKitError } from '../errors.js'
import { HttpClient } from '../http.js'
import { MAX_PROVIDER_TEXT, providerText } from '../provider-text.js'
import type { AppEnvironment, AuthorizationRequest, AuthorizeAccessTokenOptions, AuthorizeOptions, CompletedAuthorization } from '../oauth2.js'
import { callbackParameters, sameOriginPath, single } from '../oauth2.js'
import { INSPECT, redactedView, withRedaction } from '../redact.js'
import type { Transaction, TransactionCookieOptions } from '../transaction.js'
import type { OAuthContext, RequestHook, ResponseHook, TokenContext } from '../types.js'
import { importRsaSha1Key, signRequest, type OAuth1Credentials, type SignatureMethod, type SignaturePlacement, type SignRequestInput } from './signature.js'

/**
 * OAuth 1.0a token credentials as the provider sent them, wire names kept: `oauth_token`,
 * `oauth_token_secret`, and whatever else the access-token endpoint returned (Twitter/X adds `user_id`
 * and `screen_name`), as strings. They do not expire and cannot be refreshed.
 *
 * @group Tokens
 */
export interface OAuth1Token {
  /** The token identifier, sent as `oauth_token` on every signed request. */
  oauth_token: string
  /** The token shared secret: half of the signing key. Never sent. */
  oauth_token_secret: string
  /** Any other field of the access-token response (`user_id`, `screen_name`, …). */
  [parameter: string]: unknown
}

/** Reads the stored OAuth 1 token of the current user for an app. @group Tokens */
export type OAuth1FetchToken = (name: string, ctx?: TokenContext) => Promise<OAuth1Token | undefined | null> | OAuth1Token | undefined | null

/** Persists a new OAuth 1 token; called once after each login. @group Tokens */
export type OAuth1UpdateToken = (name: string, token: OAuth1Token, info: UpdateTokenInfo) => Promise<void> | void

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
export type OAuth1ProfileLoader<Raw = Record<string, unknown>> = (api: OAuth1ProfileApi, token: OAuth1Token) => Promise<NormalizedProfile<Raw>>

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

const SIGNATURE_METHODS: readonly SignatureMethod[] = ['HMAC-SHA1', 'HMAC-SHA256', 'RSA-SHA1', 'PLAINTEXT']
const PLACEMENTS: readonly SignaturePlacement[] = ['header', 'query', 'body']
const URL_FIELDS = ['requestTokenUrl', 'accessTokenUrl', 'authorizeUrl', 'apiBaseUrl'] as const
/** OAuth 2 options that mean nothing to an OAuth 1 app: refused, so a mixed-up config fails loudly. */
const OAUTH2_ONLY = ['serverMetadataUrl', 'issuer', 'scope', 'grantType', 'tokenEndpointAuthMethod', 'clientSecretBasicEncoding', 'clientAssertionAudience', 'pkce', 'responseMode', 'privateKey'] as const
/** The protocol parameters oauthkit adds to a signed request (and strips again before re-signing a retry). */
const OWN_PARAMS: ReadonlySet<string> = new Set(['oauth_consumer_key', 'oauth_nonce', 'oauth_signature', 'oauth_signature_method', 'oauth_timestamp', 'oauth_token'])
const FORM_TYPE = 'application/x-www-form-urlencoded'

function checkParams(name: string, field: string, params: unknown, reserved: (key: string) => boolean): void {
  if (params === undefined) return
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw configError(name, field, 'must be an object of strings')
  for (const [key, value] of Object.entries(params)) {
    if (typeof value !== 'string') throw configError(name, `${field}.${key}`, 'must be a string')
    if (reserved(key)) throw configError(name, `${field}.${key}`, 'is set by oauthkit and cannot be configured')
  }
}

/**
 * Check an OAuth 1 app's config. Throws an {@link OAuthKitError} `config_invalid` naming the app and
 * the field.
 * @internal
 */
export function validateOAuth1Config(name: string, config: OAuth1AppConfig): void {
  validateBaseConfig(name, config as unknown as BaseAppConfig)
  for (const field of ['requestTokenUrl', 'accessTokenUrl', 'authorizeUrl'] as const) {
    if (config[field] === undefined || config[field] === '') throw configError(name, field, 'is required for an OAuth 1 app')
  }
  for (const field of URL_FIELDS) checkUrl(name, field, config[field], config.allowInsecureRequests)
  const raw = config as unknown as Record<string, unknown>
  for (const field of OAUTH2_ONLY) {
    if (raw[field] !== undefined) throw configError(name, field, 'is an OAuth 2 option; an OAuth 1 app (requestTokenUrl) does not use it')
  }
  const method = config.signatureMethod ?? 'HMAC-SHA1'
  if (!SIGNATURE_METHODS.includes(method)) throw configError(name, 'signatureMethod', `must be one of ${SIGNATURE_METHODS.join(', ')}`)
  const placement = config.signaturePlacement ?? 'header'
  if (!PLACEMENTS.includes(placement)) throw configError(name, 'signaturePlacement', `must be one of ${PLACEMENTS.join(', ')}`)
  if (method === 'RSA-SHA1') {
    const key = config.rsaKey
    if (key === undefined) throw configError(name, 'rsaKey', 'is required for RSA-SHA1')
    if (typeof key === 'string') {
      if (/-----BEGIN RSA PRIVATE KEY-----/.test(key)) throw configError(name, 'rsaKey', 'is a PKCS#1 key: convert it to PKCS#8 (openssl pkcs8 -topk8 -nocrypt)')
      if (!/-----BEGIN PRIVATE KEY-----[\s\S]+-----END PRIVATE KEY-----/.test(key)) throw configError(name, 'rsaKey', 'must be an unencrypted PKCS#8 PEM private key (BEGIN PRIVATE KEY) or a CryptoKey')
    } else if (typeof key !== 'object' || key === null || (key as Partial<CryptoKey>).type !== 'private') {
      throw configError(name, 'rsaKey', 'must be a PKCS#8 PEM string or a private CryptoKey')
    }
  } else {
    if (typeof config.clientSecret !== 'string') throw configError(name, 'clientSecret', `is required for ${method} (only RSA-SHA1 signs without one)`)
    if (config.rsaKey !== undefined) throw configError(name, 'rsaKey', `is only used with signatureMethod RSA-SHA1 (this app uses ${method})`)
  }
  if (method === 'PLAINTEXT') {
    // PLAINTEXT sends the secrets as the signature: only over TLS, or to a loopback host.
    for (const field of URL_FIELDS) {
      const value = config[field]
      if (value !== undefined && new URL(value).protocol === 'http:' && !isLoopback(new URL(value))) {
        throw configError(name, field, 'uses http: with PLAINTEXT, which would send the secrets in the clear (RFC 5849 §3.4.4)')
      }
    }
  }
  if (config.realm !== undefined && (typeof config.realm !== 'string' || !/^[\x20-\x7e]*$/.test(config.realm))) {
    throw configError(name, 'realm', 'must be a printable ASCII string')
  }
  checkParams(name, 'requestTokenParams', config.requestTokenParams, (key) => key.startsWith('oauth_'))
  checkParams(name, 'authorizeParams', config.authorizeParams, (key) => key === 'oauth_token')
  if (config.transactionTtl !== undefined && !(Number.isFinite(config.transactionTtl) && config.transactionTtl >= 0)) {
    throw configError(name, 'transactionTtl', 'must be a non-negative number of seconds')
  }
  if (config.profile !== undefined && typeof config.profile !== 'function') throw configError(name, 'profile', 'must be a profile loader function')
}

/** The two token endpoints, as error messages name them. */
type Endpoint = 'request token' | 'access token'

/**
 * An OAuth 1.0a remote app, made by {@link OAuth.register} for a config with `requestTokenUrl` and
 * returned by {@link OAuth.create}. Same surface as an {@link OAuth2App}: `authorizeRedirect`,
 * `authorizeAccessToken`, `fetchToken`, `profile` (with a loader), and signed `get`/`post`/`put`/`patch`/`delete`/`request`.
 *
 * Errors (every one an {@link OAuthKitError}):
 * - a token endpoint that refuses the request (a 4xx with an error body — `oauth_problem=…` form,
 *   oauthlib's `error=…&error_description=…` form or Twitter's `{"errors":[{"code":32,"message":"…"}]}`
 *   JSON — or any 401: bad signature, used nonce,
 *   stale timestamp, unknown token, wrong verifier) is `token_error`, with the provider's problem or
 *   error code in `error`, its text in `errorDescription` and the HTTP status in `status`;
 *   another failed status is `http_error`;
 * - a token endpoint answer that is not form-encoded `oauth_token` + `oauth_token_secret` (an HTML
 *   page with HTTP 200, JSON) is `invalid_response`;
 * - temporary credentials without `oauth_callback_confirmed=true` (OAuth 1.0, not 1.0a) are
 *   `oauth1_error` (the value is compared without case: Authlib's provider sends `True`);
 * - a callback with `denied` is `access_denied`; without `oauth_token` `state_missing`; one that
 *   matches no login of this app `transaction_not_found`, `transaction_invalid`, `transaction_expired`
 *   or `app_mismatch`.
 *
 * API calls return ky's response promise, as for OAuth 2: an API error status is ky's `HTTPError`.
 *
 * @group OAuth 1
 */
export class OAuth1App extends ApiMethods<OAuth1Token> {
  /** Always `'oauth1'`; tells OAuth 1 apps from OAuth 2 ones. */
  readonly kind = 'oauth1' as const
  /** The name the app was registered under. */
  readonly name: string
  /**
   * The app's configuration, as registered: a copy that prints (`console.log`, `JSON.stringify`) with
   * `clientSecret` and `rsaKey` redacted; reading a field gives its value.
   */
  readonly config: Readonly<OAuth1AppConfig>
  readonly #env: AppEnvironment
  readonly #requestTokenHttp: HttpClient
  readonly #accessTokenHttp: HttpClient
  readonly #api: ApiClient<OAuth1Token>
  #rsaKey?: Promise<CryptoKey>

  /** @internal */
  constructor(name: string, config: OAuth1AppConfig, env: AppEnvironment) {
    super()
    this.name = name
    this.config = withRedaction(config)
    this.#env = env
    const http = (accessTokenResponse: ResponseHook | ResponseHook[] | undefined) =>
      new HttpClient({
        app: name,
        fetch: config.fetch ?? env.fetch,
        timeout: config.timeout ?? 10_000,
        maxResponseSize: config.maxResponseSize ?? 1024 * 1024,
        // HttpClient runs `accessTokenResponse` for its 'token' step: one client per endpoint.
        hooks: accessTokenResponse === undefined ? {} : { accessTokenResponse },
        userAgent: config.userAgent,
      })
    this.#requestTokenHttp = http(config.hooks?.requestTokenResponse)
    this.#accessTokenHttp = http(config.hooks?.accessTokenResponse)
    this.#api = new ApiClient<OAuth1Token>(
      name,
      {
        apiBaseUrl: config.apiBaseUrl,
        fetch: config.fetch ?? env.fetch,
        userAgent: config.userAgent,
        hooks: config.hooks?.protectedRequest,
        // The signature (with PLAINTEXT, the secrets themselves) goes only to the API, unless the app trusts more.
        trustedOrigins: config.trustedOrigins,
        allowInsecureRequests: config.allowInsecureRequests,
        timeout: config.timeout ?? 10_000,
        maxResponseSize: config.apiMaxResponseSize ?? DEFAULT_API_MAX_RESPONSE_SIZE,
        maxJsonSize: config.maxResponseSize ?? 1024 * 1024,
      },
      {
        resolve: (state) => this.#resolveToken(state),
        authorize: (request, token) => this.#sign(request, token),
        // OAuth 1 tokens neither expire nor refresh: nothing to recover on a 401.
      },
    )
  }

  /**
   * A signed request to the provider's API, through ky. A relative `url` is appended to `apiBaseUrl`
   * (`'account/verify_credentials.json'` and `'/account/verify_credentials.json'` both mean
   * `${apiBaseUrl}/account/verify_credentials.json`); an absolute URL is used as is, but only on the
   * origin of `apiBaseUrl` or of `trustedOrigins`: any other is refused (`untrusted_origin`) before
   * anything is signed or sent. The call gives up after the app's `timeout` (ky's `TimeoutError`), and
   * its body is limited to `apiMaxResponseSize` bytes.
   *
   * The token is `options.token`, else `fetchToken(name, ctx)`. The request is signed with the client
   * and token credentials: its method, URL and query, and the body only when it is
   * `application/x-www-form-urlencoded` (a JSON body is sent unsigned, RFC 5849 §3.4.1.3.1). With
   * `signaturePlacement: 'body'`, a request that cannot carry a form body (GET, JSON) signs in the query.
   *
   * @example
   * ```ts
   * const me = await oauth.create('twitter').get('account/verify_credentials.json', { token }).json()
   * ```
   */
  override request(method: string, url: string | URL, options?: ApiRequestOptions<OAuth1Token>): ResponsePromise {
    return this.#api.request(method, url, options)
  }

  /**
   * The current token for API calls: `fetchToken(name, ctx)` (the app's, else the registry's) — the
   * same token `get`/`post` would use. Throws `token_missing` when there is none.
   */
  async fetchToken(ctx?: TokenContext): Promise<OAuth1Token> {
    return this.#resolveToken(new CallState<OAuth1Token>(undefined, ctx))
  }

  /**
   * The signed-in user's profile, normalised (`sub`, `name`, `email`, `email_verified`, `picture`)
   * with the provider's own profile as `raw`, loaded by the config's `profile` loader (presets supply
   * one). The token defaults to `fetchToken(name, ctx)`.
   *
   * @throws An {@link OAuthKitError} `unsupported_operation` when the app has no `profile` loader:
   *   OAuth 1 has no userinfo endpoint to fall back on.
   */
  async profile(token?: OAuth1Token, ctx?: TokenContext): Promise<NormalizedProfile> {
    const loader = this.config.profile
    if (!loader) {
      throw new OAuthKitError(ErrorCode.UNSUPPORTED_OPERATION, `${this.name}: OAuth 1 has no standard profile endpoint and this app has no profile loader: configure profile`, { app: this.name })
    }
    const current = token ?? (await this.fetchToken(ctx))
    return (await loader(this.#profileApi, current)) as NormalizedProfile
  }

  get #profileApi(): OAuth1ProfileApi {
    // Bodies oauthkit reads itself are held to maxResponseSize, like every protocol response.
    return {
      name: this.name,
      getJson: <T>(url: string, token: OAuth1Token) => this.#api.json<T>('GET', url, { token }),
    }
  }

  /** What `console.log(app)` and `util.inspect(app)` show: the name and the config, secrets redacted. */
  [INSPECT](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    return `OAuth1App ${inspect(this.toJSON(), options)}`
  }

  /** What `JSON.stringify(app)` gives: the name and the config, secrets redacted. */
  toJSON(): { kind: 'oauth1'; name: string; config: Record<string, unknown> } {
    return { kind: this.kind, name: this.name, config: redactedView(this.config) }
  }

  /**
   * Get temporary credentials (RFC 5849 §2.1: a signed POST to `requestTokenUrl` with
   * `oauth_callback`) and build the authorization URL for them, without storing anything: returns the
   * URL and the transaction the callback will need. The transaction holds the temporary secret: keep
   * it sealed (as {@link OAuth1App.authorizeRedirect} does) and never show it to the browser.
   *
   * @param callbackUri - the absolute callback URL, sent as `oauth_callback`.
   */
  async createAuthorizationUrl(callbackUri: string, options: AuthorizeOptions = {}): Promise<AuthorizationRequest> {
    checkKnownKeys(this.name, 'authorizeRedirect options', options, AUTHORIZE_OPTION_KEYS, asAuthorizeParam)
    if (typeof callbackUri !== 'string' || !URL.canParse(callbackUri)) {
      throw new OAuthKitError(ErrorCode.INVALID_REQUEST, `${this.name}: callbackUri is not an absolute URL`, { app: this.name })
    }
    for (const [key, value] of Object.entries(options.params ?? {})) {
      if (key === 'oauth_token') {
        throw new OAuthKitError(ErrorCode.INVALID_REQUEST, `${this.name}: the "oauth_token" parameter is set by oauthkit and cannot be overridden`, { app: this.name })
      }
      if (typeof value !== 'string') throw new OAuthKitError(ErrorCode.INVALID_REQUEST, `${this.name}: authorization parameter "${key}" must be a string`, { app: this.name })
    }
    const url = new URL(this.config.requestTokenUrl)
    for (const [key, value] of Object.entries(this.config.requestTokenParams ?? {})) url.searchParams.append(key, value)
    const fields = await this.#tokenRequest('request token', url, { oauth_callback: callbackUri })
    // RFC 5849 §2.1 says `true`; Authlib's provider sends Python's `True`. Compared without case, still required.
    if (fields.oauth_callback_confirmed?.toLowerCase() !== 'true') {
      throw new OAuthKitError(
        ErrorCode.OAUTH1_ERROR,
        `${this.name}: the request token endpoint did not answer oauth_callback_confirmed=true: the provider speaks OAuth 1.0, not 1.0a, and is refused (its callback could be forged)`,
        { app: this.name },
      )
    }
    const transaction: Transaction = {
      app: this.name,
      key: fields.oauth_token,
      redirectUri: callbackUri,
      tokenSecret: fields.oauth_token_secret,
      createdAt: Date.now(),
    }
    const returnTo = sameOriginPath(options.returnTo)
    if (returnTo) transaction.returnTo = returnTo
    const authorize = new URL(this.config.authorizeUrl)
    for (const [key, value] of Object.entries({ ...this.config.authorizeParams, ...options.params })) authorize.searchParams.set(key, value)
    authorize.searchParams.set('oauth_token', fields.oauth_token)
    return { url: authorize, transaction }
  }

  /**
   * Start a login: get temporary credentials, seal them (token and secret) in a transaction cookie
   * keyed by the temporary `oauth_token`, and answer with a 302 redirect to `authorizeUrl`. Several
   * logins can be in flight at once (one per tab).
   *
   * @example
   * ```ts
   * return oauth.create('twitter').authorizeRedirect({ cookies }, 'https://app.example/auth/twitter/callback')
   * ```
   */
  async authorizeRedirect(ctx: OAuthContext, callbackUri: string, options: AuthorizeOptions = {}): Promise<Response> {
    checkContext(this.name, 'authorizeRedirect', ctx)
    const { url, transaction } = await this.createAuthorizationUrl(callbackUri, options)
    await this.#env.transactions.save(ctx, transaction, this.#transactionCookie(callbackUri), this.#ttl)
    return new Response(null, { status: 302, headers: { location: url.href, 'cache-control': 'no-store' } })
  }

  /**
   * Finish a login on the callback route: take the transaction of the callback's `oauth_token` (it is
   * deleted whether this succeeds or not, and cannot be replayed), exchange the temporary credentials
   * and `oauth_verifier` for token credentials (RFC 5849 §2.3) and return them with wire names and the
   * provider's extra fields. `updateToken` is called with the new token.
   */
  async authorizeAccessToken(ctx: OAuthContext, options: AuthorizeAccessTokenOptions = {}): Promise<OAuth1Token> {
    return (await this.completeAuthorization(ctx, options)).token
  }

  /**
   * {@link OAuth1App.authorizeAccessToken}, also returning the `returnTo` path the login was started
   * with (same-origin, checked when the login started). Integrations use it to redirect afterwards.
   *
   * @param options - `params`: extra parameters for the access-token request (sent in its query, signed).
   */
  async completeAuthorization(ctx: OAuthContext, options: AuthorizeAccessTokenOptions = {}): Promise<CompletedAuthorization<OAuth1Token>> {
    checkContext(this.name, 'authorizeAccessToken', ctx)
    const request = ctx.request
    if (!request) throw new OAuthKitError(ErrorCode.INVALID_REQUEST, `${this.name}: authorizeAccessToken needs ctx.request (the callback request)`, { app: this.name })
    const params = await callbackParameters(request, this.name)
    const cookie = this.#transactionCookie(new URL(request.url).href)
    const denied = single(params, 'denied', this.name)
    if (denied !== undefined) {
      // Twitter's refusal: `denied=<temporary token>`. The login is over either way: drop its transaction.
      await this.#env.transactions.take(ctx, denied, this.name, cookie, this.#ttl).catch(() => undefined)
      throw new OAuthKitError(ErrorCode.ACCESS_DENIED, `${this.name}: the authorization was denied`, { app: this.name })
    }
    const oauthToken = single(params, 'oauth_token', this.name)
    if (oauthToken === undefined) {
      throw new OAuthKitError(ErrorCode.STATE_MISSING, `${this.name}: the callback has no oauth_token parameter`, { app: this.name })
    }
    const tx = await this.#env.transactions.take(ctx, oauthToken, this.name, cookie, this.#ttl)
    const verifier = single(params, 'oauth_verifier', this.name)
    if (verifier === undefined) {
      throw new OAuthKitError(ErrorCode.INVALID_AUTHORIZATION_RESPONSE, `${this.name}: the callback has no oauth_verifier parameter (OAuth 1.0a requires one)`, { app: this.name })
    }
    for (const [key, value] of Object.entries(options.params ?? {})) {
      if (key.startsWith('oauth_') || typeof value !== 'string') {
        throw new OAuthKitError(ErrorCode.INVALID_REQUEST, `${this.name}: access token parameter "${key}" must be a string and not an oauth_* parameter`, { app: this.name })
      }
    }
    const url = new URL(this.config.accessTokenUrl)
    for (const [key, value] of Object.entries(options.params ?? {})) url.searchParams.append(key, value)
    const fields = await this.#tokenRequest('access token', url, { oauth_verifier: verifier }, { token: oauthToken, secret: tx.tokenSecret ?? '' })
    const token: OAuth1Token = { ...fields, oauth_token: fields.oauth_token, oauth_token_secret: fields.oauth_token_secret }
    await this.#persist(token, { reason: 'login', ctx })
    return tx.returnTo === undefined ? { token } : { token, returnTo: tx.returnTo }
  }

  get #ttl(): number {
    return this.config.transactionTtl ?? this.#env.transactions.ttl
  }

  /** Cookie attributes for this app's transactions: Secure and `__Host-` except on an http loopback callback. */
  #transactionCookie(url: string): TransactionCookieOptions {
    const parsed = new URL(url)
    const insecureLoopback = parsed.protocol === 'http:' && isLoopback(parsed)
    return { secure: !insecureLoopback, sameSite: 'lax', insecureLoopback }
  }

  async #persist(token: OAuth1Token, info: UpdateTokenInfo): Promise<void> {
    const update = this.config.updateToken ?? (this.#env.updateToken as unknown as OAuth1UpdateToken | undefined)
    if (update) await update(this.name, token, info)
  }

  async #resolveToken(state: CallState<OAuth1Token>): Promise<OAuth1Token> {
    let token = state.token
    if (!token) {
      // The registry's callbacks are shared by every app kind: for this app they hand OAuth 1 tokens.
      const read = this.config.fetchToken ?? (this.#env.fetchToken as unknown as OAuth1FetchToken | undefined)
      token = (await read?.(this.name, state.ctx)) ?? undefined
    }
    if (!token) throw tokenMissing(this.name, Boolean(this.config.fetchToken ?? this.#env.fetchToken))
    if (typeof token.oauth_token !== 'string' || token.oauth_token === '' || typeof token.oauth_token_secret !== 'string') {
      throw new OAuthKitError(ErrorCode.TOKEN_MISSING, `${this.name}: the token has no oauth_token and oauth_token_secret (an OAuth 1 token is needed)`, { app: this.name })
    }
    state.token = token
    return token
  }

  /** The key for RSA-SHA1: a PEM is imported once. */
  #rsa(): Promise<CryptoKey> {
    const key = this.config.rsaKey
    if (key !== undefined && typeof key !== 'string') return Promise.resolve(key)
    if (!this.#rsaKey) {
      this.#rsaKey = importRsaSha1Key(key ?? '')
      this.#rsaKey.catch(() => (this.#rsaKey = undefined))
    }
    return this.#rsaKey
  }

  /** Sign with the client credentials and, when given, the temporary or token credentials. */
  async #signRequest(input: Omit<SignRequestInput, 'signatureMethod' | 'realm'>, token?: { token: string; secret: string }) {
    const method = this.config.signatureMethod ?? 'HMAC-SHA1'
    const credentials: OAuth1Credentials = { clientId: this.config.clientId }
    if (this.config.clientSecret !== undefined) credentials.clientSecret = this.config.clientSecret
    if (token) {
      credentials.token = token.token
      credentials.tokenSecret = token.secret
    }
    try {
      if (method === 'RSA-SHA1') credentials.rsaKey = await this.#rsa()
      return await signRequest(credentials, { ...input, signatureMethod: method, ...(this.config.realm === undefined ? {} : { realm: this.config.realm }) })
    } catch (error) {
      // signRequest's errors name no app: add it (its messages carry no secret).
      if (isOAuthKitError(error) && error.app === undefined) throw new OAuthKitError(error.code, `${this.name}: ${error.message}`, { app: this.name, cause: error })
      throw error
    }
  }

  /** A signed POST to a token endpoint; returns the form fields of a successful answer. */
  async #tokenRequest(endpoint: Endpoint, url: URL, oauthParams: Record<string, string>, token?: { token: string; secret: string }): Promise<Record<string, string> & { oauth_token: string; oauth_token_secret: string }> {
    const signed = await this.#signRequest({ method: 'POST', url, oauthParams, placement: this.config.signaturePlacement ?? 'header' }, token)
    const request = new Request(signed.url, { method: 'POST', headers: signed.headers, ...(signed.body === undefined ? {} : { body: signed.body }) })
    const http = endpoint === 'request token' ? this.#requestTokenHttp : this.#accessTokenHttp
    const response = await http.send(request, 'token')
    const text = await response.text()
    // Secrets this exchange knows: never echoed into an error, even if the provider echoes them.
    const secrets = [this.config.clientSecret, token?.token, token?.secret, ...Object.values(oauthParams)]
    if (!response.ok) throw this.#endpointError(endpoint, response, text, secrets)
    const form = new URLSearchParams(text.trim())
    const tokenValue = form.getAll('oauth_token')
    const secretValue = form.getAll('oauth_token_secret')
    if (tokenValue.length !== 1 || secretValue.length !== 1 || !tokenValue[0] || secretValue[0] === undefined) {
      const problem = providerError(response.headers.get('content-type'), text, secrets)
      if (problem) throw this.#endpointError(endpoint, response, text, secrets)
      throw new OAuthKitError(
        ErrorCode.INVALID_RESPONSE,
        `${this.name}: the ${endpoint} endpoint answered HTTP ${response.status} without a form-encoded oauth_token and oauth_token_secret`,
        { app: this.name, status: response.status },
      )
    }
    const fields: Record<string, string> = {}
    for (const [key, value] of form) if (!Object.hasOwn(fields, key) && key !== '__proto__') fields[key] = value
    return { ...fields, oauth_token: tokenValue[0], oauth_token_secret: secretValue[0] }
  }

  /** A token endpoint's refusal as a typed error keeping the provider's words (see the class docs). */
  #endpointError(endpoint: Endpoint, response: Response, text: string, secrets: Array<string | undefined>): OAuthKitError {
    const status = response.status
    const problem = providerError(response.headers.get('content-type'), text, secrets)
    const refused = status === 401 || (problem !== undefined && (response.ok || (status >= 400 && status < 500)))
    const said = problem ? `: ${[problem.error, problem.description].filter(Boolean).join(': ')}` : ''
    return new OAuthKitError(
      refused ? ErrorCode.TOKEN_ERROR : ErrorCode.HTTP_ERROR,
      `${this.name}: the ${endpoint} endpoint ${refused ? 'refused the request' : 'failed'} with HTTP ${status}${said}`,
      { app: this.name, status, ...(problem?.error === undefined ? {} : { error: problem.error }), ...(problem?.description === undefined ? {} : { errorDescription: problem.description }) },
    )
  }

  /**
   * ApiAuthorizer.authorize: sign one API request. `request` is the outgoing copy only `fetch` sees
   * (ky keeps its own unsigned), so the header is set in place.
   */
  async #sign(request: Request, token: OAuth1Token): Promise<Request> {
    const signatureMethod = this.config.signatureMethod ?? 'HMAC-SHA1'
    // RFC 5849 §3.4.4: PLAINTEXT sends the secrets as the signature, so never over plain http: beyond loopback.
    if (signatureMethod === 'PLAINTEXT' && /^http:/i.test(request.url) && !isLoopback(new URL(request.url))) {
      throw new OAuthKitError(ErrorCode.UNTRUSTED_ORIGIN, `${this.name}: refused to send a PLAINTEXT signature over http: to ${new URL(request.url).origin}`, { app: this.name })
    }
    const contentType = request.headers.get('content-type')
    const form = contentType !== null && mediaType(contentType) === FORM_TYPE
    const method = request.method.toUpperCase()
    let placement = this.config.signaturePlacement ?? 'header'
    // Body placement needs a form body (RFC 5849 §3.5.2): GET/HEAD and other bodies sign in the query.
    if (placement === 'body' && (method === 'GET' || method === 'HEAD' || (!form && (request.body !== null || contentType !== null)))) placement = 'query'
    const url = withoutOwnParams(request.url)
    const original = form && request.body !== null ? await request.clone().text() : undefined
    const text = original === undefined ? undefined : stripOwnParams(original)
    const signed = await this.#signRequest(
      { method, url, headers: request.headers, body: text ?? null, placement },
      { token: token.oauth_token, secret: token.oauth_token_secret },
    )
    if (placement === 'header' && url === request.url && text === original) {
      // Only the Authorization header changes: the request (and its body stream) goes on as it is.
      request.headers.set('authorization', signed.headers.get('authorization') ?? '')
      return request
    }
    // A new URL keeps the original body (a JSON body streams through untouched)…
    const moved = signed.url === request.url ? request : new Request(signed.url, request)
    // …and a form body is replaced by the signed one (the same text, plus the parameters for `body`).
    return signed.body === undefined ? new Request(moved, { headers: signed.headers }) : new Request(moved, { headers: signed.headers, body: signed.body })
  }
}

function mediaType(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase()
}

/** The name of one `name=value` part of a query or form body, decoded. */
function partName(part: string): string {
  const eq = part.indexOf('=')
  try {
    return decodeURIComponent((eq === -1 ? part : part.slice(0, eq)).replace(/\+/g, ' '))
  } catch {
    return ''
  }
}

/**
 * Drop the protocol parameters a previous signing added (a ky retry re-signs the request it already
 * signed). Only when `oauth_signature` is there: signRequest refuses a request carrying one, so it can
 * only be ours. The other parts are kept byte for byte.
 */
function stripOwnParams(encoded: string): string {
  const parts = encoded.split('&')
  if (!parts.some((part) => partName(part) === 'oauth_signature')) return encoded
  return parts.filter((part) => !OWN_PARAMS.has(partName(part))).join('&')
}

function withoutOwnParams(href: string): string {
  const url = new URL(href)
  if (url.search === '') return href
  const query = stripOwnParams(url.search.slice(1))
  if (query === url.search.slice(1)) return href
  url.search = query
  return url.href
}

/**
 * The provider's own error in a token endpoint body, in the shapes OAuth 1 providers use:
 * `oauth_problem=…&oauth_problem_advice=…` (OAuth Problem Reporting), Twitter's
 * `{"errors":[{"code":32,"message":"…"}]}`, `{"error":…,"error_description":…}` as JSON or (oauthlib)
 * as a form, `{"title","detail"}` (RFC 9457), or a short plain-text sentence.
 */
function providerError(contentType: string | null, text: string, secrets: Array<string | undefined>): { error?: string; description?: string } | undefined {
  const body = text.trim()
  if (body === '') return undefined
  const type = mediaType(contentType ?? '')
  const result = (error: unknown, description: unknown) => {
    const found = { error: providerText(error, secrets), description: providerText(description, secrets) }
    return found.error === undefined && found.description === undefined ? undefined : found
  }
  if (body.startsWith('{')) {
    let json: unknown
    try {
      json = JSON.parse(body)
    } catch {
      return undefined
    }
    if (typeof json !== 'object' || json === null) return undefined
    const o = json as Record<string, unknown>
    if (Array.isArray(o.errors) && o.errors.length > 0) {
      const errors = o.errors.filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null)
      const first = errors[0]
      const messages = errors.map((e) => e.message).filter((m): m is string => typeof m === 'string')
      return result(first?.code, messages.join(' '))
    }
    if (typeof o.error === 'string') return result(o.error, o.error_description)
    if (typeof o.title === 'string' || typeof o.detail === 'string') return result(o.title, o.detail)
    return undefined
  }
  // Markup is a page, not an error report (but Twitter labels its form bodies text/html).
  if (body.startsWith('<')) return undefined
  const form = new URLSearchParams(body)
  if (form.has('oauth_problem')) return result(form.get('oauth_problem'), form.get('oauth_problem_advice'))
  // oauthlib's providers answer with OAuth 2's names in a form: error=invalid_request&error_description=…
  if (form.has('error')) return result(form.get('error'), form.get('error_description'))
  // A bare sentence ("Failed to validate oauth signature and token"), not form fields.
  if ((type === 'text/plain' || type === '') && !body.includes('=') && body.length <= MAX_PROVIDER_TEXT) return result(undefined, body)
  return undefined
}
