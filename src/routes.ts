/**
 * The auth routes on Web `Request`/`Response`, shared by every integration: `login` and `callback` (the
 * redirect URI, `returnTo`, the user session, the 303 after a login with `Referrer-Policy: no-referrer`,
 * what a failed login answers), and `token`, `device`, `logout`, `userinfo` (in `routes/`). An
 * integration only turns its framework's request, response and cookies into these.
 *
 * @module
 */
import type { AuthorizeOptions } from './app/base.js'
import type { CallbackParams } from './app/callback.js'
import type { NormalizedProfile } from './app/config.js'
import type { BoundAppOf, BoundOAuth, BoundOAuth2App, TokenOf } from './bound.js'
import { checkKnownKeys } from './config-keys.js'
import { ErrorCode, OAuthKitError, isOAuthKitError } from './errors/error.js'
import type { OAuth, RemoteApp } from './registry.js'
import { callbackAnswer, seeOther } from './routes/answers.js'
import {
  deviceRoute,
  tokenRoute,
  type DeviceRouteOptions,
  type TokenRouteOptions,
} from './routes/native.js'
import { logoutRoute, sessionOf, userinfoRoute, type LogoutRouteOptions } from './routes/session.js'
import type { UserSession } from './session/user-session.js'
import type { AppToken, OAuthContext } from './types.js'

export type { DeviceRouteOptions, LogoutRouteOptions, TokenRouteOptions }

/**
 * The routes: `login` starts a login, `callback` finishes it, `token` and `device` serve native/CLI
 * clients, `logout` signs out, `userinfo` answers the signed-in user's claims.
 * @group Routes
 */
export type AuthAction = 'login' | 'callback' | 'token' | 'device' | 'logout' | 'userinfo'

/** The methods each route answers. @group Routes */
export const ROUTE_METHODS: Readonly<Record<AuthAction, readonly string[]>> = {
  login: ['GET'],
  callback: ['GET', 'POST'],
  token: ['POST'],
  device: ['POST'],
  logout: ['POST'],
  userinfo: ['GET'],
}

/**
 * True when the routes serve `action` by `method` with these options: `token` and `device` only when
 * configured (they spend the app's client credentials for other clients), the others always.
 * @group Routes
 */
export function routeServes(
  action: string,
  method: string,
  options: { token?: unknown; device?: unknown },
): action is AuthAction {
  if (!Object.hasOwn(ROUTE_METHODS, action)) return false
  if (action === 'token' && !options.token) return false
  if (action === 'device' && !options.device) return false
  return ROUTE_METHODS[action as AuthAction].includes(method.toUpperCase())
}

/** A finished login, as `onSuccess` receives it; `E` is what the integration adds (its request objects). @group Routes */
export type SignedIn<Apps extends Record<string, RemoteApp>, E = object> = E & {
  /** The app's registered name. */
  name: keyof Apps & string
  /** The new token (already handed to `updateToken`, keyed by `userId`). */
  token: TokenOf<Apps[keyof Apps & string]>
  /**
   * The user's normalised profile (`sub`, `name`, `email`, …, `raw`): the preset's loader, else the
   * userinfo claims, else the ID token's; undefined for an app that has none (OAuth 1 without a loader).
   */
  profile?: NormalizedProfile
  /** The user session, already signed in as `userId`: add the app's own small values with `session.update`. */
  session: UserSession
  /** The app's id of the user just signed in (the `userId` option's, by default `<name>:<sub>`). */
  userId: string | number
  /** The same-origin path the login was started with, if any. */
  returnTo?: string
  /** What the provider sent to the callback besides the code (Apple's `user`, Strava's `scope`). */
  params: CallbackParams
  /** The callback request. */
  request: Request
  /** The registry bound to this request; `oauth.ctx.userId` is `userId`. */
  oauth: BoundOAuth<Apps>
}

/** What the `userId` option decides from: the finished login. @group Routes */
export interface NewSignIn<Apps extends Record<string, RemoteApp>> {
  name: keyof Apps & string
  token: TokenOf<Apps[keyof Apps & string]>
  profile?: NormalizedProfile
  /** The session as it was before this login (someone may be signed in already: account linking). */
  session: UserSession
}

/** Where a login failed, as `onError` receives it; `E` is what the integration adds. @group Routes */
export type FailedRoute<E = object> = E & {
  /** The app's name as the route named it (it may be no registered app: `app_not_found`). */
  name: string
  action: AuthAction
  request: Request
}

/**
 * Options every integration's login and callback routes take: one vocabulary for Express, Next.js
 * and SvelteKit. `E` is what each integration adds to the callbacks' argument (`req`/`res`, `event`).
 *
 * @group Routes
 */
export interface AuthRouteOptions<Apps extends Record<string, RemoteApp>, E = object> {
  /**
   * After a login (the token already went to `updateToken`): start the app's session here. Return a
   * `Response` to answer yourself; by default the answer is a 303 to `returnTo`, else `defaultReturnTo`.
   */
  onSuccess?: (result: SignedIn<Apps, E>) => Response | void | Promise<Response | void>
  /**
   * Answers a failed login: every {@link OAuthKitError} (a callback without its transaction cookie is
   * `transaction_not_found`, a tampered one `transaction_invalid`, an unknown app `app_not_found`).
   * Other errors are not caught. Default: a 303 to `errorPath?code=<code>` when `errorPath` is set,
   * else a short `text/plain` answer, 400 (404 for `app_not_found`).
   */
  onError?: (error: OAuthKitError, info: FailedRoute<E>) => Response | Promise<Response>
  /** A page (path) showing the `code` query parameter; used by the default `onError`. */
  errorPath?: string
  /** Where a login started without `returnTo` lands (default `/`). */
  defaultReturnTo?: string
  /**
   * The app's public origin (`https://app.example`) for the redirect URI. Default: the request's
   * protocol and its `Host` header (`X-Forwarded-*` headers are not read).
   */
  baseUrl?: string
  /** The callback URL, exactly as registered. Default: the login URL with its last segment replaced by `callback`. */
  redirectUri?: (request: Request, name: string) => string
  /** Extra authorization parameters per login (`prompt`, `login_hint`, …). */
  authorizeParams?: (name: string, request: Request) => Record<string, string> | undefined
  /** Where the login returns to (a same-origin path; anything else is dropped). Default: the login URL's `returnTo` query parameter. */
  returnTo?: (request: Request) => string | undefined
  /**
   * The app's own id of the user a login signs in: the session holds it and the token is stored under
   * it (`ctx.userId`). Default: `<name>:<sub>`, the provider's subject. Map it to your user table here
   * (and link accounts: `session` tells who was signed in before). Setting `ctx.userId` in
   * `updateToken`, as apps did before sessions, still works but is deprecated.
   */
  userId?: (login: NewSignIn<Apps>) => string | number | Promise<string | number>
  /** The `token` route (off unless set): its clients' redirect URIs. See {@link TokenRouteOptions}. */
  token?: TokenRouteOptions
  /** The `device` route (off unless set): `true`, or its options. */
  device?: boolean | DeviceRouteOptions
  /** The `logout` route: revocation and RP-initiated logout. */
  logout?: LogoutRouteOptions
}

/**
 * Bind `oauth` to a request with the user session: `ctx.session` (made from `ctx.cookies` unless
 * given) and `ctx.userId` from it when the context has none. `origin` is the app's public origin
 * (`__Host-` cookie on https); when it is unknown (undefined), no session. The integrations call it once per request; `ctx` is completed in place,
 * so a lazy `ctx.request` stays lazy.
 * @group Routes
 */
export async function bindWithSession<Apps extends Record<string, RemoteApp>>(
  oauth: OAuth<Apps>,
  ctx: OAuthContext,
  origin: string | undefined,
): Promise<BoundOAuth<Apps>> {
  if (origin === undefined) return oauth.bind(ctx)
  ctx.session ??= oauth.session(ctx.cookies, origin)
  if (ctx.userId === undefined) {
    const userId = await ctx.session.userId()
    if (userId !== undefined) ctx.userId = userId
  }
  return oauth.bind(ctx)
}

/**
 * Run the `action` route of app `name` for the request `oauth` is bound to (`ctx.request`, and the
 * user session `ctx.session`: see {@link bindWithSession}): a 302 to the provider for `login`; for
 * `callback` the login is finished, the user signed in (session and stored token under `userId`),
 * `onSuccess` called, and the answer (a 303 by default, every answer with `Referrer-Policy:
 * no-referrer` and `Cache-Control: no-store`) returned; `token`, `device`, `logout` and `userinfo` as
 * their options say (README, "Routes"). An {@link OAuthKitError} of `login`, `callback` or `logout`
 * goes to `onError` (or the default answer); `token`, `device` and `userinfo` answer JSON errors;
 * any other error is thrown.
 *
 * @param extra - what the integration adds to `onSuccess`'s and `onError`'s argument.
 * @group Routes
 */
export async function authRoute<Apps extends Record<string, RemoteApp>, E extends object = object>(
  oauth: BoundOAuth<Apps>,
  name: string,
  action: AuthAction,
  options: AuthRouteOptions<Apps, E> = {},
  extra: E = {} as E,
): Promise<Response> {
  const request = oauth.ctx.request
  if (!request)
    throw new TypeError('authRoute: the registry must be bound to a context with the request')
  checkRouteOptions(options)
  const origin = new URL(options.baseUrl ?? requestOrigin(request)).origin
  try {
    if (!(oauth.names() as string[]).includes(name)) {
      throw new OAuthKitError(ErrorCode.APP_NOT_FOUND, `no app is registered as "${name}"`)
    }
    const appName = name as keyof Apps & string
    if (action === 'login') {
      const returnTo = options.returnTo
        ? options.returnTo(request)
        : (new URL(request.url).searchParams.get('returnTo') ?? undefined)
      const authorize: AuthorizeOptions = returnTo === undefined ? {} : { returnTo }
      const params = options.authorizeParams?.(name, request)
      if (params) authorize.params = params
      return await oauth
        .create(appName)
        .authorizeRedirect(redirectUriOf(request, name, options), authorize)
    }
    if (action === 'callback') return await callback(oauth, appName, options, extra)
    if (action === 'logout')
      return await logoutRoute(
        oauth as unknown as BoundOAuth<Record<string, RemoteApp>>,
        name,
        request,
        origin,
        { ...options.logout, defaultReturnTo: options.defaultReturnTo },
      )
    if (action === 'userinfo')
      return await userinfoRoute(oauth as unknown as BoundOAuth<Record<string, RemoteApp>>, name)
    const app = oauth.create(appName) as BoundAppOf<RemoteApp>
    if (app.kind !== 'oauth2')
      throw new OAuthKitError(
        ErrorCode.UNSUPPORTED_OPERATION,
        `${name}: the ${action} route needs an OAuth 2 app`,
        { app: name },
      )
    if (action === 'token' && options.token)
      return await tokenRoute(app as BoundOAuth2App, request, options.token)
    if (action === 'device' && options.device)
      return await deviceRoute(
        app as BoundOAuth2App,
        request,
        options.device === true ? {} : options.device,
      )
    return new Response('Not found', { status: 404 })
  } catch (error) {
    if (!isOAuthKitError(error)) throw error
    const answer = options.onError
      ? await options.onError(error, { ...extra, name, action, request })
      : defaultErrorAnswer(error, options.errorPath)
    return action === 'callback' ? callbackAnswer(answer) : answer
  }
}

const NESTED_KEYS = {
  token: ['redirectUris', 'loopbackAnyPort'],
  device: ['scope'],
  logout: ['revoke', 'endSession', 'postLogoutRedirectUri', 'returnTo'],
} as const satisfies {
  token: ReadonlyArray<keyof TokenRouteOptions>
  device: ReadonlyArray<keyof DeviceRouteOptions>
  logout: ReadonlyArray<keyof LogoutRouteOptions>
}

/** What a `redirectUri` in the token or logout route options stands for. */
const REDIRECT_URI_MEANT: Record<'token' | 'device' | 'logout', string | undefined> = {
  token: 'redirectUris',
  device: undefined,
  logout: 'postLogoutRedirectUri',
}

/** The nested route options, checked as register checks a config: a misspelt key is refused with the fix. */
function checkRouteOptions(
  options: Pick<AuthRouteOptions<Record<string, RemoteApp>>, 'token' | 'device' | 'logout'>,
): void {
  for (const key of ['token', 'device', 'logout'] as const) {
    const value = options[key]
    if (typeof value !== 'object' || value === null) continue
    // config-keys reads a stray redirectUri as authorizeRedirect's argument; here it is a near miss.
    const meant = REDIRECT_URI_MEANT[key]
    if (meant && 'redirectUri' in value)
      throw new OAuthKitError(
        ErrorCode.CONFIG_INVALID,
        `the ${key} route options has an unknown key "redirectUri": did you mean ${meant}?`,
      )
    checkKnownKeys('', `the ${key} route options`, value, NESTED_KEYS[key])
  }
  const list = options.token?.redirectUris
  if (options.token && (!Array.isArray(list) || list.some((uri) => !URL.canParse(uri))))
    throw new OAuthKitError(
      ErrorCode.CONFIG_INVALID,
      'the token route options: redirectUris must be an array of absolute URLs',
    )
}

/** Finish the login, sign the user in (session and stored token under the user's id), call `onSuccess`. */
async function callback<Apps extends Record<string, RemoteApp>, E extends object>(
  oauth: BoundOAuth<Apps>,
  name: keyof Apps & string,
  options: AuthRouteOptions<Apps, E>,
  extra: E,
): Promise<Response> {
  const app = oauth.create(name) as BoundAppOf<RemoteApp>
  const session = sessionOf(oauth as unknown as BoundOAuth<Record<string, RemoteApp>>)
  const { token, returnTo, params } = await app.completeAuthorization({ persist: false })
  const profile = await profileOf(app, token)
  const login = { name, token, session, ...(profile && { profile }) } as NewSignIn<Apps>
  const ctx = oauth.ctx
  ctx.userId = options.userId ? await options.userId(login) : defaultUserId(name, token, profile)
  await app.saveToken(token as never, { reason: 'login' })
  // Deprecated, kept working: an updateToken that set ctx.userId to the app's own id.
  const userId = ctx.userId
  await session.set({ userId, app: name })
  const signedIn = {
    ...extra,
    name,
    token,
    params,
    request: ctx.request!,
    oauth,
    session,
    userId,
    ...(profile && { profile }),
    ...(returnTo === undefined ? {} : { returnTo }),
  } as SignedIn<Apps, E>
  const answer = await options.onSuccess?.(signedIn)
  return callbackAnswer(answer ?? seeOther(returnTo ?? options.defaultReturnTo ?? '/'))
}

/** The user's profile, or undefined for an app that has no way to load one. */
async function profileOf(
  app: BoundAppOf<RemoteApp>,
  token: AppToken,
): Promise<NormalizedProfile | undefined> {
  try {
    return await app.profile(token as never)
  } catch (error) {
    if (isOAuthKitError(error, ErrorCode.UNSUPPORTED_OPERATION)) return undefined
    throw error
  }
}

/**
 * `<name>:<sub>`: the provider's subject (an OpenID 2.0 login's claimed id), which no other app's
 * users share.
 */
function defaultUserId(name: string, token: AppToken, profile?: NormalizedProfile): string {
  const sub =
    profile?.sub ??
    (token as { userinfo?: { sub?: unknown } }).userinfo?.sub ??
    (token as { claimed_id?: unknown }).claimed_id
  if (typeof sub !== 'string' || sub === '')
    throw new OAuthKitError(
      ErrorCode.CONFIG_INVALID,
      `${name}: the login gave no subject to key the user by (no profile, no ID token): set the routes' userId option`,
      { app: name },
    )
  return `${name}:${sub}`
}

/** The default answer to a failed login: a 303 to `errorPath?code=`, else a short text, 400 (404 for an unknown app). @group Routes */
export function defaultErrorAnswer(error: OAuthKitError, errorPath?: string): Response {
  if (errorPath !== undefined)
    return seeOther(`${errorPath}?code=${encodeURIComponent(error.code)}`)
  const status =
    error.code === ErrorCode.APP_NOT_FOUND
      ? 404
      : error.code === ErrorCode.CROSS_SITE_REQUEST
        ? 403
        : 400
  return new Response(`Sign-in failed: ${error.code}`, {
    status,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' },
  })
}

/** The callback URL: the option, else the login URL's sibling `callback` on `baseUrl` or the request's own origin. */
function redirectUriOf<Apps extends Record<string, RemoteApp>, E>(
  request: Request,
  name: string,
  options: AuthRouteOptions<Apps, E>,
): string {
  if (options.redirectUri) return options.redirectUri(request, name)
  const url = new URL(request.url)
  const path = url.pathname.replace(/\/[^/]*\/?$/, '/callback')
  return new URL(path, options.baseUrl ?? requestOrigin(request)).href
}

/** The request's origin as the browser sees it: its protocol and `Host` header (a framework may report 127.0.0.1 as localhost). @group Routes */
export function requestOrigin(request: Request): string {
  const host = request.headers.get('host')
  return host ? `${new URL(request.url).protocol}//${host}` : new URL(request.url).origin
}
