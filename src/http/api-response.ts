/**
 * An API response as the app gets it: its URL without the credentials the signing added, its body
 * within the size limit; and the bounded text reader oauthkit's own JSON reads use.
 *
 * @module
 */
import { ErrorCode, type OAuthKitError } from '../errors/error.js'

/** Makes the client's typed error (`code`, message, HTTP status). */
export type ApiError = (code: ErrorCode, message: string, status?: number) => OAuthKitError

/**
 * The response as the app gets it: its URL without the credentials the signing put there (the token
 * in the query, an OAuth 1 signature), and its body within `limit` bytes.
 */
export function deliver(
  response: Response,
  request: Pick<Request, 'url'>,
  signed: Pick<Request, 'url'>,
  limit: number | false,
  error: ApiError,
): Response {
  const signedUrl = signed.url !== request.url
  const body = response.body
  let bounded: ReadableStream<Uint8Array> | null = body
  if (limit !== false && body !== null) {
    const declared = Number(response.headers.get('content-length') ?? NaN)
    if (declared > limit) {
      void body.cancel().catch(() => {})
      throw error(
        ErrorCode.RESPONSE_TOO_LARGE,
        `the API response is larger than ${limit} bytes (set maxResponseSize on the call, or apiMaxResponseSize on the app, to accept more)`,
        response.status,
      )
    }
    // A declared length binds the body (fetch fails a longer one) unless it is the compressed size.
    if (!Number.isFinite(declared) || response.headers.has('content-encoding'))
      bounded = body.pipeThrough(counter(limit, response.status, error))
  }
  if (!signedUrl && bounded === body) return response
  let copy: Response
  try {
    copy = new Response(bounded, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    })
  } catch {
    return response // a status Response cannot be built with (never from fetch); the body is then left as it is
  }
  const url = !signedUrl
    ? response.url
    : !response.url || response.url === signed.url
      ? request.url
      : withoutAdded(response.url, signed.url, request.url)
  Object.defineProperty(copy, 'url', { value: url })
  Object.defineProperty(copy, 'redirected', { value: response.redirected })
  return copy
}

function counter(
  limit: number,
  status: number,
  error: ApiError,
): TransformStream<Uint8Array, Uint8Array> {
  let size = 0
  return new TransformStream({
    transform: (chunk, controller) => {
      size += chunk.byteLength
      if (size > limit)
        controller.error(
          error(
            ErrorCode.RESPONSE_TOO_LARGE,
            `the API response is larger than ${limit} bytes (set maxResponseSize on the call, or apiMaxResponseSize on the app, to accept more)`,
            status,
          ),
        )
      else controller.enqueue(chunk)
    },
  })
}

/** `url` without the query parameters the signing added (present in `signed`, absent from `unsigned`). */
function withoutAdded(url: string, signed: string, unsigned: string): string {
  const result = new URL(url)
  const before = new URL(unsigned).searchParams
  for (const name of new URL(signed).searchParams.keys())
    if (!before.has(name)) result.searchParams.delete(name)
  return result.href
}

/** The whole body as text, abandoned (and an error) when it takes longer than `timeout` ms. */
export async function readText(
  response: Response,
  timeout: number,
  timedOut: () => Error,
): Promise<string> {
  if (response.body === null) return ''
  const reader = response.body.getReader()
  let timer: ReturnType<typeof setTimeout> | undefined
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // Rejected first: cancelling ends the pending read, which must not win the race as a complete body.
      reject(timedOut())
      void reader.cancel().catch(() => {})
    }, timeout)
  })
  deadline.catch(() => {})
  const decoder = new TextDecoder()
  let text = ''
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), deadline])
      if (done) break
      text += decoder.decode(value, { stream: true })
    }
    return text + decoder.decode()
  } finally {
    clearTimeout(timer)
  }
}
