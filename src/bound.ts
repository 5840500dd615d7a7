/**
 * A registry bound to one request: what integrations hand to route handlers, so calls need no `ctx`
 * (`req.oauth.create('github').authorizeRedirect(redirectUri)`).
 *
 * @module
 */
import type { ResponsePromise } from 'ky'
import { ApiMethods, type ApiRequestOptions } from './http/api.js'
import type { AuthorizeAccessTokenOptions, AuthorizeOptions, CompletedAuthorization } from './app/base.js'
import { INSPECT } from './app/redact.js'
import type { OAuthContext } from './types.js'

/** The methods every app kind shares (OAuth 2 and OAuth 1), with its token type `T`. @group Core */
export interface AppLike<T> {
  readonly name: string
  authorizeRedirect(ctx: OAuthContext, redirectUri: string, options?: AuthorizeOptions): Promise<Response>
  completeAuthorization(ctx: OAuthContext, options?: AuthorizeAccessTokenOptions): Promise<CompletedAuthorization<T>>
  request(method: string, url: string | URL, options?: ApiRequestOptions<T>): ResponsePromise
  fetchToken(ctx?: OAuthContext): Promise<T>
}

/** The token type of an app. @group Core */
export type TokenOf<A> = A extends AppLike<infer T> ? T : never

/**
 * One app bound to the current request's context.
 * @group Core
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export class BoundApp<A extends AppLike<any>> extends ApiMethods<TokenOf<A>> {
  /** The app itself, for methods that need no request context. */
  readonly app: A
  /** The request context every call uses. */
  readonly ctx: OAuthContext

  /** @internal */
  constructor(app: A, ctx: OAuthContext) {
    super()
    this.app = app
    this.ctx = ctx
  }

  /** Start a login: see the app's `authorizeRedirect`. */
  authorizeRedirect(redirectUri: string, options?: AuthorizeOptions): Promise<Response> {
    return this.app.authorizeRedirect(this.ctx, redirectUri, options)
  }

  /** Finish a login on the callback: see the app's `authorizeAccessToken`. */
  async authorizeAccessToken(options?: AuthorizeAccessTokenOptions): Promise<TokenOf<A>> {
    return (await this.app.completeAuthorization(this.ctx, options)).token
  }

  /** Finish a login and learn the `returnTo` it was started with. */
  completeAuthorization(options?: AuthorizeAccessTokenOptions): Promise<CompletedAuthorization<TokenOf<A>>> {
    return this.app.completeAuthorization(this.ctx, options)
  }

  /** The current user's token, from `fetchToken` with this request's context (refreshed when due). */
  fetchToken(): Promise<TokenOf<A>> {
    return this.app.fetchToken(this.ctx)
  }

  /** An authenticated API request; the token comes from `fetchToken` with this context unless given. */
  override request(method: string, url: string | URL, options: ApiRequestOptions<TokenOf<A>> = {}): ResponsePromise {
    return this.app.request(method, url, { ctx: this.ctx, ...options })
  }

  /** What `console.log(bound)` shows: the app (secrets redacted), not the request context (cookies, session). */
  [INSPECT](_depth: number, options: object, inspect: (value: unknown, options: object) => string): string {
    return `BoundApp ${inspect({ app: this.app }, options)}`
  }

  /** What `JSON.stringify(bound)` gives: the app, secrets redacted; not the request context. */
  toJSON(): { app: A } {
    return { app: this.app }
  }
}

/**
 * A registry bound to one request's context, as integrations give it to route handlers.
 * @group Core
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export interface BoundOAuth<Apps extends Record<string, AppLike<any>>> {
  /** The registered app `name`, bound to this request. */
  create<N extends keyof Apps & string>(name: N): BoundApp<Apps[N]>
  /** The registered names. */
  names(): Array<keyof Apps & string>
  /** The request context. */
  readonly ctx: OAuthContext
}
