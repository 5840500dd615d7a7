/**
 * `app.fetch`: a WHATWG `fetch` bound to one app, for SDKs that take a custom fetch (Octokit,
 * openapi-fetch, graphql-request, …). It runs the same call as `app.get` minus ky: the origin rules,
 * the token (resolved, refreshed when due), the app kind's signing, the `protectedRequest` hooks,
 * one retry after a 401 `invalid_token`, and the response size limit.
 *
 * A call with a URL (not a `Request`) whose credentials are only a header (a Bearer token, no hooks)
 * takes a direct path: no `Request` is built here, `fetch` gets the URL and an init with the header,
 * so the call costs what a plain `fetch` does plus the token lookup. Everything else goes through the
 * client's full call.
 *
 * @module
 */
import type { ApiClient, ApiClientParts } from './api.js'
import { CallState } from './api-call.js'
import type { TokenContext } from '../types.js'

/**
 * A function with the shape of the WHATWG `fetch`, bound to an app: what `app.fetch` and
 * `app.fetcher(…)` return. Pass it wherever an SDK takes a custom `fetch`.
 * @group API
 */
export type AppFetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>

/**
 * Options of `app.fetcher`: which token the returned fetch uses.
 * @typeParam T - the app's token type.
 * @group API
 */
export interface AppFetchOptions<T = unknown> {
  /** The token to call with; when absent it is read with `fetchToken(name, ctx)` on each call. */
  token?: T
  /** The request context handed to `fetchToken` / `updateToken` (the signed-in user). */
  ctx?: TokenContext
}

/** True when a string has no scheme: it is read against `apiBaseUrl`, as `get` reads it. */
function isRelative(input: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(input)
}

/**
 * A fetch bound to `client` and `options`. A request body given as a `ReadableStream` is sent once and
 * never retried (it cannot be replayed without holding all of it); any other body is kept for the
 * one retry a 401 `invalid_token` (or a DPoP nonce) may earn.
 * @internal
 */
export function appFetch<T>(client: ApiClient<T>, options: AppFetchOptions<T> = {}): AppFetch {
  const parts = client.parts
  // Not async itself: the direct path below is the call's only asynchronous frame.
  return (input, init) => {
    try {
      const state = new CallState<T>(options.token, options.ctx)
      // A streamed body cannot be sent twice: the first answer is the answer.
      if (init?.body instanceof ReadableStream) state.retried = true
      if (input instanceof Request)
        return parts.call(init === undefined ? input : new Request(input, init), state)
      const url =
        typeof input === 'string' && isRelative(input) ? parts.resolve(input) : String(input)
      if (parts.hooked || !parts.authorizer.header) return parts.call(new Request(url, init), state)
      return direct(parts, url, init, state)
    } catch (error) {
      return Promise.reject(error)
    }
  }
}

/** The direct path: credentials that are one header go into `fetch(url, init)`, as a plain fetch. */
async function direct<T>(
  parts: ApiClientParts<T>,
  url: string,
  init: RequestInit | undefined,
  state: CallState<T>,
): Promise<Response> {
  if (!parts.trusts(url)) await parts.checkOrigin(url)
  const authorizer = parts.authorizer
  const token = authorizer.ready?.(state) ?? (await authorizer.resolve(state))
  const header = authorizer.header!(token)
  // Another kind of token (DPoP, a token in the query): the full call signs it.
  if (header === undefined) return parts.call(new Request(url, init), state)
  const response = await parts.send(url, withAuthorization(init, header))
  if (
    response.status === 401 &&
    authorizer.recover &&
    !state.retried &&
    (!response.url || new URL(response.url).origin === new URL(url).origin) &&
    (await authorizer.recover(response, state, url))
  ) {
    state.retried = true
    void response.body?.cancel().catch(() => {})
    return parts.call(new Request(url, init), state)
  }
  return parts.deliver(response, url)
}

/** `init` with `authorization` set, replacing the caller's in any spelling; a plain record stays one. */
function withAuthorization(init: RequestInit | undefined, value: string): RequestInit {
  const given = init?.headers
  if (given === undefined) return { ...init, headers: { authorization: value } }
  if (Array.isArray(given) || given instanceof Headers) {
    const headers = new Headers(given)
    headers.set('authorization', value)
    return { ...init, headers }
  }
  const headers: Record<string, string> = { authorization: value }
  for (const name in given)
    if (name.toLowerCase() !== 'authorization')
      headers[name] = (given as Record<string, string>)[name]!
  return { ...init, headers }
}
