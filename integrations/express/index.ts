/**
 * `oauthkit/express`: Express 4 and 5. {@link oauthkit} gives every route `req.oauth` (the registry bound to the
 * request), {@link oauthRoutes} adds ready `/:name/login` and `/:name/callback` routes, {@link sendResponse} sends a
 * core `Response` through `res`. Only Express's *types* are imported; needs neither express-session nor a body parser.
 * @module oauthkit/express
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import type { NextFunction, Request as ExpressRequest, Response as ExpressResponse } from 'express'
import { ErrorCode, OAuthKitError, parseCookieHeader, serializeCookie } from '../../src/index.js'
import type { BoundOAuth, CookieStore, OAuth, OAuthContext, RemoteApp, TokenContext, TokenOf } from '../../src/index.js'

/** Declare your registry so `req.oauth` knows its apps: `declare module 'oauthkit/express' { interface Register { oauth: typeof oauth } }`. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Register {}

/** The apps of the registry declared in {@link Register}; any name when none is declared. */
export type RegisteredApps = Register extends { oauth: OAuth<infer A> } ? A : Record<string, RemoteApp>

// eslint-disable-next-line @typescript-eslint/no-namespace
declare global { namespace Express { interface Request { /** The registry bound to this request, set by `oauthkit()`. */ oauth: BoundOAuth<RegisteredApps> } } }

/** What oauthkit reads of an Express 4 or 5 `req` (so its handlers fit both versions' types). */
export type ExpressRequestLike = IncomingMessage & Pick<ExpressRequest, 'originalUrl' | 'baseUrl' | 'protocol' | 'body' | 'oauth'>

/** Options of {@link oauthkit}. */
export interface OAuthMiddlewareOptions {
  /** The app's public origin (`https://app.example`). Default: `req.protocol` and the `Host` header; behind a
   * proxy set Express's `trust proxy` so `req.protocol` is right (`X-Forwarded-Host` is ignored), or set this. */
  baseUrl?: string
  /** More context for `fetchToken`/`updateToken` (e.g. `{ userId }` from the app's session). */
  context?: (req: ExpressRequest, res: ExpressResponse) => TokenContext | Promise<TokenContext>
  /** The app session value each login is bound to (`ctx.binding`): a callback in another session is refused. Default:
   * `req.sessionID` with express-session (which is then told to keep the session until the callback), else none. */
  binding?: (req: ExpressRequest) => string | undefined | Promise<string | undefined>
}

/** Options of {@link oauthRoutes}; `T` is the token type. */
export interface OAuthRoutesOptions<T = unknown> extends OAuthMiddlewareOptions {
  /** After a login (the token already went to `updateToken`); may send its own response, else a 303 follows. */
  onSuccess?: (req: ExpressRequest, res: ExpressResponse, token: T, info: { name: string; returnTo?: string }) => void | Promise<void>
  /** Handles the routes' errors ({@link OAuthKitError} for login failures). Default: `next(err)`. */
  onError?: (err: unknown, req: ExpressRequest, res: ExpressResponse, next: NextFunction) => void | Promise<void>
  /** Where a login without `returnTo` lands (default `/`). */
  defaultReturnTo?: string
}

/** A {@link CookieStore} over `req.headers.cookie`, appending `Set-Cookie` headers to `res`. */
export function expressCookies(req: IncomingMessage, res: ServerResponse): CookieStore {
  const values = parseCookieHeader(req.headers.cookie)
  return {
    get: (name) => values.get(name),
    set: (name, value, options) => void (values.set(name, value), appendCookies(res, [serializeCookie(name, value, options)])),
    delete: (name, options) => void (values.delete(name), appendCookies(res, [serializeCookie(name, '', { ...options, maxAge: 0, expires: new Date(0) })])),
    getAll: () => [...values].map(([name, value]) => ({ name, value })),
  }
}

const originOf = (req: ExpressRequestLike, baseUrl?: string): string =>
  baseUrl || !req.headers.host ? new URL(baseUrl || fail(ErrorCode.INVALID_REQUEST, 'the request has no Host header: set baseUrl')).origin : `${req.protocol}://${req.headers.host}`

/**
 * The request as a Web `Request`. A body a parser already read comes from `req.body` (a string, a
 * Buffer, or flat string fields: never re-encoded into anything else); else the raw body is streamed
 * (at most 64 KiB) when the `Request` is read.
 */
export function toWebRequest(req: ExpressRequestLike, baseUrl?: string): Request {
  const headers = new Headers()
  for (const [key, value] of Object.entries(req.headers)) for (const v of [value ?? []].flat()) if (!key.startsWith(':')) headers.append(key, v)
  const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : bodyOf(req)
  return new Request(originOf(req, baseUrl) + req.originalUrl, { method: req.method, headers, body, duplex: 'half' } as RequestInit)
}

function bodyOf(req: ExpressRequestLike): BodyInit {
  if (req.readable) {
    const chunks: AsyncIterator<Buffer> = req[Symbol.asyncIterator]()
    let size = 0
    const pull = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
      const { done, value } = await chunks.next()
      if (done) return controller.close()
      controller.enqueue((size += value.length) > 64 * 1024 ? fail(ErrorCode.INVALID_AUTHORIZATION_RESPONSE, 'the callback body is too large') : value)
    }
    return new ReadableStream<Uint8Array>({ pull }, { highWaterMark: 0 }) // nothing is read until the core reads it
  }
  const body: unknown = req.body
  if (typeof body === 'string' || body instanceof Uint8Array) return body as string | Uint8Array<ArrayBuffer>
  const params = new URLSearchParams()
  const fields = typeof body === 'object' && body !== null ? body : fail(ErrorCode.INVALID_REQUEST, 'the callback body was read by a middleware that left no req.body')
  for (const [key, value] of Object.entries(fields))
    for (const item of [value].flat()) params.append(key, typeof item === 'string' ? item : fail(ErrorCode.INVALID_AUTHORIZATION_RESPONSE, `the body parser made "${key}" a nested value`))
  return params
}

const fail = (code: ErrorCode, message: string): never => { throw new OAuthKitError(code, `oauthkit/express: ${message}`) }
const appendCookies = (res: ServerResponse, cookies: string[]) => void (cookies.length && res.setHeader('Set-Cookie', [res.getHeader('Set-Cookie') ?? []].flat().map(String).concat(cookies)))

async function contextFor(req: ExpressRequestLike, res: ServerResponse, options: OAuthMiddlewareOptions): Promise<OAuthContext> {
  let request: Request | undefined // made only when the core reads it (callbacks)
  const ctx: OAuthContext = { ...(await options.context?.(req as ExpressRequest, res as ExpressResponse)), cookies: expressCookies(req, res), get request() { return (request ??= toWebRequest(req, options.baseUrl)) } }
  const { session, sessionID } = req as { session?: Record<string, unknown>; sessionID?: unknown }
  if (options.binding) ctx.binding = await options.binding(req as ExpressRequest)
  else if (ctx.binding === undefined && typeof sessionID === 'string' && session) Object.defineProperty(ctx, 'binding', { enumerable: true, get: () => ((session.oauthkitBound = true), sessionID) })
  return ctx
}

/** The redirect URI of app `name` for routes mounted at `req.baseUrl`: the same on login and callback. */
export function callbackUrl(req: ExpressRequestLike, name: string, baseUrl?: string): string {
  return `${originOf(req, baseUrl)}${req.baseUrl}/${encodeURIComponent(name)}/callback`
}

/** Send a core `Response` through `res`: status, headers (every `Set-Cookie` kept), body streamed. */
export async function sendResponse(res: ServerResponse, response: Response): Promise<void> {
  res.statusCode = response.status
  response.headers.forEach((value, key) => void (key !== 'set-cookie' && res.setHeader(key, value)))
  appendCookies(res, response.headers.getSetCookie())
  await (response.body ? pipeline(Readable.fromWeb(response.body as NodeReadableStream), res) : res.end())
}

/** Middleware setting `req.oauth`: `app.use(oauthkit(oauth))`, then `req.oauth.create('github')…` in routes. */
export function oauthkit<Apps extends Record<string, RemoteApp>>(oauth: OAuth<Apps>, options: OAuthMiddlewareOptions = {}) {
  return (req: ExpressRequestLike, res: ServerResponse, next: (err?: unknown) => void): void => {
    contextFor(req, res, options).then((ctx) => void ((req.oauth = oauth.bind(ctx) as unknown as BoundOAuth<RegisteredApps>), next()), next)
  }
}

/**
 * Routes `GET /:name/login[?returnTo=/path]` and `GET|POST /:name/callback` (sends `Referrer-Policy: no-referrer`, then 303
 * to the login's `returnTo` or `defaultReturnTo`): `app.use('/auth', oauthRoutes(oauth, { onSuccess }))`. Uses {@link oauthkit}'s context if it ran.
 */
export function oauthRoutes<Apps extends Record<string, RemoteApp>>(oauth: OAuth<Apps>, options: OAuthRoutesOptions<TokenOf<Apps[keyof Apps]>> = {}) {
  return async (req: ExpressRequestLike, res: ServerResponse, next: (err?: unknown) => void): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://path.invalid')
    const [, encoded = '', step] = /^\/([^/]+)\/(login|callback)\/?$/.exec(url.pathname) ?? []
    const name = oauth.names().find((n) => encodeURIComponent(n) === encoded)
    if (!name || !(step === 'login' ? ['GET'] : ['GET', 'POST']).includes(req.method ?? '')) return next()
    const [xreq, xres] = [req as ExpressRequest, res as ExpressResponse]
    try {
      const app = oauth.bind(req.oauth?.ctx ?? (await contextFor(req, res, options))).create(name)
      if (step === 'login') return await sendResponse(res, await app.authorizeRedirect(callbackUrl(req, name, options.baseUrl), { returnTo: url.searchParams.get('returnTo') ?? undefined }))
      res.setHeader('Referrer-Policy', 'no-referrer').setHeader('Cache-Control', 'no-store')
      const { token, returnTo } = await app.completeAuthorization()
      await options.onSuccess?.(xreq, xres, token as TokenOf<Apps[keyof Apps]>, returnTo === undefined ? { name } : { name, returnTo })
      if (!res.headersSent) res.writeHead(303, { Location: returnTo ?? options.defaultReturnTo ?? '/' }).end()
    } catch (err) {
      await Promise.resolve().then(() => (options.onError ? options.onError(err, xreq, xres, next) : next(err))).catch(next)
    }
  }
}
