/**
 * Authenticated requests to a provider's API, built on ky: the app's token is resolved (passed in, or
 * from `fetchToken`), refreshed when due, added to the request, and the app's `protectedRequest`
 * hooks run; ky's own options and hooks stay available and the result is ky's response promise.
 *
 * Credentials are added only to the copy of the request handed to `fetch`, never to ky's own
 * `request`: ky keeps that one on its errors (`HTTPError`, `TimeoutError`), which apps log.
 *
 * @module
 */
import ky, { TimeoutError, type KyInstance, type ResponsePromise } from 'ky'
import { CallState, type ApiAuthorizer, type ApiRequestOptions } from './api-call.js'
import { deliver, readText, type ApiError } from './api-response.js'
import { isLoopback } from './loopback.js'
import { ErrorCode, OAuthKitError, isOAuthKitError } from '../errors/error.js'
import type { RequestHook, ResponseHook } from '../types.js'

/** How an {@link ApiClient} is set up. */
export interface ApiClientOptions<T = unknown> {
  apiBaseUrl?: string
  fetch: typeof fetch
  userAgent?: string
  hooks?: RequestHook | readonly RequestHook[]
  /**
   * A token's own API base (Salesforce's `instance_url`): relative URLs are joined to it once the token
   * is known, and its origin may receive that token (https only, or loopback / allowed http).
   */
  tokenBase?: (token: T) => string | undefined
  /** Run over each response the API sends, before a 401 is looked at (`protectedResponse`). */
  responseHooks?: ResponseHook | readonly ResponseHook[]
  /** Origins credentials may be sent to besides `apiBaseUrl`'s (checked at register). */
  trustedOrigins?: readonly (string | undefined)[]
  /** `http:` origins beyond loopback were allowed at register. */
  allowInsecureRequests?: boolean
  /** Milliseconds before a call is abandoned (ky's `timeout`). */
  timeout: number
  /** Default limit of a response body the app reads (`apiMaxResponseSize`). */
  maxResponseSize: number | false
  /** Limit of a body oauthkit itself reads as JSON (the app's `maxResponseSize`). */
  maxJsonSize: number
}

/** Where a relative URL waits for its token's own API base (never sent: replaced in `#call`). */
const TOKEN_BASE = 'https://token-api-base.oauthkit.invalid/'

/** Default `apiMaxResponseSize`: 10 MiB. */
export const DEFAULT_API_MAX_RESPONSE_SIZE = 10 * 1024 * 1024

/** */
export function joinUrl(app: string, base: string | undefined, url: string | URL): string {
  if (url instanceof URL || /^https?:\/\//i.test(url)) return String(url)
  if (!base) {
    throw new OAuthKitError(
      ErrorCode.INVALID_REQUEST,
      `${app}: "${url}" is relative but the app has no apiBaseUrl`,
      { app },
    )
  }
  // A relative path is appended to apiBaseUrl: 'user' and '/user' both mean `${apiBaseUrl}/user`.
  return base.replace(/\/+$/, '') + '/' + url.replace(/^\/+/, '')
}

/** `https://host[:port]/`, the prefix every URL of that origin starts with once serialised. */
function originPrefix(url: string): string | undefined {
  return URL.canParse(url) ? `${new URL(url).origin}/` : undefined
}

function originOf(url: string): string {
  return URL.canParse(url) ? new URL(url).origin : '(not a URL)'
}

/** The steps of an {@link ApiClient} that `app.fetch` runs its calls with. */
export interface ApiClientParts<T> {
  /** The whole call of `request` (origin, token, signing, hooks, one retry, size limit). */
  call(request: Request, state: CallState<T>): Promise<Response>
  /** `url` as `request` reads it: relative to `apiBaseUrl`. */
  resolve(url: string): string
  authorizer: ApiAuthorizer<T>
  send: typeof fetch
  /** True when the app has `protectedRequest` hooks. */
  hooked: boolean
  /** True when `url` is on an origin the app always sends credentials to. */
  trusts(url: string): boolean
  /** The full origin check (discovered endpoints, http: rules); throws `untrusted_origin`. */
  checkOrigin(url: string): Promise<void>
  /** The response within the size limit (`url` was sent as it is). */
  deliver(response: Response, url: string): Response
}

/**
 * A ky instance bound to one app.
 */
export class ApiClient<T> {
  readonly #ky: KyInstance
  readonly #app: string
  readonly #base?: string
  readonly #tokenBase?: (token: T) => string | undefined
  readonly #authorizer: ApiAuthorizer<T>
  readonly #hooks: readonly RequestHook[]
  readonly #responseHooks: readonly ResponseHook[]
  readonly #send: typeof fetch
  readonly #trusted: string[]
  readonly #insecure: boolean
  readonly #maxResponseSize: number | false
  readonly #maxJsonSize: number
  readonly #timeout: number
  #parts?: ApiClientParts<T>

  constructor(app: string, options: ApiClientOptions<T>, authorizer: ApiAuthorizer<T>) {
    this.#app = app
    this.#base = options.apiBaseUrl
    this.#tokenBase = options.tokenBase
    this.#authorizer = authorizer
    this.#hooks =
      options.hooks === undefined
        ? []
        : Array.isArray(options.hooks)
          ? options.hooks
          : [options.hooks as RequestHook]
    this.#responseHooks = [options.responseHooks ?? []].flat() as ResponseHook[]
    this.#send = options.fetch
    this.#insecure = options.allowInsecureRequests === true
    this.#maxResponseSize = options.maxResponseSize
    this.#maxJsonSize = options.maxJsonSize
    this.#timeout = options.timeout
    this.#trusted = [
      ...new Set(
        [options.apiBaseUrl, ...(options.trustedOrigins ?? [])].flatMap((u) =>
          u === undefined ? [] : (originPrefix(u) ?? []),
        ),
      ),
    ]
    this.#ky = ky.create({
      headers: options.userAgent ? { 'user-agent': options.userAgent } : undefined,
      timeout: options.timeout,
      // Our own failures (no token, refresh refused, untrusted origin) are final: retrying them only repeats them.
      retry: { shouldRetry: ({ error }) => (isOAuthKitError(error) ? false : undefined) },
    })
  }

  request(method: string, url: string | URL, options: ApiRequestOptions<T> = {}): ResponsePromise {
    const { token, ctx, maxResponseSize, fetch: callFetch, ...kyOptions } = options
    const state = new CallState<T>(token, ctx)
    const send = callFetch ?? this.#send
    const limit = maxResponseSize === undefined ? this.#maxResponseSize : maxResponseSize
    // A fetch per call: it carries the call's state, whatever ky's or the app's hooks do to the request.
    const fetch = (input: RequestInfo | URL, init?: RequestInit) =>
      this.#call(input as Request, init, state, send, limit)
    // A relative URL waits for the token when the token may carry its own base (joined in #call).
    const target =
      this.#tokenBase && !(url instanceof URL) && !/^https?:\/\//i.test(url)
        ? TOKEN_BASE + url.replace(/^\/+/, '')
        : joinUrl(this.#app, this.#base, url)
    return this.#ky(target, { ...kyOptions, method, fetch })
  }

  /** What `app.fetch` (app-fetch.ts) runs its calls with: this client's own rules and steps. */
  get parts(): ApiClientParts<T> {
    return (this.#parts ??= {
      call: (request, state) =>
        this.#call(request, undefined, state, this.#send, this.#maxResponseSize),
      resolve: (url) => joinUrl(this.#app, this.#base, url),
      authorizer: this.#authorizer,
      send: this.#send,
      hooked: this.#hooks.length > 0,
      trusts: (url) => this.#trusted.some((prefix) => url.startsWith(prefix)),
      checkOrigin: (url) => this.#checkOrigin(url),
      deliver: (response, url) =>
        deliver(response, { url }, { url }, this.#maxResponseSize, this.#raise),
    })
  }

  /**
   * A call whose body oauthkit reads itself (profile loaders): bounded by the app's `maxResponseSize`,
   * and its body by the app's `timeout` too (a timeout is `timeout`). An error status is ky's `HTTPError`.
   */
  async json<R>(method: string, url: string, options: ApiRequestOptions<T> = {}): Promise<R> {
    const headers = new Headers(options.headers as HeadersInit | undefined)
    if (!headers.has('accept')) headers.set('accept', 'application/json')
    let response: Response
    try {
      response = await this.request(method, url, {
        ...options,
        headers,
        maxResponseSize: this.#maxJsonSize,
      })
    } catch (error) {
      if (error instanceof TimeoutError)
        throw this.#error(ErrorCode.TIMEOUT, `the API did not answer within ${this.#timeout} ms`)
      throw error
    }
    const text = await readText(response, this.#timeout, () =>
      this.#error(
        ErrorCode.TIMEOUT,
        `the API did not finish its response within ${this.#timeout} ms`,
      ),
    )
    if (response.status === 204 || text === '') return '' as R
    try {
      return JSON.parse(text) as R
    } catch {
      throw this.#error(
        ErrorCode.INVALID_RESPONSE,
        `the API answered HTTP ${response.status} with a body that is not JSON (${originOf(response.url || '')})`,
        response.status,
      )
    }
  }

  async #call(
    request: Request,
    init: RequestInit | undefined,
    state: CallState<T>,
    send: typeof fetch,
    limit: number | false,
  ): Promise<Response> {
    const pending = request.url.startsWith(TOKEN_BASE)
    if (!pending) await this.#checkOrigin(request.url)
    const authorizer = this.#authorizer
    // A usable token already in hand skips the asynchronous resolution (the common case).
    const token = authorizer.ready?.(state) ?? (await authorizer.resolve(state))
    // The token's own API base is trusted for this call (and its retry) only.
    let own: string | undefined
    if (pending) [request, own] = await this.#onTokenBase(request, token)
    // The body, for the one retry a 401 may earn.
    const copy = authorizer.recover && !state.retried && request.body ? request.clone() : undefined
    const header = this.#hooks.length === 0 ? authorizer.header?.(token) : undefined
    let signed = request
    let response: Response
    if (header) {
      // The credentials only in fetch's own copy of the request (fetch builds one from input and init):
      // the request ky holds, and shows in TimeoutError and HTTPError, never gets them.
      const headers = new Headers(request.headers)
      headers.set('authorization', header)
      response = await this.#received(await send(request, { ...init, headers }))
    } else {
      signed = await this.#sign(request, token, own)
      response = await this.#received(await send(signed, init))
    }
    if (
      response.status === 401 &&
      authorizer.recover &&
      !state.retried &&
      this.#answeredBy(response, signed) &&
      (await authorizer.recover(response, state, signed.url))
    ) {
      state.retried = true
      void response.body?.cancel().catch(() => {})
      signed = await this.#sign(copy ?? request, state.token as T, own)
      response = await this.#received(await send(signed, init))
    }
    return deliver(response, request, signed, limit, this.#raise)
  }

  /**
   * A request made before its token was known, on the token's own API base (else `apiBaseUrl`): the
   * token's base must be https (http only on loopback or when allowed), and is then trusted for it.
   */
  async #onTokenBase(request: Request, token: T): Promise<[Request, string | undefined]> {
    const rest = request.url.slice(TOKEN_BASE.length)
    const own = this.#tokenBase?.(token)
    if (own === undefined) {
      const url = joinUrl(this.#app, this.#base, rest)
      await this.#checkOrigin(url)
      return [await moved(request, url), undefined]
    }
    const base = URL.canParse(own) ? new URL(own) : undefined
    const allowed =
      base !== undefined &&
      !base.username &&
      !base.password &&
      (base.protocol === 'https:' ||
        (base.protocol === 'http:' && (this.#insecure || isLoopback(base))))
    if (!allowed)
      throw this.#error(
        ErrorCode.UNTRUSTED_ORIGIN,
        `refused to send credentials to the token's API base (${base ? base.protocol : 'not a URL'}): it must be an https: URL`,
      )
    // What follows the placeholder may itself be an absolute URL: only the base's own origin skips the check.
    const url = new URL(joinUrl(this.#app, base.href, rest)).href
    const prefix = `${base.origin}/`
    if (!url.startsWith(prefix)) await this.#checkOrigin(url)
    return [await moved(request, url), prefix]
  }

  /** The response after the app's `protectedResponse` hooks (each gets what the previous returned). */
  #received(response: Response): Response | Promise<Response> {
    // No hooks (the common case): no extra promise per call.
    return this.#responseHooks.length === 0 ? response : this.#hooked(response)
  }

  async #hooked(response: Response): Promise<Response> {
    for (const hook of this.#responseHooks) response = (await hook(response)) ?? response
    return response
  }

  /** A copy of `request` with the credentials and the app's hooks, for `fetch` only. */
  async #sign(request: Request, token: T, own?: string): Promise<Request> {
    const authorized = this.#authorizer.authorize(new Request(request), token)
    let signed = authorized instanceof Request ? authorized : await authorized
    for (const hook of this.#hooks) signed = (await hook(signed)) ?? signed
    // A hook may rewrite the request: the credentials still go only where they may.
    if (signed.url !== request.url && !(own !== undefined && signed.url.startsWith(own)))
      await this.#checkOrigin(signed.url)
    return signed
  }

  /** Credentials go to the API's origin, the provider's own endpoints and `trustedOrigins` only. */
  async #checkOrigin(url: string): Promise<void> {
    if (this.#trusted.some((prefix) => url.startsWith(prefix))) return
    // Plain http only to loopback, unless the app allows it (its configured origins were checked at register).
    if (/^http:/i.test(url) && !this.#insecure && !isLoopback(new URL(url))) {
      throw this.#error(
        ErrorCode.UNTRUSTED_ORIGIN,
        `refused to send credentials over http: to ${originOf(url)}; use https:, or set allowInsecureRequests: true for a private test rig`,
      )
    }
    const discovered = await this.#authorizer.origins?.().catch(() => undefined)
    if (discovered?.some((origin) => url.startsWith(originPrefix(origin) ?? '\0'))) return
    throw this.#error(
      ErrorCode.UNTRUSTED_ORIGIN,
      `refused to send credentials to ${originOf(url)}, which is not the origin of apiBaseUrl nor of the provider's endpoints; list it in the app's trustedOrigins if it should get the token`,
    )
  }

  /** True when the response comes from the origin that was sent the credentials (not a redirect elsewhere). */
  #answeredBy(response: Response, signed: Request): boolean {
    return !response.url || response.url.startsWith(originPrefix(signed.url) ?? '\0')
  }

  readonly #raise: ApiError = (code, message, status) => this.#error(code, message, status)

  #error(code: ErrorCode, message: string, status?: number): OAuthKitError {
    return new OAuthKitError(
      code,
      `${this.#app}: ${message}`,
      status === undefined ? { app: this.#app } : { app: this.#app, status },
    )
  }
}

/** `request` sent to `url` instead (its body read once: a stream cannot be handed on without `duplex`). */
async function moved(request: Request, url: string): Promise<Request> {
  const body = request.body === null ? undefined : await request.arrayBuffer()
  return new Request(url, {
    method: request.method,
    headers: request.headers,
    body,
    signal: request.signal,
    redirect: request.redirect,
  })
}
