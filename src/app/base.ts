/**
 * What every kind of app shares (Authlib's `BaseApp`): its name and redacted config, authenticated
 * API calls, the token callbacks (generic over the app's token type), the login transaction around
 * the redirect and the callback, the limits, and how it prints.
 *
 * @module
 */
import type { ResponsePromise } from 'ky'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import { ApiClient, DEFAULT_API_MAX_RESPONSE_SIZE } from '../http/api.js'
import { appFetch, type AppFetch, type AppFetchOptions } from '../http/app-fetch.js'
import {
  ApiMethods,
  CallState,
  type ApiAuthorizer,
  type ApiRequestOptions,
} from '../http/api-call.js'
import { isLoopback } from '../http/loopback.js'
import type { Transaction, TransactionCookieOptions } from '../session/transaction.js'
import type { AppToken, OAuthContext, RequestHook, ResponseHook, TokenContext } from '../types.js'
import { checkContext } from './arguments.js'
import { callbackParameters, type CallbackParams } from './callback.js'
import type { BaseAppConfig, FetchToken, UpdateToken, UpdateTokenInfo } from './config.js'
import { INSPECT, redactedView, withRedaction } from './redact.js'
import type { AppServices } from './services.js'

/** Per-call options of `createAuthorizationUrl` and `authorizeRedirect`. @group Core */
export interface AuthorizeOptions {
  /** Extra or overriding authorization request parameters (`prompt`, `login_hint`, `scope`, …). */
  params?: Record<string, string>
  /** A same-origin relative path to return to after the login; anything else is ignored. */
  returnTo?: string
}

/** A prepared authorization request: its URL, and the transaction to keep until the callback. @group Core */
export interface AuthorizationRequest {
  url: URL
  transaction: Transaction
}

/** Options of `authorizeAccessToken` and `completeAuthorization`. @group Core */
export interface AuthorizeAccessTokenOptions {
  /** Extra token request parameters. */
  params?: Record<string, string>
  /**
   * `false`: leave the token to the caller, who hands it to `updateToken` with {@link RemoteAppBase.saveToken}
   * once it knows the user (the callback route does, to key the token by the user it signs in).
   * @internal
   */
  persist?: false
}

/** A finished login: the token, the callback's parameters, and where the login asked to return to. @group Core */
export interface CompletedAuthorization<T> {
  token: T
  /** The same-origin path given as `returnTo` when the login started. */
  returnTo?: string
  /** What the provider sent to the callback besides the code (Apple's `user`, Strava's `scope`). */
  params: CallbackParams
}

/** The part of an app's config the shared base reads, for token type `T`. @group Core */
export interface SharedConfig<T extends AppToken> extends Omit<
  BaseAppConfig,
  'clientId' | 'clientSecret' | 'fetchToken' | 'updateToken'
> {
  transactionTtl?: number
  /** OAuth 2: the token field holding that token's API base (`instance_url`). */
  apiBaseUrlFromToken?: string
  fetchToken?: FetchToken<T>
  updateToken?: UpdateToken<T>
  hooks?: {
    protectedRequest?: RequestHook | readonly RequestHook[]
    protectedResponse?: ResponseHook | readonly ResponseHook[]
  }
}

/** A callback's parameters, and the one-time take of the transaction a parameter names. */
export interface Callback {
  params: URLSearchParams
  take(key: string): Promise<Transaction>
}

const DEFAULT_TIMEOUT = 10_000
const DEFAULT_MAX_RESPONSE_SIZE = 1024 * 1024

/**
 * The base of {@link OAuth2App}, {@link OAuth1App} and {@link OpenIdApp}.
 *
 * @typeParam T - the app's token type.
 * @typeParam C - the app's config type.
 * @group Core
 */
export abstract class RemoteAppBase<
  T extends AppToken,
  C extends SharedConfig<T>,
> extends ApiMethods<T> {
  /** `'oauth2'`, `'oauth1'` or `'openid2'`: which kind of app this is. */
  abstract readonly kind: 'oauth2' | 'oauth1' | 'openid2'
  /** The name the app was registered under. */
  readonly name: string
  /**
   * The app's configuration, as registered: a copy that prints (`console.log`, `JSON.stringify`) with
   * its secrets redacted; reading a field gives its value.
   */
  readonly config: Readonly<C>
  readonly #services: AppServices
  #api?: ApiClient<T>
  #fetch?: AppFetch

  /** @internal */
  constructor(name: string, config: C, services: AppServices) {
    super()
    this.name = name
    this.config = withRedaction(config)
    this.#services = services
  }

  /**
   * Build an authorization request without storing anything: the URL to send the browser to, and the
   * transaction the callback will need (keep it sealed: it holds the PKCE verifier or OAuth 1
   * temporary secret).
   */
  abstract createAuthorizationUrl(
    redirectUri: string,
    options?: AuthorizeOptions,
  ): Promise<AuthorizationRequest>

  /** Finish a login on the callback route, also returning the `returnTo` path the login was started with. */
  abstract completeAuthorization(
    ctx: OAuthContext,
    options?: AuthorizeAccessTokenOptions,
  ): Promise<CompletedAuthorization<T>>

  /** How API calls of this kind get, add and renew the token. @internal */
  protected abstract apiAuthorizer(): ApiAuthorizer<T>

  /** Origins (besides `apiBaseUrl` and `trustedOrigins`) this kind sends credentials to. @internal */
  protected abstract providerOrigins(): ReadonlyArray<string | undefined>

  /** True for a token of this app's kind (what `fetchToken` returned may be another app's). @internal */
  protected abstract isToken(value: AppToken): value is T

  /** What this kind's token needs, for the message when `fetchToken` returns something else. @internal */
  protected abstract readonly tokenShape: string

  /**
   * An authenticated request to the provider's API, through ky. A relative `url` is appended to
   * `apiBaseUrl` (`'user'` and `'/user'` both mean `${apiBaseUrl}/user`); an absolute URL is used as
   * is, but only on the origin of `apiBaseUrl`, of the provider's own endpoints or of
   * `trustedOrigins`: any other is refused (`untrusted_origin`) before the token is read. The token is
   * `options.token`, else `fetchToken(name, ctx)`. The call gives up after the app's `timeout` (ky's
   * `TimeoutError`), and its body is limited to `apiMaxResponseSize` bytes.
   */
  override request(
    method: string,
    url: string | URL,
    options?: ApiRequestOptions<T>,
  ): ResponsePromise {
    return this.api.request(method, url, options)
  }

  /**
   * A WHATWG-`fetch`-compatible function bound to this app, for SDKs that take a custom `fetch`
   * (`new Octokit({ request: { fetch: app.fetch } })`, openapi-fetch, graphql-request, …). Each call
   * goes where `request` would send it, under the same rules: only to `apiBaseUrl`'s origin, the
   * provider's own endpoints and `trustedOrigins` (else `untrusted_origin`, before the token is read);
   * the token from `fetchToken(name)`, refreshed when due; the app kind's credentials (Bearer, DPoP, or
   * an OAuth 1 signature); one refresh and retry after a 401 `invalid_token`; the response body within
   * `apiMaxResponseSize`. A relative URL is read against `apiBaseUrl`. A body given as a
   * `ReadableStream` is sent once and not retried; other bodies are kept for the retry. No timeout is
   * added: pass `init.signal`. Use {@link RemoteAppBase.fetcher} to bind a user (`ctx`) or a token.
   */
  get fetch(): AppFetch {
    return (this.#fetch ??= appFetch(this.api))
  }

  /** A `fetch` like {@link RemoteAppBase.fetch} that calls with `options.token`, or the token `fetchToken(name, options.ctx)` gives. */
  fetcher(options: AppFetchOptions<T> = {}): AppFetch {
    return appFetch(this.api, options)
  }

  /** The current token for API calls, as `get`/`post` would use it: `fetchToken(name, ctx)` (the app's, else the registry's). */
  async fetchToken(ctx?: TokenContext): Promise<T> {
    return this.apiAuthorizer().resolve(new CallState<T>(undefined, ctx))
  }

  /**
   * Start a login: store a sealed transaction in a cookie keyed by its state and answer with a 302
   * redirect to the provider. Several logins can be in flight at once (one per tab).
   *
   * @example
   * ```ts
   * return oauth.create('corp').authorizeRedirect({ cookies }, 'https://app.example/auth/corp/callback')
   * ```
   */
  async authorizeRedirect(
    ctx: OAuthContext,
    redirectUri: string,
    options: AuthorizeOptions = {},
  ): Promise<Response> {
    checkContext(this.name, 'authorizeRedirect', ctx)
    const { url, transaction } = await this.createAuthorizationUrl(redirectUri, options)
    await this.#services.transactions.save(
      ctx,
      transaction,
      this.transactionCookie(redirectUri),
      this.#ttl,
    )
    return new Response(null, {
      status: 302,
      headers: { location: url.href, 'cache-control': 'no-store' },
    })
  }

  /**
   * Finish a login on the callback route and return the token (see `completeAuthorization`). The
   * transaction is deleted whether this succeeds or not; `updateToken` is called with the new token.
   */
  async authorizeAccessToken(
    ctx: OAuthContext,
    options: AuthorizeAccessTokenOptions = {},
  ): Promise<T> {
    return (await this.completeAuthorization(ctx, options)).token
  }

  /** What `console.log(app)` and `util.inspect(app)` show: the name and the config, secrets redacted. */
  [INSPECT](
    _depth: number,
    options: object,
    inspect: (value: unknown, options: object) => string,
  ): string {
    const label = { oauth2: 'OAuth2App', oauth1: 'OAuth1App', openid2: 'OpenIdApp' }[this.kind]
    return `${label} ${inspect(this.toJSON(), options)}`
  }

  /** What `JSON.stringify(app)` gives: the name and the config, secrets redacted. */
  toJSON(): {
    kind: 'oauth2' | 'oauth1' | 'openid2'
    name: string
    config: Record<string, unknown>
  } {
    return { kind: this.kind, name: this.name, config: redactedView(this.config) }
  }

  /** The app's API client (ky), made on first use. @internal */
  protected get api(): ApiClient<T> {
    const config = this.config
    this.#api ??= new ApiClient<T>(
      this.name,
      {
        apiBaseUrl: config.apiBaseUrl,
        tokenBase: tokenBaseReader<T>(config.apiBaseUrlFromToken),
        fetch: this.fetchFunction,
        userAgent: config.userAgent,
        hooks: config.hooks?.protectedRequest,
        responseHooks: config.hooks?.protectedResponse,
        // RFC 6750 §5.3: credentials go only to the API and the provider's own endpoints, unless the app trusts more.
        trustedOrigins: [...this.providerOrigins(), ...(config.trustedOrigins ?? [])],
        allowInsecureRequests: config.allowInsecureRequests,
        timeout: this.timeout,
        maxResponseSize: config.apiMaxResponseSize ?? DEFAULT_API_MAX_RESPONSE_SIZE,
        maxJsonSize: this.maxResponseSize,
      },
      this.apiAuthorizer(),
    )
    return this.#api
  }

  /** The app's `fetch`, else the registry's. @internal */
  protected get fetchFunction(): typeof fetch {
    return this.config.fetch ?? this.#services.fetch
  }

  /** Milliseconds before a provider request is abandoned. @internal */
  protected get timeout(): number {
    return this.config.timeout ?? DEFAULT_TIMEOUT
  }

  /** Largest protocol response accepted, in bytes. @internal */
  protected get maxResponseSize(): number {
    return this.config.maxResponseSize ?? DEFAULT_MAX_RESPONSE_SIZE
  }

  /** The registry's services (transactions, lock). @internal */
  protected get services(): AppServices {
    return this.#services
  }

  /** The callback request's parameters, and the one-time take of this app's transactions. @internal */
  protected async callback(ctx: OAuthContext): Promise<Callback> {
    checkContext(this.name, 'authorizeAccessToken', ctx)
    const request = ctx?.request
    if (!request)
      throw new OAuthKitError(
        ErrorCode.INVALID_REQUEST,
        `${this.name}: authorizeAccessToken needs ctx.request (the callback request)`,
        { app: this.name },
      )
    const params = await callbackParameters(request, this.name)
    const cookie = this.transactionCookie(new URL(request.url).href)
    return {
      params,
      take: (key) => this.#services.transactions.take(ctx, key, this.name, cookie, this.#ttl),
    }
  }

  /** Cookie attributes for this app's transactions: Secure and `__Host-` except on an http loopback callback. @internal */
  protected transactionCookie(url: string): TransactionCookieOptions {
    const parsed = new URL(url)
    const insecureLoopback = parsed.protocol === 'http:' && isLoopback(parsed)
    return { secure: !insecureLoopback, sameSite: 'lax', insecureLoopback }
  }

  /** True when a `fetchToken` (the app's or the registry's) is configured. @internal */
  protected get readsTokens(): boolean {
    return Boolean(this.config.fetchToken ?? this.#services.fetchToken)
  }

  /** The stored token of `ctx`'s user, from `fetchToken` (the app's, else the registry's), if any. @internal */
  protected async readToken(ctx: TokenContext | undefined): Promise<T | undefined> {
    const read = this.config.fetchToken ?? this.#services.fetchToken
    const value = (await read?.(this.name, ctx)) ?? undefined
    if (value === undefined) return undefined
    if (typeof value !== 'object' || !this.isToken(value)) {
      throw new OAuthKitError(
        ErrorCode.TOKEN_MISSING,
        `${this.name}: fetchToken returned something that is not a token of this app (${this.tokenShape} is needed)`,
        { app: this.name },
      )
    }
    return value
  }

  /** Hand a new token to `updateToken` (the app's, else the registry's), as a login left it with `persist: false`. @internal */
  saveToken(token: T, info: UpdateTokenInfo): Promise<void> {
    return this.persist(token, info)
  }

  /** Hand a new token to `updateToken` (the app's, else the registry's). @internal */
  protected async persist(token: T, info: UpdateTokenInfo): Promise<void> {
    const update = this.config.updateToken ?? this.#services.updateToken
    if (update) await update(this.name, token, info)
  }

  get #ttl(): number {
    return this.config.transactionTtl ?? this.#services.transactions.ttl
  }
}

/** Reads a token's own API base from its `field` (an OAuth 2 token's `instance_url`), if configured. */
function tokenBaseReader<T>(
  field: string | undefined,
): ((token: T) => string | undefined) | undefined {
  if (field === undefined) return undefined
  return (token) => {
    const value = (token as Record<string, unknown>)[field]
    return typeof value === 'string' ? value : undefined
  }
}
