/**
 * `oauthkit/next`: Next.js App Router (15 and 16) route handlers and helpers, on the Node.js and the
 * Edge runtime alike (nothing here or in the core uses a Node built-in).
 *
 * - {@link oauthHandlers} makes the `GET`/`POST` handlers of `app/auth/[name]/[action]/route.ts`:
 *   `/auth/<name>/login?returnTo=/path` starts a login, `/auth/<name>/callback` finishes it,
 *   `POST /auth/<name>/logout` signs out, `/auth/<name>/userinfo` answers the user's claims, and
 *   `POST /auth/<name>/token` and `/device` serve native clients when configured.
 * - {@link getOAuth} binds a registry to the current request's cookies (`cookies()` from
 *   `next/headers`, async since Next.js 15); {@link bindOAuth} does the same with cookies you pass.
 *
 * Next.js lets cookies be set only in Route Handlers and Server Actions. A Server Component can read
 * them (API calls with a stored token work) but cannot start a login or save a refreshed token.
 *
 * @module oauthkit/next
 */
import { cookies as requestCookies } from 'next/headers.js'
import {
  authRoute,
  bindWithSession,
  requestOrigin,
  routeServes,
  type AuthRouteOptions,
  type BoundOAuth,
  type CookieOptions,
  type CookieStore,
  type OAuth,
  type RemoteApp,
} from '../../src/index.js'

export type { SignedIn } from '../../src/index.js'

/** What oauthkit uses of the object `await cookies()` (from `next/headers`) returns. */
export interface NextCookies {
  /** The cookie `name`, if the request has it. */
  get(name: string): { value: string } | undefined
  /** Every cookie of the request. */
  getAll(): Array<{ name: string; value: string }>
  /** Set a cookie on the response (Route Handlers and Server Actions only). */
  set(name: string, value: string, options?: CookieOptions): unknown
}

/** Next's cookies as the core's `CookieStore`. A delete is a set that expires, keeping Secure and SameSite. */
export function toCookieStore(cookies: NextCookies): CookieStore {
  return {
    get: (name) => cookies.get(name)?.value,
    getAll: () => cookies.getAll().map(({ name, value }) => ({ name, value })),
    set: (name, value, options) => void cookies.set(name, value, options),
    delete: (name, options) =>
      void cookies.set(name, '', { ...options, maxAge: 0, expires: new Date(0) }),
  }
}

/** `oauth` bound to `cookies` (and the request, which a callback needs, and the session `binding`): the testable core of {@link getOAuth}. */
export function bindOAuth<Apps extends Record<string, RemoteApp>>(
  oauth: OAuth<Apps>,
  cookies: NextCookies,
  request?: Request,
  binding?: string,
): BoundOAuth<Apps> {
  return oauth.bind({
    cookies: toCookieStore(cookies),
    request,
    ...(binding === undefined ? {} : { binding }),
  })
}

/**
 * `oauth` bound to the current request's cookies, in a Route Handler, Server Action or Server
 * Component: `(await getOAuth(oauth, request)).create('github').get('user')`. Call it inside the
 * request. Given the `request` (or the app's `origin`), the user session is read too: `ctx.session`,
 * and `ctx.userId` for the stored tokens.
 */
export async function getOAuth<Apps extends Record<string, RemoteApp>>(
  oauth: OAuth<Apps>,
  request?: Request,
  binding?: string,
  origin?: string,
): Promise<BoundOAuth<Apps>> {
  const bound = bindOAuth(oauth, await requestCookies(), request, binding)
  const from = origin ?? (request && requestOrigin(request))
  return from === undefined ? bound : bindWithSession(oauth, bound.ctx, new URL(from).origin)
}

/** Options of {@link oauthHandlers}: the shared route options, and where the cookies and session come from. */
export interface OAuthHandlersOptions<
  Apps extends Record<string, RemoteApp>,
> extends AuthRouteOptions<Apps> {
  /** The request's cookies (default: `cookies()` from `next/headers`); tests pass their own. */
  cookies?: (request: Request) => NextCookies | Promise<NextCookies>
  /** The app session value each login is bound to (`ctx.binding`, e.g. the session id): a callback in another session is refused. */
  binding?: (request: Request) => string | undefined | Promise<string | undefined>
}

/** The second argument Next.js passes to a handler of `app/…/[name]/[action]/route.ts`. */
export interface OAuthRouteContext {
  /** The dynamic segments: the app's name, and the route (`login`, `callback`, `logout`, …). */
  params: Promise<{ name: string; action: string }>
}

/** What {@link oauthHandlers} returns, to export from the route file. */
export interface OAuthRouteHandlers {
  /** `login`, `callback` with the response in the query, `userinfo`. */
  GET: (request: Request, context: OAuthRouteContext) => Promise<Response>
  /** `callback` with the response in a form body (`response_mode=form_post`), `logout`, `token`, `device`. */
  POST: (request: Request, context: OAuthRouteContext) => Promise<Response>
}

/**
 * The Route Handlers of `app/auth/[name]/[action]/route.ts`: `export const { GET, POST } = oauthHandlers(oauth)`.
 * `login` answers 302 to the provider with a sealed transaction cookie (`?returnTo=` is kept when it
 * is a same-origin path). `callback` (`GET`, or `POST` for `form_post`) finishes the login, then
 * redirects (303) with `Referrer-Policy: no-referrer`, so the code never leaks into a Referer.
 */
export function oauthHandlers<Apps extends Record<string, RemoteApp>>(
  oauth: OAuth<Apps>,
  options: OAuthHandlersOptions<Apps> = {},
): OAuthRouteHandlers {
  const handle = async (request: Request, context: OAuthRouteContext): Promise<Response> => {
    const { name, action } = await context.params
    if (!routeServes(action, request.method, options))
      return new Response('Not found', { status: 404 })
    const binding = await options.binding?.(request)
    const cookies = toCookieStore(await (options.cookies ?? requestCookies)(request))
    const ctx = { request, cookies, ...(binding === undefined ? {} : { binding }) }
    const origin = new URL(options.baseUrl ?? requestOrigin(request)).origin
    return authRoute(await bindWithSession(oauth, ctx, origin), name, action, options)
  }
  return { GET: handle, POST: handle }
}
export * from './guard.js'
