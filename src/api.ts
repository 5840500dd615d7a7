/**
 * Authenticated requests to a provider's API, built on ky: the app's token is resolved (passed in, or
 * from `fetchToken`), refreshed when due, added to the request, and the app's `protectedRequest`
 * hooks run; ky's own options and hooks stay available and the result is ky's response promise.
 *
 * @module
 */
import ky, { type KyInstance, type Options as KyOptions, type ResponsePromise } from 'ky'
import { ErrorCode, OAuthKitError, isOAuthKitError } from './errors.js'
import type { RequestHook, TokenContext } from './types.js'

/** Options of an authenticated request: ky's options plus the token to use. @group API */
export interface ApiRequestOptions<T = unknown> extends Omit<KyOptions, 'prefixUrl'> {
  /** The token to call with; when absent it is read with `fetchToken(name, ctx)`. */
  token?: T
  /** The request context handed to `fetchToken` / `updateToken`. */
  ctx?: TokenContext
}

/**
 * Per-call state shared by the hooks through ky's `context`. The token lives in a private field:
 * ky keeps `context` on its `HTTPError`, and an error must never serialise a token.
 * @internal
 */
export class CallState<T> {
  #token?: T
  retried = false
  constructor(
    token: T | undefined,
    readonly ctx: TokenContext | undefined,
  ) {
    this.#token = token
  }
  get token(): T | undefined {
    return this.#token
  }
  set token(value: T | undefined) {
    this.#token = value
  }
}

/** What an app kind supplies to sign its requests. @internal */
export interface ApiAuthorizer<T> {
  /** Resolve the token for a call (given, fetched, refreshed when due). */
  resolve(state: CallState<T>): Promise<T>
  /** The call's token when it can be used as it is, synchronously; else undefined. */
  ready?(state: CallState<T>): T | undefined
  /** Add the token to the request (header, or query when the app asks). May return a replacement. */
  authorize(request: Request, token: T): Request | Promise<Request>
  /** After a 401: refresh the token if that can help; true to retry once. */
  recover?(response: Response, state: CallState<T>): Promise<boolean>
}

/** @internal */
export function joinUrl(app: string, base: string | undefined, url: string | URL): string {
  if (url instanceof URL || /^https?:\/\//i.test(url)) return String(url)
  if (!base) {
    throw new OAuthKitError(ErrorCode.INVALID_REQUEST, `${app}: "${url}" is relative but the app has no apiBaseUrl`, { app })
  }
  // A relative path is appended to apiBaseUrl: 'user' and '/user' both mean `${apiBaseUrl}/user`.
  return base.replace(/\/+$/, '') + '/' + url.replace(/^\/+/, '')
}

/**
 * A ky instance bound to one app.
 * @internal
 */
export class ApiClient<T> {
  readonly #ky: KyInstance
  readonly #app: string
  readonly #base?: string

  constructor(app: string, options: { apiBaseUrl?: string; fetch: typeof fetch; userAgent?: string; hooks?: RequestHook | readonly RequestHook[] }, authorizer: ApiAuthorizer<T>) {
    this.#app = app
    this.#base = options.apiBaseUrl
    const protectedHooks = options.hooks === undefined ? [] : Array.isArray(options.hooks) ? options.hooks : [options.hooks]
    const send = options.fetch
    // The call each signed request belongs to: ky hands the very object its hook returned to `fetch`.
    const calls = new WeakMap<Request, CallState<T>>()
    const sign = async (request: Request, state: CallState<T>): Promise<Request> => {
      // A usable token already in hand skips the asynchronous resolution (the common case).
      const token = authorizer.ready?.(state) ?? (await authorizer.resolve(state))
      const authorized = authorizer.authorize(request, token)
      let signed = authorized instanceof Request ? authorized : await authorized
      for (const hook of protectedHooks) signed = (await hook(signed)) ?? signed
      calls.set(signed, state)
      return signed
    }
    this.#ky = ky.create({
      // The OAuth 401 retry lives in ky's fetch, not an afterResponse hook: ky clones every response
      // for each such hook, which made every call pay for a retry that is almost never needed.
      fetch: async (input, init) => {
        const state = input instanceof Request ? calls.get(input) : undefined
        if (!state || state.retried || !authorizer.recover) return send(input, init)
        const request = input as Request
        const copy = request.body ? request.clone() : undefined // the body, for the one retry a 401 may earn
        const response = await send(request, init)
        if (response.status !== 401 || !(await authorizer.recover(response, state))) return response
        state.retried = true
        void response.body?.cancel().catch(() => {})
        return send(await sign(copy ?? request, state), init)
      },
      headers: options.userAgent ? { 'user-agent': options.userAgent } : undefined,
      // Our own failures (no token, refresh refused) are final: retrying them only repeats the refresh.
      retry: { shouldRetry: ({ error }) => (isOAuthKitError(error) ? false : undefined) },
      hooks: {
        beforeRequest: [
          async (request, kyOptions) => {
            const signed = await sign(request, kyOptions.context.oauthkit as CallState<T>)
            return signed === request ? undefined : signed
          },
        ],
      },
    })
  }

  request(method: string, url: string | URL, options: ApiRequestOptions<T> = {}): ResponsePromise {
    const { token, ctx, ...kyOptions } = options
    const state = new CallState<T>(token, ctx)
    return this.#ky(joinUrl(this.#app, this.#base, url), { ...kyOptions, method, context: { ...kyOptions.context, oauthkit: state } })
  }
}

/**
 * The HTTP verbs every app offers on top of its `request` (OAuth 2, OAuth 1 and request-bound apps).
 * @typeParam T - the app's token type.
 * @group API
 */
export abstract class ApiMethods<T> {
  /** An authenticated request to the provider's API; see the app's own documentation. */
  abstract request(method: string, url: string | URL, options?: ApiRequestOptions<T>): ResponsePromise

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
