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
import {
  authRoute,
  bindWithSession,
  type AuthAction,
  type AuthorizeOptions,
  type AuthRouteOptions,
  type BoundOAuth,
  type CookieStore,
  type OAuth,
  type RemoteApp,
  type TokenOf,
} from '../../src/index.js'

/** The type of `event.locals.oauth` for the registry type `O` (`typeof oauth`), for `App.Locals`. */
export type BoundOAuthOf<O> = O extends OAuth<infer Apps> ? BoundOAuth<Apps> : never

/** The apps `App.Locals.oauth` is declared with; every kind of app when it is not declared. */
export type LocalsApps = App.Locals extends { oauth: BoundOAuth<infer Apps> }
  ? Apps
  : Record<string, RemoteApp>

/** The token a login yields: `OAuth2Token` for OAuth 2 apps, `OAuth1Token` for OAuth 1 ones. */
export type LoginToken = TokenOf<LocalsApps[keyof LocalsApps]>

/** SvelteKit's `event.cookies` as the core's {@link CookieStore} (SvelteKit requires a `path`). */
export function toCookieStore(cookies: Cookies): CookieStore {
  return {
    get: (name) => cookies.get(name),
    getAll: () => cookies.getAll(),
    set: (name, value, options) =>
      cookies.set(name, value, { ...options, path: options.path ?? '/' }),
    delete: (name, options) => cookies.delete(name, { ...options, path: options.path ?? '/' }),
  }
}

/** @deprecated Renamed {@link toCookieStore}, as in the other integrations; this name goes in the next minor version. */
export const cookieStore = toCookieStore

/** Options of {@link oauthHandle}. */
export interface HandleOptions {
  /** The app session value each login is bound to (`ctx.binding`, e.g. the session id): a callback in another session is refused. */
  binding?: (event: RequestEvent) => string | undefined | Promise<string | undefined>
}

/**
 * A `handle` hook setting `event.locals.oauth`: the registry bound to this request. The context
 * handed to `fetchToken`/`updateToken` holds `request`, `cookies`, the SvelteKit `event`, `binding`,
 * the user `session` and the signed-in user's id from it (`userId`).
 * Combine it with other hooks through `sequence` from `@sveltejs/kit/hooks`.
 */
export function oauthHandle<Apps extends Record<string, RemoteApp>>(
  oauth: OAuth<Apps>,
  options: HandleOptions = {},
): Handle {
  return async ({ event, resolve }) => {
    const binding = await options.binding?.(event)
    const ctx = {
      request: event.request,
      cookies: toCookieStore(event.cookies),
      event,
      ...(binding === undefined ? {} : { binding }),
    }
    ;(event.locals as { oauth?: unknown }).oauth = await bindWithSession(
      oauth,
      ctx,
      event.url.origin,
    )
    return resolve(event)
  }
}

/** Options of {@link oauthLogin} and {@link oauthCallback}: the shared route options; callbacks also get the `event`. */
export interface EndpointOptions extends Omit<
  AuthRouteOptions<LocalsApps, { event: RequestEvent }>,
  'redirectUri'
> {
  /** The registered app: a name, or one read from the event. Default: the route's `[name]` parameter. */
  name?: string | ((event: RequestEvent) => string)
  /** @deprecated Renamed `name`, as in the other integrations; this name goes in the next minor version. */
  app?: string | ((event: RequestEvent) => string)
  /** @deprecated Renamed `errorPath`, as in the other integrations; this name goes in the next minor version. */
  errorPage?: string
}

/** Options of {@link oauthLogin}. */
export interface LoginOptions extends EndpointOptions {
  /** The callback URL, exactly as registered. Default: this URL with its last segment replaced by `callback`. */
  redirectUri?: string | ((event: RequestEvent, app: string) => string)
  /** @deprecated Per-request `params` and `returnTo`: use `authorizeParams` (`returnTo` comes from the query). Goes in the next minor version. */
  authorize?: (event: RequestEvent) => AuthorizeOptions
}

/** Options of {@link oauthCallback}. */
export type CallbackOptions = EndpointOptions

/** `GET` for `src/routes/auth/[name]/login/+server.ts`: a 302 to the provider, the transaction in a sealed cookie. */
export function oauthLogin(options: LoginOptions = {}): RequestHandler {
  return (event) => route(event, 'login', options)
}

/**
 * `GET` (and `POST`, for `response_mode=form_post`) for `src/routes/auth/[name]/callback/+server.ts`:
 * finishes the login, calls `onSuccess`, and redirects (303) to a clean URL. Every answer carries
 * `Referrer-Policy: no-referrer`, so the code in this URL never leaks to the next page's requests.
 */
export function oauthCallback(options: CallbackOptions = {}): RequestHandler {
  return (event) => route(event, 'callback', options)
}

/** `POST` for `src/routes/auth/[name]/logout/+server.ts`: signs out (same-origin requests only; see the README's Routes). */
export function oauthLogout(options: EndpointOptions = {}): RequestHandler {
  return (event) => route(event, 'logout', options)
}

/** `GET` for `src/routes/auth/[name]/userinfo/+server.ts`: the signed-in user's claims as JSON (401 when signed out). */
export function oauthUserinfo(options: EndpointOptions = {}): RequestHandler {
  return (event) => route(event, 'userinfo', options)
}

/** `POST` for `src/routes/auth/[name]/token/+server.ts`: a native client's code (with PKCE) or refresh token exchanged. */
export function oauthToken(
  options: EndpointOptions & Required<Pick<EndpointOptions, 'token'>>,
): RequestHandler {
  return (event) => route(event, 'token', options)
}

/** `POST` for `src/routes/auth/[name]/device/+server.ts`: starts the device flow, or polls it with `device_code`. */
export function oauthDevice(options: EndpointOptions = { device: true }): RequestHandler {
  return (event) => route(event, 'device', { device: true, ...options })
}

async function route(
  event: RequestEvent,
  action: AuthAction,
  options: LoginOptions,
): Promise<Response> {
  const oauth = (event.locals as { oauth?: BoundOAuth<LocalsApps> }).oauth
  if (!oauth)
    throw new Error(
      'oauthkit/sveltekit: event.locals.oauth is not set; add `export const handle = oauthHandle(oauth)` to src/hooks.server.ts',
    )
  const pick = options.name ?? options.app
  const name = (typeof pick === 'function' ? pick(event) : (pick ?? event.params.name)) ?? ''
  const { redirectUri, authorize, ...shared } = options
  // The deprecated option, read once and only where the old code read it: on the login route.
  const chosen = action === 'login' ? authorize?.(event) : undefined
  return authRoute(
    oauth,
    name,
    action,
    {
      ...shared,
      errorPath: options.errorPath ?? options.errorPage,
      ...(redirectUri === undefined
        ? {}
        : {
            redirectUri: (_request, app) =>
              typeof redirectUri === 'function' ? redirectUri(event, app) : redirectUri,
          }),
      ...(chosen === undefined
        ? {}
        : {
            authorizeParams: () => chosen.params,
            returnTo: () => chosen.returnTo,
          }),
    },
    { event },
  )
}
export * from './guard.js'
