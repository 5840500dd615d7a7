/**
 * Reading a callback: its parameters (query, or a bounded form_post body), one-valued parameters,
 * and the same-origin `returnTo` a login may carry.
 *
 * @module
 */
import { ErrorCode, OAuthKitError } from '../errors/error.js'

/** Longest `returnTo` kept, in bytes once normalised: a longer one is dropped, so logins cannot fill the Cookie header. */
const MAX_RETURN_TO_BYTES = 512

/** A same-origin relative path of at most 512 bytes, or undefined: `//host`, `/\host`, absolute URLs and longer paths are dropped. */
export function sameOriginPath(value: string | undefined): string | undefined {
  if (
    typeof value !== 'string' ||
    value.length > MAX_RETURN_TO_BYTES ||
    !value.startsWith('/') ||
    value.startsWith('//') ||
    value.startsWith('/\\')
  )
    return undefined
  const base = 'http://oauthkit.invalid'
  try {
    const url = new URL(value, base)
    const path = url.pathname + url.search + url.hash // ASCII: the URL parser percent-encodes the rest
    // Dot segments normalise `/.//evil.example` to `//evil.example`, a network-path reference (RFC 3986 §4.2): refuse it.
    return url.origin === base &&
      !url.pathname.startsWith('//') &&
      path.length <= MAX_RETURN_TO_BYTES
      ? path
      : undefined
  } catch {
    return undefined
  }
}

/**
 * The parameters a provider sent to the callback (the query, or the `form_post` body), as the app
 * may want them beside the token: Sign in with Apple's `user` form field on a first login, the
 * `scope` Strava says the user granted, a provider's own extras. One value per name (the first);
 * `code` and `oauth_verifier` are left out: they are spent, and they are credentials.
 *
 * They are not signed: trust them only because the login they came with succeeded (state, the code
 * exchange), and take identity from the token or the ID token, not from here.
 *
 * @group Core
 */
export interface CallbackParams {
  /** The scope the provider says it granted (Strava sends it on the callback). */
  readonly scope?: string
  /** Sign in with Apple's `user` form field, JSON (name, email), on the first login only; see `appleUser`. */
  readonly user?: string
  /** The `state` the login was matched with. */
  readonly state?: string
  /** The issuer (RFC 9207), when the provider sends it. */
  readonly iss?: string
  readonly [name: string]: string | undefined
}

/** Callback parameters that are credentials, never handed back. */
const SPENT = new Set(['code', 'oauth_verifier'])

/** The callback's parameters as a frozen record, first value per name, without the spent credentials. */
export function publicCallbackParams(params: URLSearchParams): CallbackParams {
  const out: Record<string, string> = {}
  for (const [key, value] of params) if (!SPENT.has(key) && !(key in out)) out[key] = value
  return Object.freeze(out)
}

/** Largest callback body read (a form_post response is a few hundred bytes; RFC 6749 §4.1.2). */
const MAX_CALLBACK_BODY_BYTES = 64 * 1024

/** The callback's parameters: the query, or the form body of a `form_post` callback (read at most 64 KiB). */
export async function callbackParameters(request: Request, app: string): Promise<URLSearchParams> {
  const url = new URL(request.url)
  if (request.method === 'POST') {
    const type = request.headers.get('content-type') ?? ''
    if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
      throw new OAuthKitError(
        ErrorCode.INVALID_AUTHORIZATION_RESPONSE,
        `${app}: a POST callback must be application/x-www-form-urlencoded (response_mode=form_post)`,
        { app },
      )
    }
    const tooLarge = () =>
      new OAuthKitError(
        ErrorCode.INVALID_AUTHORIZATION_RESPONSE,
        `${app}: the callback body is too large (over ${MAX_CALLBACK_BODY_BYTES} bytes)`,
        { app },
      )
    // A declared size over the cap is refused unread; an undeclared or false one is counted as it streams.
    if (Number(request.headers.get('content-length') ?? 0) > MAX_CALLBACK_BODY_BYTES)
      throw tooLarge()
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

/** One parameter value; a repeated parameter is refused (RFC 6749 §3.1). */
export function single(params: URLSearchParams, name: string, app: string): string | undefined {
  const values = params.getAll(name)
  if (values.length > 1) {
    throw new OAuthKitError(
      ErrorCode.INVALID_AUTHORIZATION_RESPONSE,
      `${app}: the callback repeats the "${name}" parameter`,
      { app },
    )
  }
  return values[0] || undefined
}

/**
 * A callback body arriving as chunks (a Node request), as a stream read only when the core reads it,
 * which fails once it passes 64 KiB.
 *
 * @group Routes
 */
export function callbackBodyStream(chunks: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]()
  let size = 0
  const tooLarge = () =>
    new OAuthKitError(
      ErrorCode.INVALID_AUTHORIZATION_RESPONSE,
      `the callback body is too large (over ${MAX_CALLBACK_BODY_BYTES} bytes)`,
    )
  const pull = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    const { done, value } = await iterator.next()
    if (done) return controller.close()
    if ((size += value.byteLength) > MAX_CALLBACK_BODY_BYTES) return controller.error(tooLarge())
    controller.enqueue(value)
  }
  return new ReadableStream<Uint8Array>({ pull }, { highWaterMark: 0 })
}

/**
 * A callback body a framework's parser already read (a string, bytes, or flat string fields), as the
 * form body it was, never re-encoded into anything else; nested values (`qs`) or no body at all make
 * a body whose read fails with `invalid_authorization_response` / `invalid_request`.
 *
 * @group Routes
 */
export function parsedCallbackBody(parsed: unknown): BodyInit {
  if (typeof parsed === 'string' || parsed instanceof Uint8Array)
    return parsed as string | Uint8Array<ArrayBuffer>
  const failing = (error: OAuthKitError) =>
    new ReadableStream({ start: (controller) => controller.error(error) })
  if (typeof parsed !== 'object' || parsed === null)
    return failing(
      new OAuthKitError(
        ErrorCode.INVALID_REQUEST,
        'the callback body was read by a middleware that left no parsed body',
      ),
    )
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(parsed)) {
    for (const item of [value].flat()) {
      if (typeof item !== 'string')
        return failing(
          new OAuthKitError(
            ErrorCode.INVALID_AUTHORIZATION_RESPONSE,
            `the body parser made "${key}" a nested value`,
          ),
        )
      params.append(key, item)
    }
  }
  return params
}
