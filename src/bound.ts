/**
 * A registry bound to one request: what integrations hand to route handlers, so calls need no `ctx`
 * (`req.oauth.create('github').authorizeRedirect(redirectUri)`).
 *
 * @module
 */
import type * as oauth from 'oauth4webapi'
import type { ResponsePromise } from 'ky'
import { ApiMethods, type ApiRequestOptions } from './http/api-call.js'
import type { AppFetch, AppFetchOptions } from './http/app-fetch.js'
import { checkBoundRedirectUri } from './app/arguments.js'
import type {
  AuthorizationRequest,
  AuthorizeAccessTokenOptions,
  AuthorizeOptions,
  CompletedAuthorization,
} from './app/base.js'
import type { NormalizedProfile, UpdateTokenInfo } from './app/config.js'
import { INSPECT } from './app/redact.js'
import type { ClientCredentialsOptions } from './oauth2/grants/client-credentials.js'
import type { ExchangeCodeOptions } from './oauth2/grants/code.js'
import type {
  DeviceAuthorization,
  DeviceAuthorizationOptions,
  PollDeviceTokenOptions,
} from './oauth2/grants/device.js'
import type { IntrospectTokenOptions, TokenIntrospection } from './oauth2/grants/introspection.js'
import type { LogoutOptions } from './oauth2/grants/logout.js'
import type { PasswordGrantOptions } from './oauth2/grants/password.js'
import type { RevokeTokenOptions } from './oauth2/grants/revocation.js'
import type { ExchangedToken, TokenExchangeOptions } from './oauth2/grants/token-exchange.js'
import type { OAuth1App } from './oauth1/app.js'
import type { OAuth2App } from './oauth2/app.js'
import type { OpenIdApp } from './openid2/app.js'
import type { RefreshOptions } from './oauth2/token-lifecycle.js'
import type { SealedTokenStore } from './stores/sealed.js'
import type { ParseIdTokenOptions } from './oauth2/parse-id-token.js'
import type {
  IdTokenClaims,
  OAuth1Token,
  OAuth2Token,
  OAuthContext,
  OpenIdIdentity,
  UserInfo,
} from './types.js'

/** The methods every app kind shares (OAuth 2 and OAuth 1), with its token type `T`. @group Core */
export interface AppLike<T> {
  readonly name: string
  authorizeRedirect(
    ctx: OAuthContext,
    redirectUri: string,
    options?: AuthorizeOptions,
  ): Promise<Response>
  completeAuthorization(
    ctx: OAuthContext,
    options?: AuthorizeAccessTokenOptions,
  ): Promise<CompletedAuthorization<T>>
  request(method: string, url: string | URL, options?: ApiRequestOptions<T>): ResponsePromise
  fetchToken(ctx?: OAuthContext): Promise<T>
  fetcher(options?: AppFetchOptions<T>): AppFetch
  /** @internal */
  saveToken(token: T, info: UpdateTokenInfo): Promise<void>
}

/** The token type of an app. @group Core */
export type TokenOf<A> = A extends AppLike<infer T> ? T : never

/**
 * One app bound to the current request's context.
 * @group Core
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class BoundApp<A extends AppLike<any>> extends ApiMethods<TokenOf<A>> {
  /** The app itself, for methods that need no request context. */
  readonly app: A
  /** The request context every call uses. */
  readonly ctx: OAuthContext
  #fetch?: AppFetch

  /** @internal */
  constructor(app: A, ctx: OAuthContext) {
    super()
    this.app = app
    this.ctx = ctx
  }

  /** The registered name. */
  get name(): string {
    return this.app.name
  }

  /** Start a login: see the app's `authorizeRedirect`. The bound form takes no context: `authorizeRedirect(redirectUri)`. */
  async authorizeRedirect(redirectUri: string, options?: AuthorizeOptions): Promise<Response> {
    checkBoundRedirectUri(this.app.name, redirectUri)
    return this.app.authorizeRedirect(this.ctx, redirectUri, options)
  }

  /** Finish a login on the callback: see the app's `authorizeAccessToken`. */
  async authorizeAccessToken(options?: AuthorizeAccessTokenOptions): Promise<TokenOf<A>> {
    return (await this.app.completeAuthorization(this.ctx, options)).token
  }

  /** Hand `token` to `updateToken` with this context, as a login left it with `persist: false`. @internal */
  saveToken(token: TokenOf<A>, info: Omit<UpdateTokenInfo, 'ctx'>): Promise<void> {
    return this.app.saveToken(token, { ...info, ctx: this.ctx })
  }

  /** Finish a login and learn the `returnTo` it was started with. */
  completeAuthorization(
    options?: AuthorizeAccessTokenOptions,
  ): Promise<CompletedAuthorization<TokenOf<A>>> {
    return this.app.completeAuthorization(this.ctx, options)
  }

  /** The app's `fetch` (see `app.fetch`) calling as this request's user: `fetchToken` gets this context. */
  get fetch(): AppFetch {
    return (this.#fetch ??= this.app.fetcher({ ctx: this.ctx }))
  }

  /** A `fetch` like the app's `fetcher`, with this request's context unless `options` says otherwise. */
  fetcher(options: AppFetchOptions<TokenOf<A>> = {}): AppFetch {
    return this.app.fetcher({ ctx: this.ctx, ...options })
  }

  /** The current user's token, from `fetchToken` with this request's context (refreshed when due). */
  fetchToken(): Promise<TokenOf<A>> {
    return this.app.fetchToken(this.ctx)
  }

  /** An authenticated API request; the token comes from `fetchToken` with this context unless given. */
  override request(
    method: string,
    url: string | URL,
    options: ApiRequestOptions<TokenOf<A>> = {},
  ): ResponsePromise {
    return this.app.request(method, url, { ctx: this.ctx, ...options })
  }

  /** What `console.log(bound)` shows: the app (secrets redacted), not the request context (cookies, session). */
  [INSPECT](
    _depth: number,
    options: object,
    inspect: (value: unknown, options: object) => string,
  ): string {
    return `BoundApp ${inspect({ app: this.app }, options)}`
  }

  /** What `JSON.stringify(bound)` gives: the app, secrets redacted; not the request context. */
  toJSON(): { app: A } {
    return { app: this.app }
  }
}

/**
 * An OAuth 2 / OpenID Connect app bound to the current request: every method of {@link OAuth2App}, with
 * the request context filled in wherever the app takes one (`fetchToken`, `updateToken`, `profile`, the grants),
 * and the signed-in user's token (from `fetchToken`) where a token is optional (`userinfo()`, `profile()`).
 * @group Core
 */
export class BoundOAuth2App extends BoundApp<OAuth2App> {
  /** Always `'oauth2'`. */
  get kind(): 'oauth2' {
    return 'oauth2'
  }

  /** The app's configuration (secrets print redacted). */
  get config(): OAuth2App['config'] {
    return this.app.config
  }

  /** True when the scope asks for OpenID Connect. */
  get isOpenId(): boolean {
    return this.app.isOpenId
  }

  /** The provider's metadata (cached). */
  loadServerMetadata(): Promise<oauth.AuthorizationServer> {
    return this.app.loadServerMetadata()
  }

  /** An authorization request without storing anything: see the app's `createAuthorizationUrl`. */
  createAuthorizationUrl(
    redirectUri: string,
    options?: AuthorizeOptions,
  ): Promise<AuthorizationRequest> {
    checkBoundRedirectUri(this.app.name, redirectUri)
    return this.app.createAuthorizationUrl(redirectUri, options)
  }

  /** The userinfo endpoint's claims for `token`, by default the signed-in user's (`fetchToken` with this context). */
  async userinfo(
    token?: Pick<OAuth2Token, 'access_token' | 'id_token' | 'userinfo'>,
  ): Promise<UserInfo> {
    return this.app.userinfo(token ?? (await this.fetchToken()))
  }

  /** The normalised profile of `token`, by default the signed-in user's. */
  profile(token?: OAuth2Token): Promise<NormalizedProfile> {
    return this.app.profile(token, this.ctx)
  }

  /** One poll for a device code, for a client polling through the device route: see the app's `pollDeviceTokenOnce`. */
  pollDeviceTokenOnce(
    deviceCode: string,
  ): Promise<{ token: OAuth2Token } | { pending: 'authorization_pending' | 'slow_down' }> {
    return this.app.pollDeviceTokenOnce(deviceCode)
  }

  /** Exchange another client's authorization code (with its PKCE verifier): see the app's `exchangeCode`. */
  exchangeCode(options: ExchangeCodeOptions): Promise<OAuth2Token> {
    return this.app.exchangeCode(options)
  }

  /** Refresh `token` now; `updateToken` gets this context. */
  refreshToken(token: OAuth2Token, options: RefreshOptions = {}): Promise<OAuth2Token> {
    return this.app.refreshToken(token, { ctx: this.ctx, ...options })
  }

  /** The client credentials grant; `updateToken` gets this context. */
  clientCredentials(options: Omit<ClientCredentialsOptions, 'ctx'> = {}): Promise<OAuth2Token> {
    return this.app.clientCredentials({ ctx: this.ctx, ...options })
  }

  /** Start the device authorization grant (RFC 8628). */
  deviceAuthorization(options?: DeviceAuthorizationOptions): Promise<DeviceAuthorization> {
    return this.app.deviceAuthorization(options)
  }

  /** Poll for the device's token; `updateToken` gets this context. */
  pollDeviceToken(
    authorization: DeviceAuthorization,
    options: PollDeviceTokenOptions = {},
  ): Promise<OAuth2Token> {
    return this.app.pollDeviceToken(authorization, { ctx: this.ctx, ...options })
  }

  /** The resource owner password grant (legacy); `updateToken` gets this context. */
  passwordGrant(
    username: string,
    password: string,
    options: PasswordGrantOptions = {},
  ): Promise<OAuth2Token> {
    return this.app.passwordGrant(username, password, { ctx: this.ctx, ...options })
  }

  /** Exchange a token for another (RFC 8693). */
  tokenExchange(options: TokenExchangeOptions): Promise<ExchangedToken> {
    return this.app.tokenExchange(options)
  }

  /** Revoke a token (RFC 7009). */
  revokeToken(token: string | OAuth2Token, options?: RevokeTokenOptions): Promise<void> {
    return this.app.revokeToken(token, options)
  }

  /** Fully validate an ID token the app got elsewhere (see {@link OAuth2App.parseIdToken}). */
  parseIdToken(idToken: string, options: ParseIdTokenOptions): Promise<IdTokenClaims> {
    return this.app.parseIdToken(idToken, options)
  }

  /** Ask the provider whether a token is active (RFC 7662). */
  introspectToken(token: string, options?: IntrospectTokenOptions): Promise<TokenIntrospection> {
    return this.app.introspectToken(token, options)
  }

  /** The provider's RP-initiated logout URL. */
  createLogoutUrl(options?: LogoutOptions): Promise<URL> {
    return this.app.createLogoutUrl(options)
  }

  /** A 302 to the provider's logout endpoint. */
  logoutRedirect(options?: LogoutOptions): Promise<Response> {
    return this.app.logoutRedirect(options)
  }
}

/**
 * An OAuth 1.0a app bound to the current request: every method of {@link OAuth1App}, with the request
 * context filled in (`fetchToken`, `profile`).
 * @group Core
 */
export class BoundOAuth1App extends BoundApp<OAuth1App> {
  /** Always `'oauth1'`. */
  get kind(): 'oauth1' {
    return 'oauth1'
  }

  /** The app's configuration (secrets print redacted). */
  get config(): OAuth1App['config'] {
    return this.app.config
  }

  /** Temporary credentials and the authorization URL, without storing anything: see the app's `createAuthorizationUrl`. */
  createAuthorizationUrl(
    callbackUri: string,
    options?: AuthorizeOptions,
  ): Promise<AuthorizationRequest> {
    checkBoundRedirectUri(this.app.name, callbackUri)
    return this.app.createAuthorizationUrl(callbackUri, options)
  }

  /** The normalised profile of `token` (a preset's loader), by default the signed-in user's. */
  profile(token?: OAuth1Token): Promise<NormalizedProfile> {
    return this.app.profile(token, this.ctx)
  }
}

/**
 * An OpenID 2.0 app bound to the current request: every method of {@link OpenIdApp}, with the request
 * context filled in (`fetchToken`, `profile`).
 * @group Core
 */
export class BoundOpenIdApp extends BoundApp<OpenIdApp> {
  /** Always `'openid2'`. */
  get kind(): 'openid2' {
    return 'openid2'
  }

  /** The app's configuration. */
  get config(): OpenIdApp['config'] {
    return this.app.config
  }

  /** The `checkid_setup` URL, without storing anything: see the app's `createAuthorizationUrl`. */
  createAuthorizationUrl(
    redirectUri: string,
    options?: AuthorizeOptions,
  ): Promise<AuthorizationRequest> {
    checkBoundRedirectUri(this.app.name, redirectUri)
    return this.app.createAuthorizationUrl(redirectUri, options)
  }

  /** The normalised profile of `identity`, by default the signed-in user's. */
  profile(identity?: OpenIdIdentity): Promise<NormalizedProfile> {
    return this.app.profile(identity, this.ctx)
  }
}

/**
 * The bound form of app type `A`: {@link BoundOAuth2App} for an OAuth 2 app, {@link BoundOAuth1App} for an
 * OAuth 1 app, {@link BoundOpenIdApp} for an OpenID 2.0 one (the `BoundApp<A>` part keeps the token
 * type while `A` is still generic).
 * @group Core
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type BoundAppOf<A extends AppLike<any>> = BoundApp<A> &
  (A extends OAuth2App
    ? BoundOAuth2App
    : A extends OAuth1App
      ? BoundOAuth1App
      : A extends OpenIdApp
        ? BoundOpenIdApp
        : unknown)

/**
 * Bind `app` to `ctx`, as the kind of bound app its kind calls for.
 * @internal
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function bindApp<A extends AppLike<any>>(app: A, ctx: OAuthContext): BoundAppOf<A> {
  const kind = (app as { kind?: unknown }).kind
  const bound =
    kind === 'oauth2'
      ? new BoundOAuth2App(app as unknown as OAuth2App, ctx)
      : kind === 'oauth1'
        ? new BoundOAuth1App(app as unknown as OAuth1App, ctx)
        : kind === 'openid2'
          ? new BoundOpenIdApp(app as unknown as OpenIdApp, ctx)
          : new BoundApp(app, ctx)
  return bound as BoundAppOf<A>
}

/**
 * A registry bound to one request's context, as integrations give it to route handlers.
 * @group Core
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface BoundOAuth<Apps extends Record<string, AppLike<any>>> {
  /** The registered app `name`, bound to this request: a {@link BoundOAuth2App} or {@link BoundOAuth1App}. */
  create<N extends keyof Apps & string>(name: N): BoundAppOf<Apps[N]>
  /** The registered names. */
  names(): Array<keyof Apps & string>
  /** The request context. */
  readonly ctx: OAuthContext
  /** The registry's sealed token store (`oauth.tokens`), when it has a `store`. */
  readonly tokens?: SealedTokenStore
}
