/**
 * The six routes (login, callback, token, device, logout, userinfo) and the user session, in each
 * framework against the real dev provider: Express on a 127.0.0.1 port (http loopback: a plain session
 * cookie), Next.js 16 Route Handlers with Next's own cookie adapters, and SvelteKit endpoints behind the
 * handle hook (both on https://app.example: a `__Host-` cookie). The same scenarios run for each, the
 * refusals included: a redirect_uri outside the allow-list, a missing PKCE verifier, nobody signed in,
 * a cross-site sign-out.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express from 'express'
import * as oauth4 from 'oauth4webapi'
import type { Cookies, RequestEvent, RequestHandler } from '@sveltejs/kit'
import * as adapters from 'next/dist/server/web/spec-extension/adapters/request-cookies.js'
import * as nextCookies from 'next/dist/server/web/spec-extension/cookies.js'
import * as nextServer from 'next/server.js'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  MemoryTokenStore,
  OAuth,
  type AuthRouteOptions,
  type OAuth2App,
  type OAuth2Token,
  type SignedIn,
} from '../../src/index.js'
import { oauthRoutes } from '../../integrations/express/index.js'
import { oauthHandlers, toCookieStore as nextCookieStore } from '../../integrations/next/index.js'
import {
  oauthCallback,
  oauthDevice,
  oauthHandle,
  oauthLogin,
  oauthLogout,
  oauthToken,
  oauthUserinfo,
  type EndpointOptions,
} from '../../integrations/sveltekit/index.js'
import { startTestProvider, type TestProvider } from '../support/oidc-provider.js'

const CLIENT = { client_id: 'routes-web', client_secret: 'routes-web-secret-0123456789-0123456789' }
const SECRET = 'a-routes-test-secret-of-32-characters-or-more'
const HTTPS = 'https://app.example'
/** The native client's redirect URI, as registered at the provider (a port it happened to get). */
const CLI_REDIRECT = 'http://127.0.0.1:53123/cli'

type Apps = Record<'dev', OAuth2App>
type Options = AuthRouteOptions<Apps>

/** A framework serving the routes at `<base>/auth/…` and one browser's cookies for it. */
interface Harness {
  base: string
  /** A request from the browser (its cookies sent, its Set-Cookie kept). */
  send(
    path: string,
    init?: { method?: string; body?: URLSearchParams; headers?: Record<string, string> },
  ): Promise<Response>
  /** The browser's cookies. */
  jar: Map<string, string>
  /** The attributes of the last write of cookie `name` (lower-case keys). */
  attributes(name: string): Record<string, string | true> | undefined
}

let provider: TestProvider
let expressServer: Server
let expressBase: string
const store = new MemoryTokenStore()
const signIns: Array<SignedIn<Apps>> = []

function registry() {
  return new OAuth({ secret: SECRET, store }).register('dev', {
    serverMetadataUrl: provider.discoveryUrl,
    clientId: CLIENT.client_id,
    clientSecret: CLIENT.client_secret,
    scope: 'openid email profile',
  })
}

const options = (extra: Options = {}): Options => ({
  onSuccess: (result) => void signIns.push(result),
  token: { redirectUris: [CLI_REDIRECT, 'http://127.0.0.1/loopback'], loopbackAnyPort: true },
  device: true,
  ...extra,
})
/** The routes mounted twice: plain at /auth, and at /full with revocation and RP-initiated logout. */
const FULL: Options = { logout: { revoke: true, endSession: true } }

/** Set-Cookie lines into a jar and an attribute log. */
function cookieKeeper() {
  const jar = new Map<string, string>()
  const written = new Map<string, Record<string, string | true>>()
  const keep = (lines: string[]) => {
    for (const line of lines) {
      const [pair = '', ...attrs] = line.split(';').map((s) => s.trim())
      const name = pair.slice(0, pair.indexOf('='))
      const value = decodeURIComponent(pair.slice(pair.indexOf('=') + 1))
      const map: Record<string, string | true> = {}
      for (const attr of attrs) {
        const [key = '', v] = attr.split('=')
        map[key.toLowerCase()] = v ?? true
      }
      written.set(name, map)
      if (map['max-age'] === '0') jar.delete(name)
      else jar.set(name, value)
    }
  }
  const header = () => [...jar].map(([n, v]) => `${n}=${encodeURIComponent(v)}`).join('; ')
  return { jar, written, keep, header }
}

function expressHarness(): Harness {
  const { jar, written, keep, header } = cookieKeeper()
  return {
    base: expressBase,
    jar,
    attributes: (name) => written.get(name),
    async send(path, init = {}) {
      const headers: Record<string, string> = { cookie: header(), ...init.headers }
      const res = await fetch(`${expressBase}${path}`, {
        method: init.method ?? 'GET',
        redirect: 'manual',
        headers,
        body: init.body,
      })
      keep(res.headers.getSetCookie())
      return res
    },
  }
}

function nextHarness(): Harness {
  const { jar, written, keep, header } = cookieKeeper()
  const plain = oauthHandlers(registry(), { ...options(), cookies: (r) => cookiesOf.get(r)! })
  const full = oauthHandlers(registry(), { ...options(FULL), cookies: (r) => cookiesOf.get(r)! })
  const cookiesOf = new WeakMap<
    Request,
    ReturnType<typeof adapters.MutableRequestCookiesAdapter.wrap>
  >()
  return {
    base: HTTPS,
    jar,
    attributes: (name) => written.get(name),
    async send(path, init = {}) {
      const url = new URL(path, HTTPS)
      const headers = new Headers({ host: url.host, cookie: header(), ...init.headers })
      const request = new nextServer.NextRequest(url, {
        method: init.method ?? 'GET',
        headers,
        body: init.body,
      })
      const mutable = adapters.MutableRequestCookiesAdapter.wrap(
        new nextCookies.RequestCookies(request.headers),
      )
      cookiesOf.set(request, mutable)
      const [mount = '', name = '', action = ''] = url.pathname.split('/').slice(1)
      const handlers = mount === 'full' ? full : plain
      const handler = request.method === 'POST' ? handlers.POST : handlers.GET
      const response = await handler(request, { params: Promise.resolve({ name, action }) })
      const out = new Headers(response.headers)
      adapters.appendMutableCookies(out, mutable)
      keep(out.getSetCookie())
      return new Response(response.body, { status: response.status, headers: out })
    },
  }
}

function svelteKitHarness(): Harness {
  const jar = new Map<string, string>()
  const written = new Map<string, Record<string, string | true>>()
  const write = (name: string, options: Record<string, unknown>) => {
    const map: Record<string, string | true> = {}
    for (const [k, v] of Object.entries(options))
      if (v !== false && v !== undefined) map[k.toLowerCase()] = v === true ? true : String(v)
    written.set(name, map)
  }
  const cookies = {
    get: (name: string) => jar.get(name),
    getAll: () => [...jar].map(([name, value]) => ({ name, value })),
    set: (name: string, value: string, opts: Record<string, unknown>) => {
      if (!opts?.path) throw new Error('SvelteKit requires a path')
      write(name, { ...opts, maxAge: opts.maxAge })
      jar.set(name, value)
    },
    delete: (name: string, opts: Record<string, unknown>) => {
      if (!opts?.path) throw new Error('SvelteKit requires a path')
      write(name, { ...opts, maxAge: 0 })
      jar.delete(name)
    },
  } as unknown as Cookies
  const oauth = registry()
  const handle = oauthHandle(oauth)
  const endpoints = (extra: Options): Record<string, Record<string, RequestHandler>> => {
    // The same options; SvelteKit's callbacks are typed for App.Locals' registry.
    const o = options(extra) as unknown as EndpointOptions
    return {
      login: { GET: oauthLogin(o) },
      callback: { GET: oauthCallback(o), POST: oauthCallback(o) },
      logout: { POST: oauthLogout(o) },
      userinfo: { GET: oauthUserinfo(o) },
      token: { POST: oauthToken({ ...o, token: options().token! }) },
      device: { POST: oauthDevice(o) },
    }
  }
  const mounts = { auth: endpoints({}), full: endpoints(FULL) }
  return {
    base: HTTPS,
    jar,
    attributes: (name) => {
      const map = written.get(name)
      return map && { ...map, 'max-age': String(map.maxage), samesite: String(map.samesite) }
    },
    async send(path, init = {}) {
      const url = new URL(path, HTTPS)
      const [mount = '', name = '', action = ''] = url.pathname.split('/').slice(1)
      const method = init.method ?? 'GET'
      const endpoint = mounts[mount as keyof typeof mounts]?.[action]?.[method]
      if (!endpoint) return new Response('Not found', { status: 404 }) // SvelteKit's own 404/405
      const request = new Request(url, { method, headers: init.headers, body: init.body })
      const event = {
        request,
        url,
        cookies,
        locals: {},
        params: { name },
        route: { id: `/${mount}/[name]/${action}` },
      } as unknown as RequestEvent
      return handle({ event, resolve: (e) => endpoint(e) })
    },
  }
}

beforeAll(async () => {
  expressServer = createServer()
  await new Promise<void>((resolve) => expressServer.listen(0, '127.0.0.1', resolve))
  expressBase = `http://127.0.0.1:${(expressServer.address() as AddressInfo).port}`
  const bases = [expressBase, HTTPS]
  provider = await startTestProvider({
    clients: [
      {
        ...CLIENT,
        redirect_uris: [
          ...bases.flatMap((b) => [`${b}/auth/dev/callback`, `${b}/full/dev/callback`]),
          CLI_REDIRECT,
          'http://127.0.0.1:47001/loopback',
        ],
        post_logout_redirect_uris: bases.map((b) => `${b}/`),
        grant_types: [
          'authorization_code',
          'refresh_token',
          'urn:ietf:params:oauth:grant-type:device_code',
        ],
        response_types: ['code'],
      },
    ],
  })
  const oauth = registry()
  const app = express()
  app.use('/auth', oauthRoutes(oauth, options()))
  app.use('/full', oauthRoutes(oauth, options(FULL)))
  app.use((_req, res) => void res.status(404).send('Not found'))
  expressServer.on('request', app)
})

afterAll(async () => {
  expressServer?.closeAllConnections()
  await new Promise((resolve) => (expressServer ? expressServer.close(resolve) : resolve(null)))
  await provider?.close()
})

/** A native client's authorization request at the provider: the code it gets back, its verifier and nonce. */
async function nativeCode(redirectUri = CLI_REDIRECT) {
  const verifier = oauth4.generateRandomCodeVerifier()
  const nonce = oauth4.generateRandomNonce()
  const url = new URL(`${provider.issuer}/auth`)
  const params = {
    client_id: CLIENT.client_id,
    response_type: 'code',
    redirect_uri: redirectUri,
    scope: 'openid email',
    state: oauth4.generateRandomState(),
    nonce,
    code_challenge: await oauth4.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
  }
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v)
  const back = await provider.authorize(url.href)
  const code = back.url.searchParams.get('code')
  expect(code).toBeTruthy()
  return { code: code!, verifier, nonce }
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields)
const post = (body: URLSearchParams, headers: Record<string, string> = {}) => ({
  method: 'POST',
  body,
  headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
})

describe.each([
  { framework: 'Express', harness: expressHarness, cookie: 'oauthkit.session', secure: false },
  { framework: 'Next.js', harness: nextHarness, cookie: '__Host-oauthkit.session', secure: true },
  {
    framework: 'SvelteKit',
    harness: svelteKitHarness,
    cookie: '__Host-oauthkit.session',
    secure: true,
  },
])('$framework', ({ harness, cookie, secure }) => {
  /** Sign alice in through `mount`'s login and callback. */
  async function signIn(h: Harness, mount = 'auth') {
    const login = await h.send(`/${mount}/dev/login?returnTo=/profile`)
    expect(login.status).toBe(302)
    const back = await provider.authorize(login.headers.get('location')!)
    const callback = await h.send(back.url.pathname + back.url.search)
    expect(callback.status).toBe(303)
    expect(callback.headers.get('location')).toBe('/profile')
    return callback
  }
  const sameOrigin = (h: Harness) => ({ origin: new URL(h.base).origin })

  it('signs the user in: a sealed session cookie, the token stored under the user id, onSuccess gets { token, profile, session }', async () => {
    const h = harness()
    signIns.length = 0
    await signIn(h)
    expect(h.jar.get(cookie)).toMatch(/^Fe26\.2\*/) // iron-sealed, no plain user id
    const attrs = h.attributes(cookie)!
    expect(attrs.httponly).toBe(true)
    expect(attrs.samesite?.toString().toLowerCase()).toBe('lax')
    expect(attrs.path).toBe('/')
    expect(Boolean(attrs.secure)).toBe(secure)
    expect(attrs.domain).toBeUndefined()
    const result = signIns.at(-1)!
    expect(result.userId).toBe('dev:alice')
    expect(result.profile?.email).toBe('alice@example.test')
    expect(await result.session.get()).toMatchObject({ userId: 'dev:alice', app: 'dev' })
    expect((result.token as OAuth2Token).access_token).toBeTruthy()
    // The token is in the store, sealed, under the user's id (the session holds no token).
    expect(await store.get('dev:alice', 'dev')).toMatch(/^Fe26\.2\*/)
    expect(h.jar.get(cookie)!.length).toBeLessThan(1000)
  })

  it('userinfo: the signed-in user’s claims as JSON, 401 login_required when nobody is signed in', async () => {
    const h = harness()
    const anonymous = await h.send('/auth/dev/userinfo')
    expect(anonymous.status).toBe(401)
    expect(await anonymous.json()).toMatchObject({ error: 'login_required' })
    await signIn(h)
    const res = await h.send('/auth/dev/userinfo')
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(await res.json()).toMatchObject({ sub: 'alice', email: 'alice@example.test' })
    // A tampered session cookie reads as signed out.
    h.jar.set(cookie, h.jar.get(cookie)!.replace(/\*[^*]+$/, '*AAAA'))
    expect((await h.send('/auth/dev/userinfo')).status).toBe(401)
  })

  it('logout refuses a cross-site POST (403 cross_site_request) and one with neither Origin nor Sec-Fetch-Site; the user stays signed in', async () => {
    const h = harness()
    await signIn(h)
    const crossSite = await h.send(
      '/auth/dev/logout',
      post(form({}), { origin: 'https://evil.example' }),
    )
    expect(crossSite.status).toBe(403)
    expect(await crossSite.text()).toContain('cross_site_request')
    const crossSiteFetch = await h.send(
      '/auth/dev/logout',
      post(form({}), { 'sec-fetch-site': 'cross-site' }),
    )
    expect(crossSiteFetch.status).toBe(403)
    const neither = await h.send('/auth/dev/logout', post(form({})))
    expect(neither.status).toBe(403)
    expect((await h.send('/auth/dev/userinfo')).status).toBe(200)
    // GET is not a sign-out (an <img> could trigger it).
    expect((await h.send('/auth/dev/logout')).status).toBe(404)
    expect((await h.send('/auth/dev/userinfo')).status).toBe(200)
  })

  it('logout (local): same-origin POST clears the session, keeps the stored token, 303 to /', async () => {
    const h = harness()
    await signIn(h)
    const res = await h.send('/auth/dev/logout', post(form({}), sameOrigin(h)))
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/')
    expect(h.jar.has(cookie)).toBe(false)
    expect((await h.send('/auth/dev/userinfo')).status).toBe(401)
    expect(await store.get('dev:alice', 'dev')).toBeDefined()
    // Sec-Fetch-Site: same-origin is enough without Origin.
    await signIn(h)
    const fetchMeta = await h.send(
      '/auth/dev/logout',
      post(form({}), { 'sec-fetch-site': 'same-origin' }),
    )
    expect(fetchMeta.status).toBe(303)
    expect(h.jar.has(cookie)).toBe(false)
  })

  it('logout with revoke and endSession: token revoked and deleted, 303 to the provider’s end_session_endpoint with id_token_hint', async () => {
    const h = harness()
    await signIn(h, 'full')
    const sealed = await store.get('dev:alice', 'dev')
    const token = (await registry().tokens!.get('dev:alice', 'dev')) as OAuth2Token
    expect(sealed).toBeDefined()
    const res = await h.send('/full/dev/logout', post(form({}), sameOrigin(h)))
    expect(res.status).toBe(303)
    const location = new URL(res.headers.get('location')!)
    expect(location.origin + location.pathname).toBe(
      (await registry().create('dev').loadServerMetadata()).end_session_endpoint,
    )
    expect(location.searchParams.get('id_token_hint')).toBe(token.id_token)
    expect(location.searchParams.get('post_logout_redirect_uri')).toBe(`${h.base}/`)
    expect(h.jar.has(cookie)).toBe(false)
    expect(await store.get('dev:alice', 'dev')).toBeUndefined()
    // Revoked at the provider: its refresh token no longer works.
    await expect(registry().create('dev').refreshToken(token)).rejects.toMatchObject({
      code: 'reauthentication_required',
    })
  })

  it('token: exchanges a native client’s code with its PKCE verifier, then its refresh token; JSON, no-store', async () => {
    const h = harness()
    const { code, verifier, nonce } = await nativeCode()
    const res = await h.send(
      '/auth/dev/token',
      post(
        form({
          grant_type: 'authorization_code',
          code,
          redirect_uri: CLI_REDIRECT,
          code_verifier: verifier,
          nonce,
        }),
      ),
    )
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(res.headers.get('pragma')).toBe('no-cache')
    const token = await res.json()
    expect(Object.keys(token).sort()).toEqual(
      ['access_token', 'expires_in', 'id_token', 'refresh_token', 'scope', 'token_type'].sort(),
    )
    // No session, nothing stored: the token is the client's.
    expect(h.jar.size).toBe(0)
    const refreshed = await h.send(
      '/auth/dev/token',
      post(form({ grant_type: 'refresh_token', refresh_token: token.refresh_token })),
    )
    expect(refreshed.status).toBe(200)
    const next = await refreshed.json()
    expect(next.access_token).toBeTruthy()
    expect(next.access_token).not.toBe(token.access_token)
    // The old refresh token was rotated: its replay reaches the provider, which refuses it (invalid_grant).
    const replay = await h.send(
      '/auth/dev/token',
      post(form({ grant_type: 'refresh_token', refresh_token: token.refresh_token })),
    )
    expect(replay.status).toBe(400)
    expect(await replay.json()).toMatchObject({ error: 'invalid_grant' })
    const unknown = await h.send(
      '/auth/dev/token',
      post(form({ grant_type: 'refresh_token', refresh_token: 'not-a-refresh-token' })),
    )
    expect(unknown.status).toBe(400)
    expect(await unknown.json()).toMatchObject({ error: 'invalid_grant' })
  })

  it('token: refuses a redirect_uri outside the allow-list before asking the provider, and a missing verifier', async () => {
    const h = harness()
    const { code, verifier, nonce } = await nativeCode()
    const elsewhere = await h.send(
      '/auth/dev/token',
      post(
        form({
          code,
          redirect_uri: `${h.base}/auth/dev/callback`,
          code_verifier: verifier,
          nonce,
        }),
      ),
    )
    expect(elsewhere.status).toBe(400)
    expect(await elsewhere.json()).toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringContaining('redirect_uri'),
    })
    const noVerifier = await h.send(
      '/auth/dev/token',
      post(form({ code, redirect_uri: CLI_REDIRECT, nonce })),
    )
    expect(noVerifier.status).toBe(400)
    expect(await noVerifier.json()).toMatchObject({
      error: 'invalid_request',
      error_description: expect.stringContaining('code_verifier'),
    })
    // Neither reached the provider: the code still works, once.
    const ok = await h.send(
      '/auth/dev/token',
      post(form({ code, redirect_uri: CLI_REDIRECT, code_verifier: verifier, nonce })),
    )
    expect(ok.status).toBe(200)
    // A wrong verifier is the provider's refusal, passed on.
    const other = await nativeCode()
    const wrong = await h.send(
      '/auth/dev/token',
      post(
        form({
          code: other.code,
          redirect_uri: CLI_REDIRECT,
          code_verifier: verifier,
          nonce: other.nonce,
        }),
      ),
    )
    expect(wrong.status).toBe(400)
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant' })
    // Not a form: invalid_request.
    const json = await h.send('/auth/dev/token', {
      method: 'POST',
      body: new URLSearchParams({ code }),
      headers: { 'content-type': 'application/json' },
    })
    expect(json.status).toBe(400)
  })

  it('token: a listed loopback IP redirect URI matches on any port (RFC 8252 §7.3) when loopbackAnyPort is set', async () => {
    const h = harness()
    const { code, verifier, nonce } = await nativeCode('http://127.0.0.1:47001/loopback')
    const res = await h.send(
      '/auth/dev/token',
      post(
        form({
          code,
          redirect_uri: 'http://127.0.0.1:47001/loopback',
          code_verifier: verifier,
          nonce,
        }),
      ),
    )
    expect(res.status).toBe(200)
  })

  it('device: starts the flow, answers authorization_pending until approved, then the token', async () => {
    const h = harness()
    const started = await h.send('/auth/dev/device', post(form({})))
    expect(started.status).toBe(200)
    const device = await started.json()
    expect(device).toMatchObject({
      device_code: expect.any(String),
      user_code: expect.any(String),
      verification_uri: expect.stringContaining(provider.issuer),
      interval: expect.any(Number),
      expires_in: expect.any(Number),
    })
    const pending = await h.send(
      '/auth/dev/device',
      post(form({ device_code: device.device_code })),
    )
    expect(pending.status).toBe(400)
    expect(await pending.json()).toMatchObject({ error: 'authorization_pending' })

    const second = await (await h.send('/auth/dev/device', post(form({})))).json()
    await provider.approveDevice(second.user_code)
    const done = await h.send('/auth/dev/device', post(form({ device_code: second.device_code })))
    expect(done.status).toBe(200)
    expect(await done.json()).toMatchObject({
      access_token: expect.any(String),
      id_token: expect.any(String),
    })
    const unknown = await h.send('/auth/dev/device', post(form({ device_code: 'no-such-code' })))
    expect(unknown.status).toBe(400)
    expect(await unknown.json()).toMatchObject({ error: 'invalid_grant' })
  })
})

describe('routes that are off unless configured', () => {
  it('token and device answer 404 without their options (Next.js handlers)', async () => {
    const handlers = oauthHandlers(registry(), {
      cookies: () => ({ get: () => undefined, getAll: () => [], set: () => undefined }),
    })
    for (const action of ['token', 'device']) {
      const request = new Request(`${HTTPS}/auth/dev/${action}`, post(form({})))
      const res = await handlers.POST(request, {
        params: Promise.resolve({ name: 'dev', action }),
      })
      expect(res.status).toBe(404)
    }
  })
})

describe('the deprecated way to name the user', () => {
  it('an updateToken that sets ctx.userId still decides the session’s user (Next.js handlers)', async () => {
    const saved: Array<{ userId: unknown; reason: string }> = []
    const oauth = new OAuth({
      secret: SECRET,
      updateToken: (_name, _token, { ctx, reason }) => {
        saved.push({ userId: ctx?.userId, reason })
        if (ctx) ctx.userId = 7 // the old shape: the app's own id, told to onSuccess through the context
      },
    }).register('dev', {
      serverMetadataUrl: provider.discoveryUrl,
      clientId: CLIENT.client_id,
      clientSecret: CLIENT.client_secret,
      scope: 'openid email profile',
    })
    const seen: unknown[] = []
    const jar = new Map<string, string>()
    const cookies = {
      get: (name: string) => (jar.has(name) ? { value: jar.get(name)! } : undefined),
      getAll: () => [...jar].map(([name, value]) => ({ name, value })),
      set: (name: string, value: string) => void (value ? jar.set(name, value) : jar.delete(name)),
    }
    const handlers = oauthHandlers(oauth, {
      cookies: () => cookies,
      onSuccess: ({ userId, oauth: bound }) => void seen.push(userId, bound.ctx.userId),
    })
    const call = (path: string) => {
      const url = new URL(path, HTTPS)
      const [, , name = '', action = ''] = url.pathname.split('/')
      return handlers.GET(new Request(url), { params: Promise.resolve({ name, action }) })
    }
    const login = await call('/auth/dev/login')
    const back = await provider.authorize(login.headers.get('location')!)
    expect((await call(back.url.pathname + back.url.search)).status).toBe(303)
    expect(saved).toEqual([{ userId: 'dev:alice', reason: 'login' }])
    expect(seen).toEqual([7, 7])
    expect(await oauth.session(nextCookieStore(cookies), HTTPS).userId()).toBe(7)
  })
})
