/**
 * The login and callback routes on Web `Request`/`Response`, shared by every integration: the redirect
 * URI, `returnTo`, the 303 after a login with `Referrer-Policy: no-referrer`, and what a failed login
 * answers. An integration only turns its framework's request, response and cookies into these.
 *
 * @module
 */
import type { AuthorizeOptions } from './app/base.js'
import type { CallbackParams } from './app/callback.js'
import type { BoundOAuth, TokenOf } from './bound.js'
import { ErrorCode, OAuthKitError, isOAuthKitError } from './errors/error.js'
import type { RemoteApp } from './registry.js'

/** The two routes of a login: `login` starts it, `callback` finishes it. @group Routes */
export type AuthAction = 'login' | 'callback'

/** A finished login, as `onSuccess` receives it; `E` is what the integration adds (its request objects). @group Routes */
export type SignedIn<Apps extends Record<string, RemoteApp>, E = object> = E & {
  /** The app's registered name. */
  name: keyof Apps & string
  /** The new token (already handed to `updateToken`). */
  token: TokenOf<Apps[keyof Apps & string]>
  /** The same-origin path the login was started with, if any. */
  returnTo?: string
  /** What the provider sent to the callback besides the code (Apple's `user`, Strava's `scope`). */
  params: CallbackParams
  /** The callback request. */
  request: Request
  /** The registry bound to this request. */
  oauth: BoundOAuth<Apps>
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
}

/**
 * Run the `action` route of app `name` for the request `oauth` is bound to (`ctx.request`): a 302 to the provider for `login`; for
 * `callback` the login is finished, `onSuccess` called, and the answer (a 303 by default, every answer
 * with `Referrer-Policy: no-referrer` and `Cache-Control: no-store`) returned. An {@link OAuthKitError}
 * goes to `onError` (or the default answer); any other error is thrown.
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
    const { token, returnTo, params } = await oauth.create(appName).completeAuthorization()
    const signedIn = {
      ...extra,
      name: appName,
      token,
      params,
      request,
      oauth,
      ...(returnTo === undefined ? {} : { returnTo }),
    } as SignedIn<Apps, E>
    const answer = await options.onSuccess?.(signedIn)
    return callbackAnswer(answer ?? seeOther(returnTo ?? options.defaultReturnTo ?? '/'))
  } catch (error) {
    if (!isOAuthKitError(error)) throw error
    const answer = options.onError
      ? await options.onError(error, { ...extra, name, action, request })
      : defaultErrorAnswer(error, options.errorPath)
    return action === 'callback' ? callbackAnswer(answer) : answer
  }
}

/** The default answer to a failed login: a 303 to `errorPath?code=`, else a short text, 400 (404 for an unknown app). @group Routes */
export function defaultErrorAnswer(error: OAuthKitError, errorPath?: string): Response {
  if (errorPath !== undefined)
    return seeOther(`${errorPath}?code=${encodeURIComponent(error.code)}`)
  const status = error.code === ErrorCode.APP_NOT_FOUND ? 404 : 400
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

/** A 303 to a same-site path, never cached. */
function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } })
}

/** A copy of a callback's answer (its headers may be immutable, as `Response.redirect`'s are) that leaks no Referer and is not cached. */
function callbackAnswer(response: Response): Response {
  const copy = new Response(response.body, response)
  copy.headers.set('referrer-policy', 'no-referrer')
  copy.headers.set('cache-control', 'no-store')
  return copy
}
