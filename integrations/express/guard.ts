/**
 * The bearer guard and the broker's JWKS route for Express 4 and 5. {@link requireAuth} sets
 * `req.auth` (typed by declaration merging) to the validated claims, or answers the refusal itself.
 *
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { guardFor } from '../../src/index.js'
import type { AccessTokenClaims, RequireAuthOptions, TokenBroker } from '../../src/index.js'

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The validated claims of the request's bearer token, set by `requireAuth()`; read them typed with {@link authOf}. */
      auth?: AccessTokenClaims
    }
  }
}

/** Send a small core `Response` (a refusal, a JWKS) through `res`. */
async function send(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status
  response.headers.forEach((value, key) => void res.setHeader(key, value))
  res.end(Buffer.from(await response.arrayBuffer()))
}

/**
 * Middleware refusing a request without a valid bearer token for this API (401/400/403 with RFC 6750
 * `WWW-Authenticate`, 503 when the issuer cannot be reached); else it sets `req.auth` and goes on.
 *
 * @example
 * ```ts
 * const guard = new BearerGuard({ audience: 'https://api.example', issuers: [broker] })
 * app.get('/api/notes', requireAuth({ guard, scopes: ['notes:read'] }), (req, res) => {
 *   res.json({ user: authOf(req).sub })
 * })
 * ```
 * @group Bearer guard
 */
export function requireAuth<Claims extends AccessTokenClaims = AccessTokenClaims>(
  options: RequireAuthOptions<Claims>,
) {
  const { guard, route } = guardFor(options)
  return (
    req: IncomingMessage & { auth?: AccessTokenClaims },
    res: ServerResponse,
    next: (err?: unknown) => void,
  ): void => {
    const authorization = req.headers.authorization
    guard
      .authenticate(new Headers(authorization === undefined ? {} : { authorization }), route)
      .then((result) => {
        if (!result.ok) return send(res, result.response)
        req.auth = result.claims
        next()
      })
      .catch(next)
  }
}

/**
 * The claims `requireAuth` put on `req`, typed as your issuers' claims. Throws when the route has
 * no `requireAuth` before it (a wiring mistake, not a client error).
 *
 * @group Bearer guard
 */
export function authOf<Claims extends AccessTokenClaims = AccessTokenClaims>(req: {
  auth?: AccessTokenClaims
}): Claims {
  if (!req.auth)
    throw new Error('oauthkit/express: req.auth is not set; put requireAuth() before this handler')
  return req.auth as Claims
}

/**
 * `GET /.well-known/jwks.json`: the broker's public keys. `app.get('/.well-known/jwks.json', jwksHandler(broker))`.
 *
 * @group Broker
 */
export function jwksHandler(broker: TokenBroker) {
  return (_req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void =>
    void broker.jwksResponse().then((response) => send(res, response), next)
}
