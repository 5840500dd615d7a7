/**
 * The bearer guard and the broker's JWKS route for Next.js App Router route handlers.
 *
 * @module
 */
import { guardFor } from '../../src/index.js'
import type { AccessTokenClaims, RequireAuthOptions, TokenBroker } from '../../src/index.js'

/** The second argument Next.js passes to a route handler (its dynamic segments). */
export interface RouteContext {
  params: Promise<Record<string, string | string[] | undefined>>
}

/**
 * Wrap a route handler so it runs only with a valid bearer token for this API; it receives the
 * validated claims as `auth` beside Next's `params`. A refusal is answered with RFC 6750
 * `WWW-Authenticate` (401/400/403; 503 when the issuer cannot be reached).
 *
 * @example
 * ```ts
 * // app/api/notes/route.ts
 * export const GET = requireAuth({ guard, scopes: ['notes:read'] })(async (request, { auth }) =>
 *   Response.json({ user: auth.sub }),
 * )
 * ```
 * @group Bearer guard
 */
export function requireAuth<Claims extends AccessTokenClaims = AccessTokenClaims>(
  options: RequireAuthOptions<Claims>,
) {
  const { guard, route } = guardFor(options)
  return <Context = RouteContext>(
      handler: (
        request: Request,
        context: Context & { auth: Claims },
      ) => Response | Promise<Response>,
    ) =>
    async (request: Request, context: Context): Promise<Response> => {
      const result = await guard.authenticate(request, route)
      if (!result.ok) return result.response
      return handler(request, { ...context, auth: result.claims })
    }
}

/**
 * `GET` of `app/.well-known/jwks.json/route.ts`: the broker's public keys.
 * `export const GET = jwksHandler(broker)`.
 *
 * @group Broker
 */
export function jwksHandler(broker: TokenBroker): () => Promise<Response> {
  return () => broker.jwksResponse()
}
