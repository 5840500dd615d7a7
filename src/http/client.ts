/**
 * Every request oauthkit sends to a provider goes through {@link HttpClient}: the app's `fetch`, a
 * timeout, a bound on the response size, and the app's compliance hooks for that step.
 *
 * @module
 */
import { ErrorCode, OAuthKitError, isOAuthKitError } from '../errors/error.js'
import { describe, sanitize, type Step } from '../errors/upstream.js'
import type { RequestHook, ResponseHook } from '../types.js'

/**
 * The hooks of each step, as the app kind names them (OAuth 2's `accessTokenResponse` is the `token`
 * step's response hook; OAuth 1's `requestTokenResponse` the `request_token` step's).
 */
export interface StepHooks {
  request?: Partial<Record<Step, RequestHook | readonly RequestHook[]>>
  response?: Partial<Record<Step, ResponseHook | readonly ResponseHook[]>>
}

/** */
export interface HttpClientOptions {
  app: string
  fetch: typeof fetch
  /** Milliseconds before a provider request is abandoned. */
  timeout: number
  /** Largest response body accepted, in bytes. */
  maxResponseSize: number
  hooks: StepHooks
  userAgent?: string
}

/** The fetch signature oauth4webapi's `customFetch` expects. */
export type CustomFetch = (url: string, init: RequestInit) => Promise<Response>

function asArray<T>(value: T | readonly T[] | undefined): readonly T[] {
  return value === undefined ? [] : Array.isArray(value) ? (value as readonly T[]) : [value as T]
}

/** */
export class HttpClient {
  readonly #options: HttpClientOptions
  constructor(options: HttpClientOptions) {
    this.#options = options
  }

  /** A fetch for oauth4webapi's `customFetch` that runs this step's hooks. */
  fetchFor(step: Step): CustomFetch {
    return (url, init) => this.send(new Request(url, init), step)
  }

  /** Send `request` for `step`: request hooks, fetch with timeout and no redirects, bounded body, response hooks. */
  async send(request: Request, step: Step, signal?: AbortSignal): Promise<Response> {
    const { app, hooks } = this.#options
    for (const hook of asArray(hooks.request?.[step])) {
      request = (await hook(request)) ?? request
    }
    // oauth4webapi stamps its own User-Agent; the app's (Reddit requires one of its own) wins.
    const agent = request.headers.get('user-agent')
    if (this.#options.userAgent && (!agent || agent.startsWith('oauth4webapi/'))) {
      request.headers.set('user-agent', this.#options.userAgent)
    }
    const timeout = AbortSignal.timeout(this.#options.timeout)
    const signals = [timeout, request.signal, signal].filter(
      (s): s is AbortSignal => s !== undefined,
    )
    let response: Response
    try {
      // Never follow a provider's redirect: it could lead a token request, or the JWKS, to another host.
      response = await this.#options.fetch(
        new Request(request, { signal: anySignal(signals), redirect: 'manual' }),
      )
    } catch (cause) {
      if (signal?.aborted) throw signal.reason
      if (timeout.aborted) {
        throw new OAuthKitError(
          ErrorCode.TIMEOUT,
          `${app}: the ${describe(step)} did not answer within ${this.#options.timeout} ms`,
          { app, cause: sanitize(cause) },
        )
      }
      throw new OAuthKitError(
        ErrorCode.NETWORK_ERROR,
        `${app}: the ${describe(step)} could not be reached (${new URL(request.url).origin})`,
        { app, cause: sanitize(cause) },
      )
    }
    if (
      response.type === 'opaqueredirect' ||
      (response.status >= 300 && response.status < 400 && response.status !== 304)
    ) {
      void response.body?.cancel().catch(() => {})
      const code =
        step === 'metadata' || step === 'jwks' ? ErrorCode.METADATA_INVALID : ErrorCode.HTTP_ERROR
      throw new OAuthKitError(
        code,
        `${app}: the ${describe(step)} answered with a redirect (HTTP ${response.status || 'opaque'}), which oauthkit does not follow`,
        { app, status: response.status || undefined },
      )
    }
    response = await this.#bounded(response, step, timeout)
    for (const hook of asArray(hooks.response?.[step])) {
      response = (await hook(response)) ?? response
    }
    return response
  }

  /** Buffer the body up to the size limit so an oversized or endless body cannot exhaust memory. */
  async #bounded(response: Response, step: Step, timeout: AbortSignal): Promise<Response> {
    const { app, maxResponseSize } = this.#options
    // The API step streams: the caller owns that body and ky reads it as it likes.
    if (step === 'api' || response.body === null) return response
    const tooLarge = () =>
      new OAuthKitError(
        ErrorCode.RESPONSE_TOO_LARGE,
        `${app}: the ${describe(step)} response is larger than ${maxResponseSize} bytes`,
        { app, status: response.status },
      )
    const declared = Number(response.headers.get('content-length'))
    if (Number.isFinite(declared) && declared > maxResponseSize) {
      // Not awaited: some streams (msw, proxies) only settle a cancel when the source finishes.
      void response.body.cancel().catch(() => {})
      throw tooLarge()
    }
    // Not every fetch aborts a body that stalls after its headers (mocks, custom fetches): the timeout bounds the reads too.
    let onTimeout = () => {}
    const timedOut = new Promise<never>((_, reject) => (onTimeout = () => reject(timeout.reason)))
    timedOut.catch(() => {})
    if (timeout.aborted) onTimeout()
    else timeout.addEventListener('abort', onTimeout, { once: true })
    // Our own reader, declared length or not: while it holds the stream, `body.cancel()` is refused
    // (the stream is locked), so a stalled body can only be cancelled through it.
    const reader = response.body.getReader()
    try {
      const bytes = await readAtMost(reader, maxResponseSize, timedOut, tooLarge)
      const copy = new Response(bytes, {
        status: response.status,
        statusText: response.statusText,
        headers: response.headers,
      })
      Object.defineProperty(copy, 'url', { value: response.url })
      return copy
    } catch (cause) {
      if (isOAuthKitError(cause)) throw cause
      if (cause instanceof DOMException && cause.name === 'TimeoutError') {
        void reader.cancel().catch(() => {})
        throw new OAuthKitError(
          ErrorCode.TIMEOUT,
          `${app}: the ${describe(step)} did not finish its response within ${this.#options.timeout} ms`,
          { app },
        )
      }
      throw new OAuthKitError(
        ErrorCode.NETWORK_ERROR,
        `${app}: the ${describe(step)} response was cut off`,
        { app, cause: sanitize(cause) },
      )
    } finally {
      timeout.removeEventListener('abort', onTimeout)
    }
  }
}

/**
 * `AbortSignal.any`, or an equivalent where the runtime lacks it (Next.js's local Edge runtime).
 */
export function anySignal(signals: AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(signals)
  const controller = new AbortController()
  for (const signal of signals) {
    if (signal.aborted) {
      controller.abort(signal.reason)
      break
    }
    signal.addEventListener('abort', () => controller.abort(signal.reason), {
      once: true,
      signal: controller.signal,
    })
  }
  return controller.signal
}

/** Read a body without a declared length, refusing it as soon as it passes `limit` bytes. */
async function readAtMost(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  limit: number,
  timedOut: Promise<never>,
  tooLarge: () => Error,
): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Uint8Array[] = []
  let size = 0
  for (;;) {
    const { done, value } = await Promise.race([reader.read(), timedOut])
    if (done) break
    size += value.byteLength
    if (size > limit) {
      void reader.cancel().catch(() => {})
      throw tooLarge()
    }
    chunks.push(value)
  }
  const body = new Uint8Array(size)
  let offset = 0
  for (const chunk of chunks) {
    body.set(chunk, offset)
    offset += chunk.byteLength
  }
  return body
}

/**
 * Read a provider's JSON response body, let `edit` change it, and return a new response with the
 * same status and headers. For compliance hooks.
 *
 * @example
 * ```ts
 * accessTokenResponse: (res) => rewriteJson(res, (body) => ({ token_type: 'bearer', ...body }))
 * ```
 * @group Hooks
 */
export async function rewriteJson(
  response: Response,
  edit: (body: Record<string, unknown>) => Record<string, unknown>,
  init: { status?: number } = {},
): Promise<Response> {
  const text = await response.text()
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    // Not JSON: leave it for the normal validation to reject.
    return new Response(text, { status: response.status, headers: response.headers })
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return new Response(text, { status: response.status, headers: response.headers })
  }
  const headers = new Headers(response.headers)
  headers.set('content-type', 'application/json')
  headers.delete('content-length')
  return new Response(JSON.stringify(edit(body as Record<string, unknown>)), {
    status: init.status ?? response.status,
    headers,
  })
}
