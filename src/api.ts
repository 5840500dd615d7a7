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

  constructor(app: string, options: { apiBaseUrl?: string; fetch: typeof fetch; userAgent?: string; hooks?: RequestHook | RequestHook[] }, authorizer: ApiAuthorizer<T>) {
    this.#app = app
    this.#base = options.apiBaseUrl
    const protectedHooks = options.hooks === undefined ? [] : Array.isArray(options.hooks) ? options.hooks : [options.hooks]
    this.#ky = ky.create({
      fetch: options.fetch,
      headers: options.userAgent ? { 'user-agent': options.userAgent } : undefined,
      // Our own failures (no token, refresh refused) are final: retrying them only repeats the refresh.
      retry: { shouldRetry: ({ error }) => (isOAuthKitError(error) ? false : undefined) },
      // ky retries idempotent calls on 5xx by default; an OAuth 401 is handled below, once.
      hooks: {
        beforeRequest: [
          async (request, kyOptions) => {
            const state = kyOptions.context.oauthkit as CallState<T>
            const token = await authorizer.resolve(state)
            let signed = await authorizer.authorize(request, token)
            for (const hook of protectedHooks) signed = (await hook(signed)) ?? signed
            return signed === request ? undefined : signed
          },
        ],
        afterResponse: [
          async (request, kyOptions, response) => {
            const state = kyOptions.context.oauthkit as CallState<T>
            if (response.status !== 401 || state.retried || !authorizer.recover) return
            if (!(await authorizer.recover(response, state))) return
            state.retried = true
            return this.#ky(request, { retry: 0, context: { oauthkit: state } })
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
