/**
 * An OAuth 1.0a app (RFC 5849, with the 1.0a callback confirmation and verifier): the three-legged
 * flow and signed API calls, on the same base (and so with the same surface) as an OAuth 2 app.
 *
 * @module
 */
import type { ResponsePromise } from 'ky'
import type {
  AuthorizeAccessTokenOptions,
  AuthorizeOptions,
  AuthorizationRequest,
  CompletedAuthorization,
} from '../app/base.js'
import { RemoteAppBase } from '../app/base.js'
import { tokenMissing } from '../app/arguments.js'
import { publicCallbackParams, sameOriginPath, single } from '../app/callback.js'
import type { NormalizedProfile } from '../app/config.js'
import type { AppServices } from '../app/services.js'
import { AUTHORIZE_OPTION_KEYS, asAuthorizeParam, checkKnownKeys } from '../config-keys.js'
import { ErrorCode, OAuthKitError, isOAuthKitError } from '../errors/error.js'
import type { ApiAuthorizer, ApiRequestOptions, CallState } from '../http/api-call.js'
import { HttpClient } from '../http/client.js'
import type { Transaction } from '../session/transaction.js'
import type { AppToken, OAuth1Token, OAuthContext, TokenContext } from '../types.js'
import type { OAuth1AppConfig, OAuth1ProfileApi } from './config.js'
import { readTokenResponse, type Endpoint, type TokenFields } from './provider-errors.js'
import { signApiRequest } from './resign.js'
import {
  importRsaSha1Key,
  signRequest,
  type OAuth1Credentials,
  type SignedRequest,
  type SignRequestInput,
} from './signature.js'

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
export class OAuth1App extends RemoteAppBase<OAuth1Token, OAuth1AppConfig> {
  /** Always `'oauth1'`; tells OAuth 1 apps from OAuth 2 ones. */
  readonly kind = 'oauth1' as const
  /** @internal */
  protected readonly tokenShape = 'an OAuth 1 token with oauth_token and oauth_token_secret'
  readonly #http: HttpClient
  readonly #authorizer: ApiAuthorizer<OAuth1Token>
  #rsaKey?: Promise<CryptoKey>

  /** @internal */
  constructor(name: string, config: OAuth1AppConfig, services: AppServices) {
    super(name, config, services)
    const hooks = config.hooks ?? {}
    this.#http = new HttpClient({
      app: name,
      fetch: this.fetchFunction,
      timeout: this.timeout,
      maxResponseSize: this.maxResponseSize,
      hooks: {
        response: { request_token: hooks.requestTokenResponse, token: hooks.accessTokenResponse },
      },
      userAgent: config.userAgent,
    })
    this.#authorizer = {
      resolve: (state) => this.#resolveToken(state),
      authorize: (request, token) =>
        signApiRequest(
          name,
          request,
          token,
          {
            signatureMethod: config.signatureMethod ?? 'HMAC-SHA1',
            placement: config.signaturePlacement ?? 'header',
          },
          (input, credentials) => this.#sign(input, credentials),
        ),
      // OAuth 1 tokens neither expire nor refresh: nothing to recover on a 401.
    }
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
  override request(
    method: string,
    url: string | URL,
    options?: ApiRequestOptions<OAuth1Token>,
  ): ResponsePromise {
    return super.request(method, url, options)
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
      throw new OAuthKitError(
        ErrorCode.UNSUPPORTED_OPERATION,
        `${this.name}: OAuth 1 has no standard profile endpoint and this app has no profile loader: configure profile`,
        { app: this.name },
      )
    }
    const current = token ?? (await this.fetchToken(ctx))
    const api: OAuth1ProfileApi = {
      name: this.name,
      getJson: <T>(url: string, token: OAuth1Token) => this.api.json<T>('GET', url, { token }),
    }
    return (await loader(api, current)) as NormalizedProfile
  }

  /**
   * Get temporary credentials (RFC 5849 §2.1: a signed POST to `requestTokenUrl` with
   * `oauth_callback`) and build the authorization URL for them, without storing anything: returns the
   * URL and the transaction the callback will need. The transaction holds the temporary secret: keep
   * it sealed (as {@link OAuth1App.authorizeRedirect} does) and never show it to the browser.
   *
   * @param callbackUri - the absolute callback URL, sent as `oauth_callback`.
   */
  async createAuthorizationUrl(
    callbackUri: string,
    options: AuthorizeOptions = {},
  ): Promise<AuthorizationRequest> {
    checkKnownKeys(
      this.name,
      'authorizeRedirect options',
      options,
      AUTHORIZE_OPTION_KEYS,
      asAuthorizeParam,
    )
    if (typeof callbackUri !== 'string' || !URL.canParse(callbackUri)) {
      throw new OAuthKitError(
        ErrorCode.INVALID_REQUEST,
        `${this.name}: callbackUri is not an absolute URL`,
        { app: this.name },
      )
    }
    for (const [key, value] of Object.entries(options.params ?? {})) {
      if (key === 'oauth_token') {
        throw new OAuthKitError(
          ErrorCode.INVALID_REQUEST,
          `${this.name}: the "oauth_token" parameter is set by oauthkit and cannot be overridden`,
          { app: this.name },
        )
      }
      if (typeof value !== 'string')
        throw new OAuthKitError(
          ErrorCode.INVALID_REQUEST,
          `${this.name}: authorization parameter "${key}" must be a string`,
          { app: this.name },
        )
    }
    const url = new URL(this.config.requestTokenUrl)
    for (const [key, value] of Object.entries(this.config.requestTokenParams ?? {}))
      url.searchParams.append(key, value)
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
    for (const [key, value] of Object.entries({
      ...this.config.authorizeParams,
      ...options.params,
    }))
      authorize.searchParams.set(key, value)
    authorize.searchParams.set('oauth_token', fields.oauth_token)
    return { url: authorize, transaction }
  }

  /**
   * Finish a login on the callback route: take the transaction of the callback's `oauth_token` (it is
   * deleted whether this succeeds or not, and cannot be replayed), exchange the temporary credentials
   * and `oauth_verifier` for token credentials (RFC 5849 §2.3) and return them with wire names and the
   * provider's extra fields, with the `returnTo` path the login was started with. `updateToken` is
   * called with the new token.
   *
   * @param options - `params`: extra parameters for the access-token request (sent in its query, signed).
   */
  async completeAuthorization(
    ctx: OAuthContext,
    options: AuthorizeAccessTokenOptions = {},
  ): Promise<CompletedAuthorization<OAuth1Token>> {
    const { params, take } = await this.callback(ctx)
    const denied = single(params, 'denied', this.name)
    if (denied !== undefined) {
      // Twitter's refusal: `denied=<temporary token>`. The login is over either way: drop its transaction.
      await take(denied).catch(() => undefined)
      throw new OAuthKitError(
        ErrorCode.ACCESS_DENIED,
        `${this.name}: the authorization was denied`,
        { app: this.name },
      )
    }
    const oauthToken = single(params, 'oauth_token', this.name)
    if (oauthToken === undefined) {
      throw new OAuthKitError(
        ErrorCode.STATE_MISSING,
        `${this.name}: the callback has no oauth_token parameter`,
        { app: this.name },
      )
    }
    const tx = await take(oauthToken)
    const verifier = single(params, 'oauth_verifier', this.name)
    if (verifier === undefined) {
      throw new OAuthKitError(
        ErrorCode.INVALID_AUTHORIZATION_RESPONSE,
        `${this.name}: the callback has no oauth_verifier parameter (OAuth 1.0a requires one)`,
        { app: this.name },
      )
    }
    for (const [key, value] of Object.entries(options.params ?? {})) {
      if (key.startsWith('oauth_') || typeof value !== 'string') {
        throw new OAuthKitError(
          ErrorCode.INVALID_REQUEST,
          `${this.name}: access token parameter "${key}" must be a string and not an oauth_* parameter`,
          { app: this.name },
        )
      }
    }
    const url = new URL(this.config.accessTokenUrl)
    for (const [key, value] of Object.entries(options.params ?? {}))
      url.searchParams.append(key, value)
    const fields = await this.#tokenRequest(
      'access token',
      url,
      { oauth_verifier: verifier },
      { token: oauthToken, secret: tx.tokenSecret ?? '' },
    )
    const token: OAuth1Token = {
      ...fields,
      oauth_token: fields.oauth_token,
      oauth_token_secret: fields.oauth_token_secret,
    }
    if (options.persist !== false) await this.persist(token, { reason: 'login', ctx })
    const received = publicCallbackParams(params)
    return tx.returnTo === undefined
      ? { token, params: received }
      : { token, returnTo: tx.returnTo, params: received }
  }

  /** @internal */
  protected apiAuthorizer(): ApiAuthorizer<OAuth1Token> {
    return this.#authorizer
  }

  /** The signature (with PLAINTEXT, the secrets themselves) goes only to the API, unless the app trusts more. @internal */
  protected providerOrigins(): ReadonlyArray<string | undefined> {
    return []
  }

  /** @internal */
  protected isToken(value: AppToken): value is OAuth1Token {
    return typeof value.oauth_token === 'string' && typeof value.oauth_token_secret === 'string'
  }

  async #resolveToken(state: CallState<OAuth1Token>): Promise<OAuth1Token> {
    const token = state.token ?? (await this.readToken(state.ctx))
    if (!token) throw tokenMissing(this.name, this.readsTokens)
    if (
      typeof token.oauth_token !== 'string' ||
      token.oauth_token === '' ||
      typeof token.oauth_token_secret !== 'string'
    ) {
      throw new OAuthKitError(
        ErrorCode.TOKEN_MISSING,
        `${this.name}: the token has no oauth_token and oauth_token_secret (an OAuth 1 token is needed)`,
        { app: this.name },
      )
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
  async #sign(
    input: Omit<SignRequestInput, 'signatureMethod' | 'realm'>,
    token?: { token: string; secret: string },
  ): Promise<SignedRequest> {
    const method = this.config.signatureMethod ?? 'HMAC-SHA1'
    const credentials: OAuth1Credentials = { clientId: this.config.clientId }
    if (this.config.clientSecret !== undefined) credentials.clientSecret = this.config.clientSecret
    if (token) {
      credentials.token = token.token
      credentials.tokenSecret = token.secret
    }
    try {
      if (method === 'RSA-SHA1') credentials.rsaKey = await this.#rsa()
      return await signRequest(credentials, {
        ...input,
        signatureMethod: method,
        ...(this.config.realm === undefined ? {} : { realm: this.config.realm }),
      })
    } catch (error) {
      // signRequest's errors name no app: add it (its messages carry no secret).
      if (isOAuthKitError(error) && error.app === undefined)
        throw new OAuthKitError(error.code, `${this.name}: ${error.message}`, {
          app: this.name,
          cause: error,
        })
      throw error
    }
  }

  /** A signed POST to a token endpoint; returns the form fields of a successful answer. */
  async #tokenRequest(
    endpoint: Endpoint,
    url: URL,
    oauthParams: Record<string, string>,
    token?: { token: string; secret: string },
  ): Promise<TokenFields> {
    const signed = await this.#sign(
      { method: 'POST', url, oauthParams, placement: this.config.signaturePlacement ?? 'header' },
      token,
    )
    const request = new Request(signed.url, {
      method: 'POST',
      headers: signed.headers,
      ...(signed.body === undefined ? {} : { body: signed.body }),
    })
    const response = await this.#http.send(
      request,
      endpoint === 'request token' ? 'request_token' : 'token',
    )
    // Secrets this exchange knows: never echoed into an error, even if the provider echoes them.
    return readTokenResponse(this.name, endpoint, response, [
      this.config.clientSecret,
      token?.token,
      token?.secret,
      ...Object.values(oauthParams),
    ])
  }
}
