/**
 * The answers the routes give: redirects that leak no Referer, JSON that is never cached, OAuth error
 * bodies (RFC 6749 §5.2) with oauthkit's codes mapped, and the same-origin check of sign-out.
 *
 * @module
 */
import { ErrorCode, OAuthKitError } from '../errors/error.js'

/** Headers of every JSON answer: never cached (RFC 6749 §5.1), and it depends on the cookies. */
const JSON_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  pragma: 'no-cache',
  vary: 'Cookie',
}

/** A JSON answer, never cached. */
export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: JSON_HEADERS })
}

/** A 303 to a same-site path or the provider, never cached. */
export function seeOther(location: string): Response {
  return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } })
}

/** A copy of a callback's answer (its headers may be immutable, as `Response.redirect`'s are) that leaks no Referer and is not cached. */
export function callbackAnswer(response: Response): Response {
  const copy = new Response(response.body, response)
  copy.headers.set('referrer-policy', 'no-referrer')
  copy.headers.set('cache-control', 'no-store')
  return copy
}

/** The `error` values of RFC 6749 §5.2 and RFC 8628 §3.5 a provider's refusal is passed on as. */
const PASSED_ON = new Set([
  'invalid_request',
  'invalid_grant',
  'invalid_scope',
  'unsupported_grant_type',
  'access_denied',
  'expired_token',
])

/**
 * An error of the token or device route as RFC 6749 §5.2 JSON: the client's mistakes are 400
 * `invalid_request`; a grant the provider refused keeps the provider's `error` (`invalid_grant`,
 * `expired_token`, …); an ID token that fails validation is `invalid_grant`; what this app cannot do is
 * `unsupported_grant_type`; a provider that fails or is misconfigured for this client is 502
 * `server_error`, since the client can do nothing about it. The description is the error's message,
 * which holds no code, verifier, token or secret.
 */
export function oauthErrorAnswer(error: OAuthKitError): Response {
  const answer = (code: string, status = 400) =>
    json({ error: code, error_description: error.message }, status)
  if (error.code === ErrorCode.INVALID_REQUEST) return answer('invalid_request')
  if (error.code === ErrorCode.UNSUPPORTED_OPERATION) return answer('unsupported_grant_type')
  if (error.code === ErrorCode.ACCESS_DENIED) return answer('access_denied')
  if (error.code === ErrorCode.ID_TOKEN_INVALID) return answer('invalid_grant')
  const refused = error.error ?? (error.cause as OAuthKitError | undefined)?.error
  if (refused && PASSED_ON.has(refused)) return answer(refused)
  if (error.code === ErrorCode.REAUTHENTICATION_REQUIRED) return answer('invalid_grant')
  return answer('server_error', 502)
}

/** `error` of an answer to a request the route refuses before doing anything. */
export function invalidRequest(message: string): OAuthKitError {
  return new OAuthKitError(ErrorCode.INVALID_REQUEST, message)
}

/**
 * True when `request` comes from a page of `origin`: its `Origin` header is `origin`, or (a browser
 * that sends no `Origin`) its `Sec-Fetch-Site` is `same-origin`. A request with neither is refused:
 * every current browser sends `Origin` with a POST, so only a forged or non-browser request lacks both.
 */
export function fromSameOrigin(request: Request, origin: string): boolean {
  const sent = request.headers.get('origin')
  if (sent !== null) return sent === origin
  return request.headers.get('sec-fetch-site') === 'same-origin'
}

/** The largest form body the token and device routes read. */
const MAX_FORM = 64 * 1024

/** The request's `application/x-www-form-urlencoded` body (at most 64 KiB), or `invalid_request`. */
export async function formOf(request: Request): Promise<URLSearchParams> {
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase()
  if (type !== 'application/x-www-form-urlencoded')
    throw invalidRequest('the body must be application/x-www-form-urlencoded (RFC 6749 §3.2)')
  const text = await request.text()
  if (text.length > MAX_FORM) throw invalidRequest('the body is over 64 KiB')
  const form = new URLSearchParams(text)
  for (const key of new Set(form.keys()))
    if (form.getAll(key).length > 1)
      throw invalidRequest(`the "${key}" parameter is repeated (RFC 6749 §3.2)`)
  return form
}
