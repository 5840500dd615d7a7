/**
 * `oauthkit/sveltekit`: {@link oauthHandle} puts the registry on `event.locals.oauth`, bound to the
 * request and `event.cookies`; {@link oauthLogin} and {@link oauthCallback} are ready-made handlers
 * for `src/routes/auth/[name]/login/+server.ts` (`export const GET = oauthLogin()`) and
 * `.../callback/+server.ts` (`export const GET = oauthCallback({ onSuccess })`, and `POST` too for
 * `response_mode=form_post`). Declare the local in `src/app.d.ts`, so app names and token types are
 * known: `namespace App { interface Locals { oauth: BoundOAuthOf<typeof oauth> } }`. A form_post
 * callback is a cross-site form POST: allow the provider's origin in `kit.csrf.trustedOrigins`.
 *
 * @module oauthkit/sveltekit
 */
import type { Cookies, Handle, RequestEvent, RequestHandler } from '@sveltejs/kit'
import { isOAuthKitError } from '../../src/index.js'
import type { AuthorizeOptions, BoundOAuth, CookieStore, OAuth, OAuthKitError, RemoteApp, TokenOf } from '../../src/index.js'

/** The type of `event.locals.oauth` for the registry type `O` (`typeof oauth`), for `App.Locals`. */
export type BoundOAuthOf<O> = O extends OAuth<infer Apps> ? BoundOAuth<Apps> : never

/** The apps `App.Locals.oauth` is declared with; every kind of app when it is not declared. */
export type LocalsApps = App.Locals extends { oauth: BoundOAuth<infer Apps> } ? Apps : Record<string, RemoteApp>

/** The token a login yields: `OAuth2Token` for OAuth 2 apps, `OAuth1Token` for OAuth 1 ones. */
export type LoginToken = TokenOf<LocalsApps[keyof LocalsApps]>

/** SvelteKit's `event.cookies` as the core's {@link CookieStore} (SvelteKit requires a `path`). */
export function cookieStore(cookies: Cookies): CookieStore {
  return {
    get: (name) => cookies.get(name),
    getAll: () => cookies.getAll(),
    set: (name, value, options) => cookies.set(name, value, { ...options, path: options.path ?? '/' }),
    delete: (name, options) => cookies.delete(name, { ...options, path: options.path ?? '/' }),
  }
}

/** Options of {@link oauthHandle}. */
export interface HandleOptions {
  /** The app session value each login is bound to (`ctx.binding`, e.g. the session id): a callback in another session is refused. */
  binding?: (event: RequestEvent) => string | undefined | Promise<string | undefined>
}

/**
 * A `handle` hook setting `event.locals.oauth`: the registry bound to this request. The context
 * handed to `fetchToken`/`updateToken` holds `request`, `cookies`, the SvelteKit `event` and `binding`.
 * Combine it with other hooks through `sequence` from `@sveltejs/kit/hooks`.
 */
export function oauthHandle<Apps extends Record<string, RemoteApp>>(oauth: OAuth<Apps>, options: HandleOptions = {}): Handle {
  return async ({ event, resolve }) => {
    const binding = await options.binding?.(event)
    const ctx = { request: event.request, cookies: cookieStore(event.cookies), event, ...(binding === undefined ? {} : { binding }) }
    ;(event.locals as { oauth?: unknown }).oauth = oauth.bind(ctx)
    return resolve(event)
  }
}

/** Options shared by {@link oauthLogin} and {@link oauthCallback}. */
export interface EndpointOptions {
  /** The registered app: a name, or one read from the event. Default: the route's `[name]` parameter. */
  app?: string | ((event: RequestEvent) => string)
  /**
   * Answers a failed login (every {@link OAuthKitError}: a callback without its transaction cookie is
   * `transaction_not_found`, a tampered one `transaction_invalid`, an unknown `[name]` `app_not_found`).
   * Default: a 303 to `errorPage?code=<code>` when `errorPage` is set, else a small text response.
   */
  onError?: (event: RequestEvent, error: OAuthKitError) => Response | Promise<Response>
  /** A page (path) showing the `code` query parameter; used by the default `onError`. */
  errorPage?: string
}

/** Options of {@link oauthLogin}. */
export interface LoginOptions extends EndpointOptions {
  /**
   * The callback URL, exactly as registered with the provider. Default: this URL's origin and path with
   * the last segment replaced by `callback` (`/auth/corp/login` → `/auth/corp/callback`).
   */
  redirectUri?: string | ((event: RequestEvent, app: string) => string)
  /** Per-request `params` and `returnTo`. Default: `returnTo` from the query (the core keeps only same-origin paths). */
  authorize?: (event: RequestEvent) => AuthorizeOptions
}

/** What {@link CallbackOptions.onSuccess} learns besides the token. */
export interface LoginInfo {
  /** The app's name. */
  app: string
  /** The same-origin path the login was started with, if any. */
  returnTo?: string
}

/** Options of {@link oauthCallback}. */
export interface CallbackOptions extends EndpointOptions {
  /**
   * Called with the new token (also handed to `updateToken`): start the app's session here. Return a
   * `Response` to answer yourself; by default the answer is a 303 to `returnTo`, else `defaultReturnTo`.
   */
  onSuccess?: (event: RequestEvent, token: LoginToken, info: LoginInfo) => void | Response | Promise<void | Response>
  /** Where a login started without `returnTo` lands (default `/`). */
  defaultReturnTo?: string
}

/** `GET` for `src/routes/auth/[name]/login/+server.ts`: a 302 to the provider, the transaction in a sealed cookie. */
export function oauthLogin(options: LoginOptions = {}): RequestHandler {
  return (event) =>
    guard(event, options, () => {
      const app = appOf(event, options)
      const sibling = new URL(event.url.pathname.replace(/\/[^/]*\/?$/, '/callback'), event.url.origin).href
      const redirectUri = typeof options.redirectUri === 'function' ? options.redirectUri(event, app) : (options.redirectUri ?? sibling)
      const authorize = options.authorize?.(event) ?? { returnTo: event.url.searchParams.get('returnTo') ?? undefined }
      return bound(event).create(app).authorizeRedirect(redirectUri, authorize)
    })
}

/**
 * `GET` (and `POST`, for `response_mode=form_post`) for `src/routes/auth/[name]/callback/+server.ts`:
 * finishes the login, calls `onSuccess`, and redirects (303) to a clean URL. Every answer carries
 * `Referrer-Policy: no-referrer`, so the code in this URL never leaks to the next page's requests.
 */
export function oauthCallback(options: CallbackOptions = {}): RequestHandler {
  return async (event) => {
    const response = await guard(event, options, async () => {
      const app = appOf(event, options)
      const { token, returnTo } = await bound(event).create(app).completeAuthorization()
      const answer = await options.onSuccess?.(event, token, returnTo === undefined ? { app } : { app, returnTo })
      return answer ?? seeOther(returnTo ?? options.defaultReturnTo ?? '/')
    })
    const headers = new Headers(response.headers)
    headers.set('referrer-policy', 'no-referrer')
    headers.set('cache-control', 'no-store')
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers })
  }
}

function bound(event: RequestEvent): BoundOAuth<LocalsApps> {
  const oauth = (event.locals as { oauth?: unknown }).oauth as BoundOAuth<LocalsApps> | undefined
  if (!oauth) throw new Error('oauthkit/sveltekit: event.locals.oauth is not set; add `export const handle = oauthHandle(oauth)` to src/hooks.server.ts')
  return oauth
}

function appOf(event: RequestEvent, options: EndpointOptions): keyof LocalsApps & string {
  const name = typeof options.app === 'function' ? options.app(event) : (options.app ?? (event.params as Record<string, string | undefined>).name)
  return (name ?? '') as keyof LocalsApps & string // an unknown name fails in create() as app_not_found
}

async function guard(event: RequestEvent, options: EndpointOptions, run: () => Promise<Response>): Promise<Response> {
  try {
    return await run()
  } catch (error) {
    if (!isOAuthKitError(error)) throw error
    if (options.onError) return options.onError(event, error)
    if (options.errorPage !== undefined) return seeOther(`${options.errorPage}?code=${encodeURIComponent(error.code)}`)
    const status = error.code === 'app_not_found' ? 404 : 400
    return new Response(`Sign-in failed: ${error.code}`, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } })
  }
}

function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location } })
}
