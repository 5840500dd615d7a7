/**
 * One authenticated API call as every app kind sees it: its options, its state (the token once
 * resolved, its one retry), what an app kind supplies to sign it, and the HTTP verbs over `request`.
 *
 * @module
 */
import type { Options as KyOptions, ResponsePromise } from 'ky'
import type { TokenContext } from '../types.js'

/** Options of an authenticated request: ky's options plus the token to use. @group API */
export interface ApiRequestOptions<T = unknown> extends Omit<KyOptions, 'prefixUrl'> {
  /** The token to call with; when absent it is read with `fetchToken(name, ctx)`. */
  token?: T
  /** The request context handed to `fetchToken` / `updateToken`. */
  ctx?: TokenContext
  /**
   * Largest response body this call accepts, in bytes: the app's `apiMaxResponseSize` (default
   * 10 MiB) unless given here; `false` lifts the limit (a large download). A body over the limit is
   * an {@link OAuthKitError} `response_too_large`, when its declared length is read or as it streams.
   */
  maxResponseSize?: number | false
}

/**
 * Per-call state: the token the call uses (once resolved) and whether it already earned its one retry.
 */
export class CallState<T> {
  #token?: T
  readonly #ctx?: TokenContext
  retried = false
  constructor(token: T | undefined, ctx: TokenContext | undefined) {
    this.#token = token
    this.#ctx = ctx
  }
  get token(): T | undefined {
    return this.#token
  }
  set token(value: T | undefined) {
    this.#token = value
  }
  get ctx(): TokenContext | undefined {
    return this.#ctx
  }
}

/** What an app kind supplies to sign its requests. */
export interface ApiAuthorizer<T> {
  /** Resolve the token for a call (given, fetched, refreshed when due). */
  resolve(state: CallState<T>): Promise<T>
  /** The call's token when it can be used as it is, synchronously; else undefined. */
  ready?(state: CallState<T>): T | undefined
  /**
   * Add the token to `request`, a copy only the outgoing call holds (header, query or body). May change
   * it in place or return a replacement.
   */
  authorize(request: Request, token: T): Request | Promise<Request>
  /**
   * When the token goes in one header and nothing else changes: that header, checked as `authorize`
   * checks the token. Lets a call hand the credentials to `fetch` in its `init` instead of on a copy
   * of the request. Undefined when the kind signs otherwise (query, body, a signature).
   */
  header?(token: T): [name: string, value: string] | undefined
  /** After a 401 from the origin that was sent the token: refresh it if that can help; true to retry once. */
  recover?(response: Response, state: CallState<T>): Promise<boolean>
  /** Origins of the provider's own endpoints known only at run time (a discovered userinfo endpoint). */
  origins?(): Promise<readonly string[]>
}

/**
 * The HTTP verbs every app offers on top of its `request` (OAuth 2, OAuth 1 and request-bound apps).
 * @typeParam T - the app's token type.
 * @group API
 */
export abstract class ApiMethods<T> {
  /** An authenticated request to the provider's API; see the app's own documentation. */
  abstract request(
    method: string,
    url: string | URL,
    options?: ApiRequestOptions<T>,
  ): ResponsePromise

  /** `GET` through `request`. */
  get(url: string | URL, options?: ApiRequestOptions<T>): ResponsePromise {
    return this.request('GET', url, options)
  }

  /** `POST` through `request`. */
  post(url: string | URL, options?: ApiRequestOptions<T>): ResponsePromise {
    return this.request('POST', url, options)
  }

  /** `PUT` through `request`. */
  put(url: string | URL, options?: ApiRequestOptions<T>): ResponsePromise {
    return this.request('PUT', url, options)
  }

  /** `PATCH` through `request`. */
  patch(url: string | URL, options?: ApiRequestOptions<T>): ResponsePromise {
    return this.request('PATCH', url, options)
  }

  /** `DELETE` through `request`. */
  delete(url: string | URL, options?: ApiRequestOptions<T>): ResponsePromise {
    return this.request('DELETE', url, options)
  }
}
