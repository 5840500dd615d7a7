/**
 * The bearer guard's side of RFC 6750: reading `Authorization: Bearer` (§2.1) and answering a refusal
 * with `WWW-Authenticate` (§3): 401 without an error code when no token came, 400 `invalid_request`
 * for a malformed header, 401 `invalid_token`, 403 `insufficient_scope` with the scopes needed. The
 * body repeats the error as JSON; nothing in it is a token or a stack.
 *
 * @module
 */
import { ErrorCode, type OAuthKitError } from '../errors/error.js'

/** RFC 6750 §2.1: `Bearer` (any case), one space or more, then a b64token. */
const BEARER = /^Bearer +([A-Za-z0-9\-._~+/]+=*) *$/i
const SCHEME = /^\s*Bearer(?:\s|$)/i

/** What the `Authorization` header holds: a bearer token, nothing the guard reads, or a malformed bearer header. */
export type Credentials =
  { kind: 'token'; token: string } | { kind: 'missing' } | { kind: 'malformed' }

/** Read the bearer token of an `Authorization` header (another scheme counts as no token). */
export function readAuthorization(header: string | null | undefined): Credentials {
  // No header reads as an empty one: neither pattern matches it, so it is missing.
  const text = header ?? ''
  const match = BEARER.exec(text)
  if (match) return { kind: 'token', token: match[1]! }
  return SCHEME.test(text) ? { kind: 'malformed' } : { kind: 'missing' }
}

/** A quoted-string of RFC 9110 §5.6.4 (our own messages, printable ASCII only). */
const quote = (value: string) =>
  `"${value.replace(/[^\x20-\x7e]/g, '?').replace(/["\\]/g, (c) => `\\${c}`)}"`

/** The refusal of a request: status, `WWW-Authenticate`, a JSON body, `Cache-Control: no-store`. */
export function challenge(
  realm: string,
  status: 400 | 401 | 403,
  error?: { code: string; description: string; scope?: string[] },
): Response {
  const params = [`realm=${quote(realm)}`]
  if (error) {
    params.push(`error=${quote(error.code)}`, `error_description=${quote(error.description)}`)
    if (error.scope?.length) params.push(`scope=${quote(error.scope.join(' '))}`)
  }
  const body = error
    ? { error: error.code, error_description: error.description }
    : { error: 'unauthorized', error_description: 'a bearer token is required' }
  return Response.json(body, {
    status,
    headers: {
      'www-authenticate': `Bearer ${params.join(', ')}`,
      'cache-control': 'no-store',
    },
  })
}

/** The message of an error without the `bearer guard: ` prefix, for `error_description`. */
const describe = (error: OAuthKitError) => error.message.replace(/^bearer guard: /, '')

/** The answer to a token the guard refused (or could not check: its issuer did not answer, 503). */
export function refusal(realm: string, error: OAuthKitError, scopes: string[]): Response {
  if (error.code === ErrorCode.INVALID_TOKEN)
    return challenge(realm, 401, { code: 'invalid_token', description: describe(error) })
  if (error.code === ErrorCode.INSUFFICIENT_SCOPE)
    return challenge(realm, 403, {
      code: 'insufficient_scope',
      description: describe(error),
      scope: scopes,
    })
  // The issuer's metadata, JWKS or introspection endpoint failed: the token may well be good.
  return Response.json(
    {
      error: 'temporarily_unavailable',
      error_description: 'the token could not be checked: its issuer did not answer',
    },
    { status: 503, headers: { 'retry-after': '10', 'cache-control': 'no-store' } },
  )
}

/** The answer to a malformed `Authorization: Bearer` header (RFC 6750 §3.1 `invalid_request`). */
export function malformed(realm: string): Response {
  return challenge(realm, 400, {
    code: 'invalid_request',
    description: 'the Authorization header is not Bearer followed by one token',
  })
}
