/**
 * Reading a callback: its parameters (query, or a bounded form_post body), one-valued parameters,
 * and the same-origin `returnTo` a login may carry.
 *
 * @module
 */
import { ErrorCode, OAuthKitError } from '../errors/error.js'

/** Longest `returnTo` kept, in bytes once normalised: a longer one is dropped, so logins cannot fill the Cookie header. */
const MAX_RETURN_TO_BYTES = 512

/** A same-origin relative path of at most 512 bytes, or undefined: `//host`, `/\host`, absolute URLs and longer paths are dropped. @internal */
export function sameOriginPath(value: string | undefined): string | undefined {
  if (typeof value !== 'string' || value.length > MAX_RETURN_TO_BYTES || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return undefined
  const base = 'http://oauthkit.invalid'
  try {
    const url = new URL(value, base)
    const path = url.pathname + url.search + url.hash // ASCII: the URL parser percent-encodes the rest
    // Dot segments normalise `/.//evil.example` to `//evil.example`, a network-path reference (RFC 3986 §4.2): refuse it.
    return url.origin === base && !url.pathname.startsWith('//') && path.length <= MAX_RETURN_TO_BYTES ? path : undefined
  } catch {
    return undefined
  }
}

/** Largest callback body read (a form_post response is a few hundred bytes; RFC 6749 §4.1.2). */
const MAX_CALLBACK_BODY_BYTES = 64 * 1024

/** The callback's parameters: the query, or the form body of a `form_post` callback (read at most 64 KiB). @internal */
export async function callbackParameters(request: Request, app: string): Promise<URLSearchParams> {
  const url = new URL(request.url)
  if (request.method === 'POST') {
    const type = request.headers.get('content-type') ?? ''
    if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      throw new OAuthKitError(ErrorCode.INVALID_AUTHORIZATION_RESPONSE, `${app}: a POST callback must be application/x-www-form-urlencoded (response_mode=form_post)`, { app })
    }
    const tooLarge = () => new OAuthKitError(ErrorCode.INVALID_AUTHORIZATION_RESPONSE, `${app}: the callback body is too large (over ${MAX_CALLBACK_BODY_BYTES} bytes)`, { app })
    // A declared size over the cap is refused unread; an undeclared or false one is counted as it streams.
    if (Number(request.headers.get('content-length') ?? 0) > MAX_CALLBACK_BODY_BYTES) throw tooLarge()
    const reader = request.clone().body?.getReader()
    const chunks: Uint8Array[] = []
    let size = 0
    for (let read = await reader?.read(); read && !read.done; read = await reader!.read()) {
      size += read.value.byteLength
      if (size > MAX_CALLBACK_BODY_BYTES) {
        // Cancel both branches of the clone's tee, so the source stops too (a lone branch's cancel waits for the other).
        await Promise.all([reader!.cancel(), request.body?.cancel()]).catch(() => undefined)
        throw tooLarge()
      }
      chunks.push(read.value)
    }
    const body = new Uint8Array(size)
    let offset = 0
    for (const chunk of chunks) {
      body.set(chunk, offset)
      offset += chunk.byteLength
    }
    return new URLSearchParams(new TextDecoder().decode(body))
  }
  return new URLSearchParams(url.search)
}

/** One parameter value; a repeated parameter is refused (RFC 6749 §3.1). @internal */
export function single(params: URLSearchParams, name: string, app: string): string | undefined {
  const values = params.getAll(name)
  if (values.length > 1) {
    throw new OAuthKitError(ErrorCode.INVALID_AUTHORIZATION_RESPONSE, `${app}: the callback repeats the "${name}" parameter`, { app })
  }
  return values[0] || undefined
}
