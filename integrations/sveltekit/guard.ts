/**
 * The bearer guard and the broker's JWKS route for SvelteKit. {@link requireAuth} is a `handle` that
 * sets `event.locals.auth`; declare it in `src/app.d.ts`:
 * `namespace App { interface Locals { auth?: AccessTokenClaims } }`.
 *
 * @module
 */
import type { Handle, RequestEvent, RequestHandler } from '@sveltejs/kit'
import { guardFor } from '../../src/index.js'
import type { AccessTokenClaims, RequireAuthOptions, TokenBroker } from '../../src/index.js'

/**
 * Options of the SvelteKit {@link requireAuth}: the guard's, and which requests it guards.
 *
 * @group Bearer guard
 */
export type AuthHandleOptions<Claims extends AccessTokenClaims = AccessTokenClaims> =
  RequireAuthOptions<Claims> & {
    /** The requests that need a token (e.g. `(event) => event.url.pathname.startsWith('/api/')`); default every request. */
    match?: (event: RequestEvent) => boolean
  }

/**
 * A `handle` hook refusing a request without a valid bearer token for this API (RFC 6750
 * `WWW-Authenticate`: 401/400/403; 503 when the issuer cannot be reached), else setting
 * `event.locals.auth` to the validated claims. Combine it with `oauthHandle` through `sequence`.
 *
 * @example
 * ```ts
 * export const handle = sequence(
 *   oauthHandle(oauth),
 *   requireAuth({ guard, match: (event) => event.url.pathname.startsWith('/api/') }),
 * )
 * ```
 * @group Bearer guard
 */
export function requireAuth<Claims extends AccessTokenClaims = AccessTokenClaims>(
  options: AuthHandleOptions<Claims>,
): Handle {
  const { guard, route } = guardFor(options, ['match'])
  const match = options.match
  return async ({ event, resolve }) => {
    if (match && !match(event)) return resolve(event)
    const result = await guard.authenticate(event.request, route)
    if (!result.ok) return result.response
    ;(event.locals as { auth?: Claims }).auth = result.claims
    return resolve(event)
  }
}

/**
 * `GET` of `src/routes/.well-known/jwks.json/+server.ts`: the broker's public keys.
 * `export const GET = jwksHandler(broker)`.
 *
 * @group Broker
 */
export function jwksHandler(broker: TokenBroker): RequestHandler {
  return () => broker.jwksResponse()
}
