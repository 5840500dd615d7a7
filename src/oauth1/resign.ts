/**
 * Signing an API request with OAuth 1 (RFC 5849 §3): placement, form bodies, and re-signing a request
 * that was signed before (ky's retry hands back the signed request).
 *
 * @module
 */
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import { isLoopback } from '../http/loopback.js'
import type { OAuth1Token } from '../types.js'
import {
  mediaType,
  type SignatureMethod,
  type SignaturePlacement,
  type SignRequestInput,
  type SignedRequest,
} from './signature.js'

/** The protocol parameters oauthkit adds to a signed request (and strips again before re-signing a retry). */
const OWN_PARAMS: ReadonlySet<string> = new Set([
  'oauth_consumer_key',
  'oauth_nonce',
  'oauth_signature',
  'oauth_signature_method',
  'oauth_timestamp',
  'oauth_token',
])
const FORM_TYPE = 'application/x-www-form-urlencoded'

/** Signs with the app's client credentials and the given token credentials. */
export type Signer = (
  input: Omit<SignRequestInput, 'signatureMethod' | 'realm'>,
  token: { token: string; secret: string },
) => Promise<SignedRequest>

/**
 * Sign one API request. `request` is the outgoing copy only `fetch` sees (ky keeps its own unsigned),
 * so the header is set in place when only the header changes.
 */
export async function signApiRequest(
  app: string,
  request: Request,
  token: OAuth1Token,
  method: { signatureMethod: SignatureMethod; placement: SignaturePlacement },
  sign: Signer,
): Promise<Request> {
  // RFC 5849 §3.4.4: PLAINTEXT sends the secrets as the signature, so never over plain http: beyond loopback.
  if (
    method.signatureMethod === 'PLAINTEXT' &&
    /^http:/i.test(request.url) &&
    !isLoopback(new URL(request.url))
  ) {
    throw new OAuthKitError(
      ErrorCode.UNTRUSTED_ORIGIN,
      `${app}: refused to send a PLAINTEXT signature over http: to ${new URL(request.url).origin}`,
      { app },
    )
  }
  const contentType = request.headers.get('content-type')
  const form = contentType !== null && mediaType(contentType) === FORM_TYPE
  const verb = request.method.toUpperCase()
  let placement = method.placement
  // Body placement needs a form body (RFC 5849 §3.5.2): GET/HEAD and other bodies sign in the query.
  if (
    placement === 'body' &&
    (verb === 'GET' ||
      verb === 'HEAD' ||
      (!form && (request.body !== null || contentType !== null)))
  )
    placement = 'query'
  const url = withoutOwnParams(request.url)
  const original = form && request.body !== null ? await request.clone().text() : undefined
  const text = original === undefined ? undefined : stripOwnParams(original)
  const signed = await sign(
    { method: verb, url, headers: request.headers, body: text ?? null, placement },
    { token: token.oauth_token, secret: token.oauth_token_secret },
  )
  if (placement === 'header' && url === request.url && text === original) {
    // Only the Authorization header changes: the request (and its body stream) goes on as it is.
    request.headers.set('authorization', signed.headers.get('authorization') ?? '')
    return request
  }
  // A new URL keeps the original body (a JSON body streams through untouched)…
  const moved = signed.url === request.url ? request : new Request(signed.url, request)
  // …and a form body is replaced by the signed one (the same text, plus the parameters for `body`).
  return signed.body === undefined
    ? new Request(moved, { headers: signed.headers })
    : new Request(moved, { headers: signed.headers, body: signed.body })
}

/** The name of one `name=value` part of a query or form body, decoded. */
function partName(part: string): string {
  const eq = part.indexOf('=')
  try {
    return decodeURIComponent((eq === -1 ? part : part.slice(0, eq)).replace(/\+/g, ' '))
  } catch {
    return ''
  }
}

/**
 * Drop the protocol parameters a previous signing added (a ky retry re-signs the request it already
 * signed). Only when `oauth_signature` is there: signRequest refuses a request carrying one, so it can
 * only be ours. The other parts are kept byte for byte.
 */
function stripOwnParams(encoded: string): string {
  const parts = encoded.split('&')
  if (!parts.some((part) => partName(part) === 'oauth_signature')) return encoded
  return parts.filter((part) => !OWN_PARAMS.has(partName(part))).join('&')
}

function withoutOwnParams(href: string): string {
  const url = new URL(href)
  if (url.search === '') return href
  const query = stripOwnParams(url.search.slice(1))
  if (query === url.search.slice(1)) return href
  url.search = query
  return url.href
}
