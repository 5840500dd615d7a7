/**
 * The registry: named remote apps, shared defaults, and the token callbacks.
 *
 * @module
 */
import type { FetchToken, UpdateToken } from './app/config.js'
import type { OAuth2AppConfig } from './oauth2/config.js'
import { configError } from './app/config.js'
import { validateOAuth2Config } from './oauth2/validate-config.js'
import {
  checkKnownKeys,
  OAUTH1_CONFIG_KEYS,
  OAUTH2_CONFIG_KEYS,
  OPENID2_CONFIG_KEYS,
  type Exhaustive,
  type UnknownKeysOf,
} from './config-keys.js'
import { refuseAttributeAccess } from './app/arguments.js'
import { bindApp, type BoundOAuth } from './bound.js'
import { ErrorCode, OAuthKitError } from './errors/error.js'
import type { AppServices, LockFunction } from './app/services.js'
import { OAuth2App } from './oauth2/app.js'
import { TransactionStore, type ReplayGuard } from './session/transaction.js'
import { issuerFromMetadataUrl } from './oauth2/metadata.js'
import { OAuth1App } from './oauth1/app.js'
import { validateOAuth1Config, type OAuth1AppConfig } from './oauth1/config.js'
import { OpenIdApp } from './openid2/app.js'
import { validateOpenIdConfig, type OpenIdAppConfig } from './openid2/config.js'
import { INSPECT } from './app/redact.js'
import type { AppToken, OAuthContext } from './types.js'
import type { TokenStore } from './stores/store.js'
import { SealedTokenStore, storeCallbacks } from './stores/sealed.js'
import { fallbackSecret } from './session/secret.js'
import { UserSession, type UserSessionOptions } from './session/user-session.js'
import type { CookieStore } from './session/cookies.js'

/** Options of {@link OAuth}. @group Core */
export interface OAuthOptions {
  /**
   * Reads the current user's stored token for an app (used by API calls when no token is passed).
   * Shared by every app, so it hands the token of whichever app `name` is: OAuth 2 or OAuth 1. A
   * registry of OAuth 2 apps only may type its parameter `OAuth2Token`: each app checks the kind of
   * what it reads (another kind is `token_missing`).
   */
  fetchToken?(...args: Parameters<FetchToken<AppToken>>): ReturnType<FetchToken<AppToken>>
  /**
   * Persists a new token: after a login and after every refresh. Shared by every app, so it gets the
   * token of whichever app `name` is ({@link AppToken}; `'oauth_token' in token` tells an OAuth 1 one).
   * A registry of OAuth 2 apps only may type it `(name, token: OAuth2Token, info) => …`.
   */
  updateToken?(...args: Parameters<UpdateToken<AppToken>>): ReturnType<UpdateToken<AppToken>>
  /** `fetch` for every app that does not set its own (tests, proxies, edge runtimes). */
  fetch?: typeof fetch
  /**
   * Password sealing login transactions into cookies: at least 32 characters, or `{ id: password }`
   * to rotate. Without it a random one is made on the first login (not in the constructor, so a
   * registry can be created at module scope on Cloudflare Workers), valid in that process only, with
   * one `console.warn`; with `NODE_ENV=production` the first login is refused (`config_invalid`)
   * instead. Set it whenever the app runs in production or on more than one process.
   */
  secret?: string | Record<string, string>
  /** Seconds a login may take before its transaction expires (default 600). */
  transactionTtl?: number
  /** Most logins in flight per browser (default 5); together they stay under 6 KiB of cookies, the oldest dropped first. */
  maxTransactions?: number
  /**
   * Name prefix of the login transaction cookies (default `__Host-oauthkit.tx.`). The `__Host-`
   * prefix stops a sibling subdomain or a plain-http page from planting a transaction (login CSRF by
   * cookie tossing); drop it only if the callback must read a cookie set with `Domain` or another path.
   * On an http loopback redirect URI (development) a leading `__Host-`/`__Secure-` is left out.
   */
  cookiePrefix?: string
  /**
   * A lock shared by every process serving the app (Redis, database), so a token is refreshed once
   * across all of them. Within one process refreshes are single-flight without it.
   */
  lock?: LockFunction
  /**
   * Where the users' tokens are kept ({@link MemoryTokenStore}, `oauthkit/stores/sqlite`, `…/postgres`,
   * `…/redis`, or your own {@link TokenStore}), sealed with `secret` (required with a store). It stands
   * for `fetchToken` and `updateToken` (an explicit one wins), keyed by `ctx.userId`, the app's own id
   * of the signed-in user (a string or number, see {@link TokenContext.userId}): a token to persist
   * without it is refused (`config_invalid`) rather than lost. Read and delete through {@link OAuth.tokens}.
   */
  store?: TokenStore
  /**
   * Where used login transactions are remembered, so a callback replayed with its cookie is refused.
   * The default remembers per process; when several processes serve the callback, share one:
   * `new RedisReplayGuard(redis)` from `oauthkit/stores/redis`, or your own {@link ReplayGuard}.
   */
  replayGuard?: ReplayGuard
  /**
   * The signed-in user's session cookie, sealed with `secret`: its name (default `oauthkit.session`,
   * `__Host-` added on https) and lifetime (`maxAge`, default 14 days). See {@link OAuth.session}.
   */
  session?: UserSessionOptions
}

/**
 * Any app config `register` accepts: `requestTokenUrl` makes it OAuth 1.0a, `openIdEndpoint` OpenID
 * 2.0, else OAuth 2.
 * @group Config
 */
export type AppConfig = OAuth2AppConfig | OAuth1AppConfig | OpenIdAppConfig

/**
 * The app type `register` makes from a config: {@link OAuth1App} for one with `requestTokenUrl`,
 * {@link OpenIdApp} for one with `openIdEndpoint`.
 * @group Core
 */
export type AppFor<C> = C extends { requestTokenUrl: string }
  ? OAuth1App
  : C extends { openIdEndpoint: string }
    ? OpenIdApp
    : C extends OAuth2AppConfig
      ? OAuth2App
      : never

/** An app of any kind. @group Core */
export type RemoteApp = OAuth2App | OAuth1App | OpenIdApp

const REGISTRY_LIST = [
  'fetchToken',
  'updateToken',
  'fetch',
  'secret',
  'transactionTtl',
  'maxTransactions',
  'cookiePrefix',
  'lock',
  'store',
  'replayGuard',
  'session',
] as const satisfies ReadonlyArray<keyof OAuthOptions>

// A key added to OAuthOptions must be added to the list: this fails to compile otherwise.
const _registryKeys: Exhaustive<OAuthOptions, typeof REGISTRY_LIST> = true

const SESSION_KEYS = ['cookieName', 'maxAge'] as const satisfies ReadonlyArray<
  keyof UserSessionOptions
>
const _sessionKeys: Exhaustive<UserSessionOptions, typeof SESSION_KEYS> = true

/** A misspelt or Authlib-style key is refused with the fix, before anything else is checked. */
function checkConfigKeys(name: string, config: object): void {
  if (isOpenIdConfig(config as AppConfig)) {
    // Client credentials on an OpenID 2.0 app get validateOpenIdConfig's own message.
    const credentials = (key: string) => key === 'clientId' || key === 'clientSecret'
    const rest = Object.fromEntries(Object.entries(config).filter(([key]) => !credentials(key)))
    checkKnownKeys(name, 'config', rest, OPENID2_CONFIG_KEYS)
  } else if (isOAuth1Config(config as AppConfig)) {
    // An OAuth 2 option on an OAuth 1 app gets validateOAuth1Config's own message.
    const oauth2Only = (key: string) =>
      OAUTH2_CONFIG_KEYS.includes(key) && !OAUTH1_CONFIG_KEYS.includes(key)
    const rest = Object.fromEntries(Object.entries(config).filter(([key]) => !oauth2Only(key)))
    checkKnownKeys(name, 'config', rest, OAUTH1_CONFIG_KEYS)
  } else {
    checkKnownKeys(name, 'config', config, OAUTH2_CONFIG_KEYS)
  }
}

/** A store needs the four methods, and a secret every process shares (a random one would lose every token on restart). */
function checkStore(store: TokenStore, secret: OAuthOptions['secret']): void {
  const methods = ['get', 'set', 'delete', 'deleteUser'] as const
  if (
    typeof store !== 'object' ||
    store === null ||
    methods.some((m) => typeof store[m] !== 'function')
  )
    throw new OAuthKitError(
      ErrorCode.CONFIG_INVALID,
      `OAuth: store must have ${methods.join(', ')} (a TokenStore such as new MemoryTokenStore())`,
    )
  if (secret === undefined)
    throw new OAuthKitError(
      ErrorCode.CONFIG_INVALID,
      'OAuth: a store needs a secret to seal the tokens with: new OAuth({ store, secret }) with at least 32 characters, the same in every process',
    )
}

function isOpenIdConfig(config: AppConfig): config is OpenIdAppConfig {
  return (
    typeof config === 'object' &&
    config !== null &&
    'openIdEndpoint' in config &&
    config.openIdEndpoint !== undefined
  )
}

function isOAuth1Config(config: AppConfig): config is OAuth1AppConfig {
  return (
    typeof config === 'object' &&
    config !== null &&
    'requestTokenUrl' in config &&
    config.requestTokenUrl !== undefined
  )
}

/**
 * Holds named remote apps. `register` is chainable and typed, so `create` knows every name.
 *
 * @example
 * ```ts
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET, updateToken })
 *   .register('corp', { serverMetadataUrl: 'https://idp.example/.well-known/openid-configuration',
 *                       clientId, clientSecret, scope: 'openid email profile' })
 * const app = oauth.create('corp')
 * ```
 * @typeParam Apps - the registered names and their app types (built up by `register`).
 * @group Core
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export class OAuth<Apps extends Record<string, RemoteApp> = {}> {
  readonly #configs = new Map<string, AppConfig>()
  readonly #apps = new Map<string, RemoteApp>()
  readonly #env: AppServices
  readonly #tokens?: SealedTokenStore
  readonly #secret: () => string | Record<string, string>
  readonly #session: UserSessionOptions

  /**
   * The users' tokens in the registry's `store`, sealed and unsealed with its `secret`: `get`, `set`,
   * `delete` and `deleteUser` (sign-out) by the app's user id. Undefined without a `store`.
   */
  get tokens(): SealedTokenStore | undefined {
    return this.#tokens
  }

  constructor(options: OAuthOptions = {}) {
    if (typeof options === 'object' && options !== null)
      checkKnownKeys('', 'new OAuth()', options, REGISTRY_LIST)
    const store = options?.store
    const session = options?.session ?? {}
    if (typeof session !== 'object' || session === null)
      throw new OAuthKitError(ErrorCode.CONFIG_INVALID, 'OAuth: session must be an object')
    checkKnownKeys('', 'session', session, SESSION_KEYS)
    this.#session = session
    let fallback: string | undefined
    const secret = options?.secret
    this.#secret = () => secret ?? (fallback ??= fallbackSecret())
    let callbacks: Partial<ReturnType<typeof storeCallbacks>> = {}
    if (store !== undefined) {
      checkStore(store, options.secret)
      this.#tokens = new SealedTokenStore(store, options.secret!)
      callbacks = storeCallbacks(this.#tokens)
    }
    this.#env = {
      fetch: options.fetch ?? ((input, init) => globalThis.fetch(input, init)),
      transactions: new TransactionStore({
        secret: options.secret,
        ttl: options.transactionTtl,
        maxInFlight: options.maxTransactions,
        cookiePrefix: options.cookiePrefix,
        replayGuard: options.replayGuard,
      }),
      fetchToken: options.fetchToken ?? callbacks.fetchToken,
      updateToken: options.updateToken ?? callbacks.updateToken,
      lock: options.lock,
      replayGuard: options.replayGuard,
    }
  }

  /**
   * Register a remote app under `name`. The config is checked now: a missing clientId, a malformed
   * or non-https URL, or no way to find the authorization endpoint fails here, naming the field.
   * Registering a name twice fails unless the config says `overwrite: true`.
   */
  register<const N extends string, const C extends AppConfig>(
    name: N,
    config: C & UnknownKeysOf<C>,
  ): OAuth<Apps & Record<N, AppFor<C>>> {
    if (typeof name !== 'string' || name === '')
      throw configError(String(name), 'name', 'must be a non-empty string')
    if (this.#configs.has(name) && !config?.overwrite) {
      throw new OAuthKitError(
        ErrorCode.APP_ALREADY_REGISTERED,
        `app "${name}" is already registered (pass overwrite: true to replace it)`,
        { app: name },
      )
    }
    if (typeof config === 'object' && config !== null) checkConfigKeys(name, config)
    if (isOpenIdConfig(config)) validateOpenIdConfig(name, config)
    else if (isOAuth1Config(config)) validateOAuth1Config(name, config)
    else {
      validateOAuth2Config(name, config)
      // Exactly the check the first login makes: without issuer, it must be readable from the metadata URL.
      if (config.serverMetadataUrl && !config.issuer)
        issuerFromMetadataUrl(name, config.serverMetadataUrl)
    }
    this.#configs.set(name, config)
    this.#apps.delete(name)
    refuseAttributeAccess(this, name)
    return this as unknown as OAuth<Apps & Record<N, AppFor<C>>>
  }

  /** The app registered as `name` (made once, then reused). */
  create<N extends keyof Apps & string>(name: N): Apps[N] {
    const cached = this.#apps.get(name)
    if (cached) return cached as Apps[N]
    const config = this.#configs.get(name)
    if (!config) {
      const known = [...this.#configs.keys()]
      throw new OAuthKitError(
        ErrorCode.APP_NOT_FOUND,
        `no app is registered as "${name}"${known.length ? ` (registered: ${known.map((n) => `"${n}"`).join(', ')})` : ' (none are registered)'}`,
      )
    }
    const app = isOpenIdConfig(config)
      ? new OpenIdApp(name, config, this.#env)
      : isOAuth1Config(config)
        ? new OAuth1App(name, config, this.#env)
        : new OAuth2App(name, config, this.#env)
    this.#apps.set(name, app)
    return app as Apps[N]
  }

  /**
   * The signed-in user's session in `cookies`: a sealed cookie (the registry's `secret`) holding the
   * user id, read, written and destroyed through the handle. `origin` is the app's public origin: on
   * https (or http off loopback) the cookie is `__Host-` and Secure. Integrations make one per request
   * and put it in the context as `ctx.session`.
   */
  session<Extra extends object = Record<string, unknown>>(
    cookies: CookieStore,
    origin: string | URL,
  ): UserSession<Extra> {
    return new UserSession<Extra>(cookies, this.#secret, origin, this.#session)
  }

  /** The registered names. */
  names(): Array<keyof Apps & string> {
    return [...this.#configs.keys()] as Array<keyof Apps & string>
  }

  /** What `console.log(oauth)` shows: the registered names (configs and secrets stay inside). */
  [INSPECT](
    _depth: number,
    options: object,
    inspect: (value: unknown, options: object) => string,
  ): string {
    return `OAuth ${inspect(this.toJSON(), options)}`
  }

  /** What `JSON.stringify(oauth)` gives: the registered names. */
  toJSON(): { apps: string[] } {
    return { apps: this.names() }
  }

  /**
   * This registry bound to one request's context: `bind(ctx).create('github').authorizeRedirect(uri)`.
   * Integrations call it once per request; apps stay shared, only the context differs.
   */
  bind(ctx: OAuthContext): BoundOAuth<Apps> {
    const bound: BoundOAuth<Apps> = {
      ctx,
      create: (name) => bindApp(this.create(name), ctx),
      names: () => this.names(),
      tokens: this.#tokens,
    }
    // Printed, it shows the names only: the request context holds the user's cookies and session.
    const view = () => ({ apps: this.names() })
    return Object.defineProperties(bound, {
      [INSPECT]: {
        value: (
          _depth: number,
          options: object,
          inspect: (value: unknown, options: object) => string,
        ) => `BoundOAuth ${inspect(view(), options)}`,
      },
      toJSON: { value: view },
    })
  }
}
