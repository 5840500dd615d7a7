/**
 * Checks of the arguments users get wrong first, each refused with the fix in the message instead of
 * a `TypeError` deep inside: a request context without cookies, a `Request` where the context goes
 * (Authlib's `authorize_redirect(request, redirect_uri)` order), an API call with no token to send.
 *
 * @module
 * @internal
 */
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import type { OAuthContext } from '../types.js'

/** A Fetch `Request`, or a Node/Express request (`IncomingMessage`): what Authlib takes first. */
function looksLikeRequest(value: object): boolean {
  if (typeof Request !== 'undefined' && value instanceof Request) return true
  const r = value as { method?: unknown; url?: unknown; headers?: unknown }
  return (
    typeof r.method === 'string' &&
    typeof r.url === 'string' &&
    typeof r.headers === 'object' &&
    r.headers !== null
  )
}

function isCookieStore(value: unknown): boolean {
  const c = value as { get?: unknown; set?: unknown; delete?: unknown } | null | undefined
  return (
    typeof c?.get === 'function' && typeof c.set === 'function' && typeof c.delete === 'function'
  )
}

/** Where the cookies come from, for the messages below. */
const COOKIES_HINT =
  'cookies is a { get, set, delete } store: MemoryCookieJar.fromRequest(request) (then cookies.applyTo(response.headers)), ' +
  "SvelteKit's event.cookies, Next's await cookies(); with an integration use the bound app, req.oauth.create(name)"

/**
 * Refuse a first argument that is not a request context with cookies, naming the fix.
 * @param call - the method as the user wrote it, e.g. `authorizeRedirect`.
 * @internal
 */
export function checkContext(app: string, call: string, ctx: unknown): asserts ctx is OAuthContext {
  if (
    typeof ctx === 'object' &&
    ctx !== null &&
    isCookieStore((ctx as { cookies?: unknown }).cookies)
  )
    return
  const args =
    call === 'authorizeRedirect' ? '{ request, cookies }, redirectUri' : '{ request, cookies }'
  const said =
    typeof ctx === 'object' && ctx !== null && looksLikeRequest(ctx)
      ? `was given a request where the context goes (Authlib's order): call ${call}(${args})`
      : `needs the request context first: pass { request, cookies } as the first argument, ${call}(${args})`
  throw new OAuthKitError(ErrorCode.INVALID_REQUEST, `${app}: ${call} ${said}; ${COOKIES_HINT}`, {
    app,
  })
}

/**
 * The `token_missing` error of an API call that was given no token: with no `fetchToken` configured it
 * says how to give one.
 * @internal
 */
export function tokenMissing(app: string, fetchTokenConfigured: boolean): OAuthKitError {
  const message = fetchTokenConfigured
    ? `${app}: no token was passed and fetchToken returned none (is the user signed in? fetchToken receives the call's ctx)`
    : `${app}: no token was passed and no fetchToken is configured: pass { token } (app.get(url, { token })) or configure fetchToken on new OAuth() (or in the app's config) to read the signed-in user's token`
  return new OAuthKitError(ErrorCode.TOKEN_MISSING, message, { app })
}

/**
 * A bound app (`req.oauth.create(name)`) already holds the request context: refuse a context or a request
 * passed as its redirect URI.
 * @internal
 */
export function checkBoundRedirectUri(app: string, redirectUri: unknown): void {
  if (typeof redirectUri === 'string') return
  throw new OAuthKitError(
    ErrorCode.INVALID_REQUEST,
    `${app}: the bound app (req.oauth.create(name), locals.oauth…) already holds the request and cookies: call authorizeRedirect(redirectUri, options), without a context or request`,
    { app },
  )
}

/**
 * Make Authlib's attribute access (`oauth.github.get(…)`) on the registry `target` throw an error that
 * names oauthkit's form, instead of reading undefined. Names the registry already has, and `then`
 * (which would make the registry look like a promise), are left alone.
 * @internal
 */
export function refuseAttributeAccess(target: object, name: string): void {
  if (name in target || name === 'then') return
  const refuse = (): never => {
    throw new OAuthKitError(
      ErrorCode.INVALID_REQUEST,
      `oauth.${name} is Authlib's attribute access; oauthkit's is oauth.create('${name}'), e.g. oauth.create('${name}').get(url, { token })`,
      { app: name },
    )
  }
  Object.defineProperty(target, name, { configurable: true, enumerable: false, get: refuse })
}
