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
import {
  ErrorCode,
  OAuthKitError,
  authRoute,
  bindWithSession,
  callbackBodyStream,
  headerCookieStore,
  parsedCallbackBody,
  routeServes,
} from '../../src/index.js'
import type {
  AuthRouteOptions,
  BoundOAuth,
  CookieStore,
  OAuth,
  OAuthContext,
  RemoteApp,
  TokenContext,
} from '../../src/index.js'

/** Declare your registry so `req.oauth` knows its apps: `declare module 'oauthkit/express' { interface Register { oauth: typeof oauth } }`. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface Register {}

/** The apps of the registry declared in {@link Register}; any name when none is declared. */
export type RegisteredApps = Register extends { oauth: OAuth<infer A> }
  ? A
  : Record<string, RemoteApp>

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The registry bound to this request, set by `oauthkit()`. */
      oauth: BoundOAuth<RegisteredApps>
    }
  }
}

/** What oauthkit reads of an Express 4 or 5 `req` (so its handlers fit both versions' types). */
export type ExpressRequestLike = IncomingMessage &
  Pick<ExpressRequest, 'originalUrl' | 'baseUrl' | 'protocol' | 'body' | 'oauth'>

/** Options of {@link oauthkit}. */
export interface OAuthMiddlewareOptions {
  /** The app's public origin (`https://app.example`). Default: `req.protocol` and the `Host` header; behind a
   * proxy set Express's `trust proxy` so `req.protocol` is right (`X-Forwarded-Host` is ignored), or set this. */
  baseUrl?: string
  /** More context for `fetchToken`/`updateToken`. Default `userId`: the user session's (see `oauth.session`). */
  context?: (req: ExpressRequest, res: ExpressResponse) => TokenContext | Promise<TokenContext>
  /** The app session value each login is bound to (`ctx.binding`): a callback in another session is refused. Default:
   * `req.sessionID` with express-session (which is then told to keep the session until the callback), else none. */
  binding?: (req: ExpressRequest) => string | undefined | Promise<string | undefined>
}

/** What `onSuccess` and `onError` get besides the shared fields: Express's `req` and `res` (and `next` for errors). */
export interface ExpressExtra {
  req: ExpressRequest
  res: ExpressResponse
  next: NextFunction
}

/** Options of {@link oauthRoutes}: the shared route options; `onSuccess`/`onError` may also answer through `res` and return nothing. */
export interface OAuthRoutesOptions<Apps extends Record<string, RemoteApp> = RegisteredApps>
  extends
    OAuthMiddlewareOptions,
    Omit<AuthRouteOptions<Apps, ExpressExtra>, 'onError' | 'baseUrl'> {
  /** Answers a failed login (every {@link OAuthKitError}): return a `Response`, or answer through `info.res`. Default: see {@link AuthRouteOptions.onError}. */
  onError?: (
    error: OAuthKitError,
    info: Parameters<NonNullable<AuthRouteOptions<Apps, ExpressExtra>['onError']>>[1],
  ) => Response | void | Promise<Response | void>
}

/** A {@link CookieStore} over `req.headers.cookie`, appending `Set-Cookie` headers to `res`. */
export function toCookieStore(req: IncomingMessage, res: ServerResponse): CookieStore {
  return headerCookieStore(req.headers.cookie, (cookie) => appendCookies(res, [cookie]))
}

/** @deprecated Renamed {@link toCookieStore}, as in the other integrations; this name goes in the next minor version. */
export const expressCookies = toCookieStore

const originOf = (req: ExpressRequestLike, baseUrl?: string): string =>
  baseUrl || !req.headers.host
    ? new URL(
        baseUrl || fail(ErrorCode.INVALID_REQUEST, 'the request has no Host header: set baseUrl'),
      ).origin
    : `${req.protocol}://${req.headers.host}`

/** The request as a Web `Request`: a body a parser read comes from `req.body` (never re-encoded); else the raw body streams (at most 64 KiB). */
export function toWebRequest(req: ExpressRequestLike, baseUrl?: string): Request {
  const headers = new Headers()
  for (const [key, value] of Object.entries(req.headers))
    for (const v of [value ?? []].flat()) if (!key.startsWith(':')) headers.append(key, v)
  const body =
    req.method === 'GET' || req.method === 'HEAD'
      ? undefined
      : req.readable
        ? callbackBodyStream(req)
        : parsedCallbackBody(req.body)
  return new Request(originOf(req, baseUrl) + req.originalUrl, {
    method: req.method,
    headers,
    body,
    duplex: 'half',
  } as RequestInit)
}

const fail = (code: ErrorCode, message: string): never => {
  throw new OAuthKitError(code, `oauthkit/express: ${message}`)
}
const appendCookies = (res: ServerResponse, cookies: string[]) =>
  void (
    cookies.length &&
    res.setHeader(
      'Set-Cookie',
      [res.getHeader('Set-Cookie') ?? []].flat().map(String).concat(cookies),
    )
  )

async function bindTo<Apps extends Record<string, RemoteApp>>(
  oauth: OAuth<Apps>,
  req: ExpressRequestLike,
  res: ServerResponse,
  options: OAuthMiddlewareOptions,
): Promise<BoundOAuth<Apps>> {
  let request: Request | undefined // made only when the core reads it (callbacks)
  const ctx: OAuthContext = {
    ...(await options.context?.(req as ExpressRequest, res as ExpressResponse)),
    cookies: toCookieStore(req, res),
    get request() {
      return (request ??= toWebRequest(req, options.baseUrl))
    },
  }
  const { session, sessionID } = req as { session?: Record<string, unknown>; sessionID?: unknown }
  if (options.binding) ctx.binding = await options.binding(req as ExpressRequest)
  else if (ctx.binding === undefined && typeof sessionID === 'string' && session)
    Object.defineProperty(ctx, 'binding', {
      enumerable: true,
      get: () => ((session.oauthkitBound = true), sessionID),
    })
  const known = options.baseUrl || req.headers.host // else no session, and routes fail: no origin
  return bindWithSession(oauth, ctx, known ? originOf(req, options.baseUrl) : undefined)
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
  await (response.body
    ? pipeline(Readable.fromWeb(response.body as NodeReadableStream), res)
    : res.end())
}

/** Middleware setting `req.oauth`: `app.use(oauthkit(oauth))`, then `req.oauth.create('github')…` in routes. */
export function oauthkit<Apps extends Record<string, RemoteApp>>(
  oauth: OAuth<Apps>,
  options: OAuthMiddlewareOptions = {},
) {
  return (req: ExpressRequestLike, res: ServerResponse, next: (err?: unknown) => void): void => {
    bindTo(oauth, req, res, options).then(
      (bound) => void ((req.oauth = bound as unknown as BoundOAuth<RegisteredApps>), next()),
      next,
    )
  }
}

/** Routes `GET /:name/login[?returnTo=/path]`, `GET|POST /:name/callback`, `POST /:name/logout`, `GET /:name/userinfo`, and when configured `POST /:name/token`, `POST /:name/device` (see {@link authRoute}): `app.use('/auth', oauthRoutes(oauth, { onSuccess }))`. */
export function oauthRoutes<Apps extends Record<string, RemoteApp>>(
  oauth: OAuth<Apps>,
  options: OAuthRoutesOptions<Apps> = {},
) {
  return async (
    req: ExpressRequestLike,
    res: ServerResponse,
    next: (err?: unknown) => void,
  ): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://path.invalid')
    const [, encoded = '', action = ''] = /^\/([^/]+)\/([a-z]+)\/?$/.exec(url.pathname) ?? []
    const name = oauth.names().find((n) => encodeURIComponent(n) === encoded)
    if (!name || !routeServes(action, req.method ?? '', options)) return next()
    const extra: ExpressExtra = { req: req as ExpressRequest, res: res as ExpressResponse, next }
    const answered = new Response(null, { status: 204 }) // onError answered through `res`
    try {
      const bound = oauth.bind(req.oauth?.ctx ?? (await bindTo(oauth, req, res, options)).ctx)
      const { onError, ...shared } = options
      const response = await authRoute<Apps, ExpressExtra>(
        bound,
        name,
        action,
        {
          ...shared,
          redirectUri: () => callbackUrl(req, name, options.baseUrl),
          ...(onError && { onError: async (e, info) => (await onError(e, info)) ?? answered }),
        },
        extra,
      )
      if (!res.headersSent && response !== answered) await sendResponse(res, response)
    } catch (err) {
      next(err)
    }
  }
}
export * from './guard.js'
