/**
 * An OAuth 2.0 / OpenID Connect app: its public surface and the wiring of the modules that do the
 * work (login, ID token checks, token lifecycle, grants). The protocol work is oauth4webapi's.
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import type {
  AuthorizeAccessTokenOptions,
  AuthorizeOptions,
  AuthorizationRequest,
  CompletedAuthorization,
} from '../app/base.js'
import { RemoteAppBase } from '../app/base.js'
import { publicCallbackParams } from '../app/callback.js'
import type { NormalizedProfile, UpdateTokenInfo } from '../app/config.js'
import type { AppServices } from '../app/services.js'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import type { Step } from '../errors/upstream.js'
import type { ApiAuthorizer } from '../http/api-call.js'
import { HttpClient, type StepHooks } from '../http/client.js'
import { isLoopback } from '../http/loopback.js'
import type { TransactionCookieOptions } from '../session/transaction.js'
import type {
  AppToken,
  ComplianceHooks,
  IdTokenClaims,
  OAuth2Token,
  OAuthContext,
  TokenContext,
  UserInfo,
} from '../types.js'
import { authMethodOf, clientAuthOf } from './client-auth.js'
import { hasOpenId, type OAuth2AppConfig, type ProfileApi } from './config.js'
import type { OAuth2Endpoints, RequestOptions } from './endpoints.js'
import { clientCredentials, type ClientCredentialsOptions } from './grants/client-credentials.js'
import { exchangeCode, type ExchangeCodeOptions } from './grants/code.js'
import {
  deviceAuthorization,
  pollDeviceToken,
  pollDeviceTokenOnce,
  type DeviceAuthorization,
  type DeviceAuthorizationOptions,
  type PollDeviceTokenOptions,
} from './grants/device.js'
import {
  introspectToken,
  type IntrospectTokenOptions,
  type TokenIntrospection,
} from './grants/introspection.js'
import { createLogoutUrl, logoutRedirect, type LogoutOptions } from './grants/logout.js'
import { passwordGrant, type PasswordGrantOptions } from './grants/password.js'
import { revokeToken, type RevokeTokenOptions } from './grants/revocation.js'
import {
  tokenExchange,
  type ExchangedToken,
  type TokenExchangeOptions,
} from './grants/token-exchange.js'
import { DEFAULT_CLOCK_TOLERANCE, IdTokenVerifier } from './id-token.js'
import { authorizationUrl, finishLogin } from './login.js'
import { MetadataCache } from './metadata.js'
import { parseIdToken, type ParseIdTokenOptions } from './parse-id-token.js'
import { TokenLifecycle, type RefreshOptions } from './token-lifecycle.js'
import { standardProfile, userinfo } from './userinfo.js'

/** Which step runs which of the app's compliance hooks. */
function stepHooks(hooks: ComplianceHooks = {}): StepHooks {
  return {
    request: {
      token: hooks.accessTokenRequest,
      refresh: hooks.refreshTokenRequest,
      revocation: hooks.revokeTokenRequest,
      introspection: hooks.introspectTokenRequest,
    },
    response: {
      metadata: hooks.metadataResponse,
      token: hooks.accessTokenResponse,
      refresh: hooks.refreshTokenResponse,
      userinfo: hooks.userinfoResponse,
    },
  }
}

/**
 * An OAuth 2.0 / OpenID Connect remote app, made by {@link OAuth.register} and returned by
 * {@link OAuth.create}.
 *
 * API calls (`get`/`post`/…/`request`) send the token as a Bearer header; it is refreshed first when it
 * expires within `leeway` seconds, and once more if the API itself answers 401 `invalid_token`. Besides
 * `apiBaseUrl` and `trustedOrigins`, the token may go to the provider's userinfo endpoint.
 *
 * @example
 * ```ts
 * const repos = await oauth.create('github').get('user/repos', { token }).json()
 * ```
 * @group OAuth 2
 */
export class OAuth2App extends RemoteAppBase<OAuth2Token, OAuth2AppConfig> {
  /** Always `'oauth2'`; tells OAuth 2 apps from OAuth 1 ones. */
  readonly kind = 'oauth2' as const
  /** @internal */
  protected readonly tokenShape = 'an OAuth 2 token with an access_token'
  readonly #metadata: MetadataCache
  readonly #endpoints: OAuth2Endpoints
  readonly #lifecycle: TokenLifecycle
  #clientAuth?: Promise<oauth.ClientAuth>

  /** @internal */
  constructor(name: string, config: OAuth2AppConfig, services: AppServices) {
    super(name, config, services)
    const http = new HttpClient({
      app: name,
      fetch: this.fetchFunction,
      timeout: this.timeout,
      maxResponseSize: this.maxResponseSize,
      hooks: stepHooks(config.hooks),
      userAgent: config.userAgent,
    })
    // http: is allowed for loopback (checked at register) or when the app explicitly allows it.
    const insecure =
      config.allowInsecureRequests === true ||
      [config.serverMetadataUrl, config.authorizeUrl, config.accessTokenUrl].some(
        (u) => u !== undefined && new URL(u).protocol === 'http:' && isLoopback(new URL(u)),
      )
    this.#metadata = new MetadataCache(name, config, http, config.metadataTtl ?? 3600)
    const client: oauth.Client = {
      client_id: config.clientId,
      token_endpoint_auth_method: authMethodOf(config),
      [oauth.clockTolerance]: config.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE,
    }
    if (config.idTokenSignedResponseAlg)
      client.id_token_signed_response_alg = config.idTokenSignedResponseAlg
    if (config.userinfoSignedResponseAlg)
      client.userinfo_signed_response_alg = config.userinfoSignedResponseAlg
    this.#endpoints = {
      name,
      config: this.config,
      client,
      metadata: () => this.loadServerMetadata(),
      clientAuth: () => this.#clientAuthentication(),
      options: (step: Step): RequestOptions => ({
        [oauth.customFetch]: http.fetchFor(step),
        [oauth.allowInsecureRequests]: insecure,
      }),
      idTokens: new IdTokenVerifier(name, this.config, http),
      persist: (token: OAuth2Token, info: UpdateTokenInfo) => this.persist(token, info),
    }
    this.#lifecycle = new TokenLifecycle(
      this.#endpoints,
      (ctx) => this.readToken(ctx),
      services.lock,
      () => this.readsTokens,
    )
  }

  /**
   * Refresh `token` now with its refresh_token (RFC 6749 §6), or for a `client_credentials` app fetch
   * a new one. Concurrent calls for the same token share one request and one `updateToken`; with a
   * registry `lock`, so do other processes. A refresh_token missing from the response is kept from
   * the old token. On failure throws `reauthentication_required` and stores nothing.
   */
  refreshToken(token: OAuth2Token, options: RefreshOptions = {}): Promise<OAuth2Token> {
    return this.#lifecycle.refresh(token, options)
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
  createAuthorizationUrl(
    redirectUri: string,
    options: AuthorizeOptions = {},
  ): Promise<AuthorizationRequest> {
    return authorizationUrl(this.#endpoints, redirectUri, options)
  }

  /**
   * Finish a login on the callback route: check the response against its transaction (state, RFC 9207
   * `iss`, app), exchange the code with the same redirect_uri and PKCE verifier, validate the ID token
   * (signature, alg, typ, iss, sub, aud, exp, iat, nonce, auth_time) and return the token with wire
   * names and `userinfo` set to the ID token's validated claims, and the `returnTo` path the login was
   * started with (same-origin, checked when the login started). The transaction is deleted whether this
   * succeeds or not. `updateToken` is called with the new token.
   */
  async completeAuthorization(
    ctx: OAuthContext,
    options: AuthorizeAccessTokenOptions = {},
  ): Promise<CompletedAuthorization<OAuth2Token>> {
    const { params, take } = await this.callback(ctx)
    const received = publicCallbackParams(params)
    const { token, transaction } = await finishLogin(this.#endpoints, params, take, options)
    if (options.persist !== false) await this.persist(token, { reason: 'login', ctx })
    return transaction.returnTo === undefined
      ? { token, params: received }
      : { token, returnTo: transaction.returnTo, params: received }
  }

  /**
   * Call the userinfo endpoint with `token` (OIDC Core §5.3). When the token came with an ID token,
   * a userinfo `sub` that differs from the ID token's is rejected (§5.3.2).
   */
  userinfo(token: Pick<OAuth2Token, 'access_token' | 'id_token' | 'userinfo'>): Promise<UserInfo> {
    return userinfo(this.#endpoints, token)
  }

  /**
   * Fully validate an ID token the app got some other way than its own login (Authlib's
   * `parse_id_token`): signature with the provider's keys (or the inline `jwks`), alg, typ, iss, aud
   * (with `trustedAudiences`) and azp, exp, iat, sub, the nonce (`nonce: false` skips it, explicitly)
   * and `auth_time` against `maxAge`. Returns the validated claims; anything else is `id_token_invalid`.
   */
  parseIdToken(idToken: string, options: ParseIdTokenOptions): Promise<IdTokenClaims> {
    return parseIdToken(this.#endpoints, idToken, options)
  }

  /** A new token with the client credentials grant (RFC 6749 §4.4), handed to `updateToken`. */
  clientCredentials(options: ClientCredentialsOptions = {}): Promise<OAuth2Token> {
    return clientCredentials(this.#endpoints, options)
  }

  /**
   * Start the device authorization grant (RFC 8628 §3.1): show `user_code` and `verification_uri` to
   * the user, then {@link OAuth2App.pollDeviceToken}.
   */
  deviceAuthorization(options?: DeviceAuthorizationOptions): Promise<DeviceAuthorization> {
    return deviceAuthorization(this.#endpoints, options)
  }

  /**
   * Poll the token endpoint until the user approves the device (RFC 8628 §3.4–3.5): honours
   * `interval`, `slow_down`, `authorization_pending`, `expired_token`, `access_denied`; abortable.
   */
  pollDeviceToken(
    authorization: DeviceAuthorization,
    options?: PollDeviceTokenOptions,
  ): Promise<OAuth2Token> {
    return pollDeviceToken(this.#endpoints, authorization, options)
  }

  /**
   * One poll for a device code (RFC 8628 §3.4): `{ pending }` (`authorization_pending`, `slow_down`) or
   * `{ token }`, for a client that polls through the app's device route. The token is not handed to
   * `updateToken`.
   */
  pollDeviceTokenOnce(
    deviceCode: string,
  ): Promise<{ token: OAuth2Token } | { pending: 'authorization_pending' | 'slow_down' }> {
    return pollDeviceTokenOnce(this.#endpoints, deviceCode)
  }

  /**
   * Exchange an authorization code another client obtained with this app's client id (a native, CLI
   * or single-page app) for a token, with its PKCE verifier (RFC 7636 §4.5) and redirect URI; the ID
   * token is validated. The token goes back to that client: it is not handed to `updateToken`.
   */
  exchangeCode(options: ExchangeCodeOptions): Promise<OAuth2Token> {
    return exchangeCode(this.#endpoints, options)
  }

  /**
   * The resource owner password grant (RFC 6749 §4.3). Legacy and discouraged (RFC 9700 §2.4): the
   * app sees the user's password. Use the authorization code grant unless a provider leaves no choice.
   */
  passwordGrant(
    username: string,
    password: string,
    options?: PasswordGrantOptions,
  ): Promise<OAuth2Token> {
    return passwordGrant(this.#endpoints, username, password, options)
  }

  /** Exchange a token for another (RFC 8693). The result is not passed to `updateToken`. */
  tokenExchange(options: TokenExchangeOptions): Promise<ExchangedToken> {
    return tokenExchange(this.#endpoints, options)
  }

  /** Revoke a token (RFC 7009); given a token object, its refresh token when it has one. */
  revokeToken(token: string | OAuth2Token, options?: RevokeTokenOptions): Promise<void> {
    return revokeToken(this.#endpoints, token, options)
  }

  /** Ask the provider whether a token is active (RFC 7662). */
  introspectToken(token: string, options?: IntrospectTokenOptions): Promise<TokenIntrospection> {
    return introspectToken(this.#endpoints, token, options)
  }

  /** The provider's RP-initiated logout URL (OpenID Connect RP-Initiated Logout 1.0 §2). */
  createLogoutUrl(options?: LogoutOptions): Promise<URL> {
    return createLogoutUrl(this.#endpoints, options)
  }

  /** A 302 to the provider's logout endpoint, so the provider session ends too. */
  logoutRedirect(options?: LogoutOptions): Promise<Response> {
    return logoutRedirect(this.#endpoints, options)
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
      throw new OAuthKitError(
        ErrorCode.UNSUPPORTED_OPERATION,
        `${this.name}: no userinfo endpoint, no ID token and no profile loader: configure profile`,
        { app: this.name },
      )
    }
    return standardProfile(claims)
  }

  get #profileApi(): ProfileApi {
    // Bodies oauthkit reads itself are held to maxResponseSize, like every protocol response.
    return {
      name: this.name,
      getJson: <T>(url: string, token: OAuth2Token) => this.api.json<T>('GET', url, { token }),
      requestJson: <T>(
        method: string,
        url: string,
        token: OAuth2Token,
        options: { json?: unknown } = {},
      ) =>
        this.api.json<T>(
          method,
          url,
          options.json === undefined ? { token } : { token, json: options.json },
        ),
      userinfo: (token: OAuth2Token) => this.userinfo(token),
    }
  }

  /** Cookie attributes for this app's transactions; a form_post callback needs SameSite=None. @internal */
  protected override transactionCookie(url: string): TransactionCookieOptions {
    const cookie = super.transactionCookie(url)
    // A form_post callback is a cross-site POST: Lax cookies are not sent with it (Sign in with Apple).
    return this.config.responseMode === 'form_post'
      ? { secure: true, sameSite: 'none', insecureLoopback: cookie.insecureLoopback }
      : cookie
  }

  /** @internal */
  protected apiAuthorizer(): ApiAuthorizer<OAuth2Token> {
    return this.#lifecycle
  }

  /** @internal */
  protected providerOrigins(): ReadonlyArray<string | undefined> {
    return [this.config.userinfoEndpoint]
  }

  /** @internal */
  protected isToken(value: AppToken): value is OAuth2Token {
    return 'access_token' in value && typeof value.access_token === 'string'
  }

  #clientAuthentication(): Promise<oauth.ClientAuth> {
    this.#clientAuth ??= clientAuthOf(this.name, this.config)
    this.#clientAuth.catch(() => (this.#clientAuth = undefined))
    return this.#clientAuth
  }
}
