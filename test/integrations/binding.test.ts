/**
 * The `binding` option, the same name in the three integrations: a login is bound to the app's
 * session value and its callback is refused in another session. Express defaults to `req.sessionID`
 * when express-session is in use. Logins run at the dev provider.
 */
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { RequestEvent, RequestHandler } from '@sveltejs/kit'
import express from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MemoryCookieJar, OAuth, isOAuthKitError, type OAuth2Token } from '../../src/index.js'
import { startDevProvider, type DevProvider } from '../../testing/index.js'
import { oauthRoutes } from '../../integrations/express/index.js'
import { oauthHandlers, type NextCookies } from '../../integrations/next/index.js'
import { oauthCallback, oauthHandle, oauthLogin } from '../../integrations/sveltekit/index.js'

const APP = 'https://app.example'
const SECRET = 'a-test-secret-that-is-at-least-32-characters'
const client = {
  client_id: 'binding-app',
  client_secret: 'binding-app-secret-0123456789-0123456789',
}

let provider: DevProvider
let server: Server
let base: string
const updates: OAuth2Token[] = []
/** The stand-in express-session's store: sid → data. */
const sessions = new Map<string, Record<string, unknown>>()

function registry() {
  return new OAuth({
    secret: SECRET,
    updateToken: (_n, token: OAuth2Token) => void updates.push(token),
  }).register('corp', {
    serverMetadataUrl: provider.discoveryUrl,
    clientId: client.client_id,
    clientSecret: client.client_secret,
    scope: 'openid email',
  })
}

beforeAll(async () => {
  server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  provider = await startDevProvider({
    clients: [
      {
        ...client,
        redirect_uris: [
          `${base}/auth/corp/callback`,
          `${base}/custom/corp/callback`,
          `${APP}/auth/corp/callback`,
        ],
      },
    ],
  })
  const oauth = registry()
  const app = express()
  // Like express-session with saveUninitialized: false: every request gets a session id, but a new
  // session is stored (and its id kept) only if the request modified it.
  app.use((req, res, next) => {
    const sid = /(?:^|; )sid=([\w-]+)/.exec(req.headers.cookie ?? '')?.[1]
    const known = sid !== undefined && sessions.has(sid)
    const id = known ? sid : crypto.randomUUID()
    const data = known ? sessions.get(id)! : {}
    Object.assign(req, { sessionID: id, session: data })
    res.on('finish', () => void (Object.keys(data).length > 0 && sessions.set(id, data)))
    res.cookie('sid', id)
    next()
  })
  app.get(
    '/sign-in-locally',
    (req, res) =>
      void (
        ((req as unknown as { session: Record<string, unknown> }).session.user = 'victim'),
        res.end()
      ),
  )
  app.use(
    '/auth',
    oauthRoutes(oauth, {
      onError: (err, { res }) =>
        void res.status(400).json({ code: isOAuthKitError(err) ? err.code : String(err) }),
    }),
  )
  app.use(
    '/custom',
    oauthRoutes(oauth, {
      binding: (req) => req.get('x-session'),
      onError: (err, { res }) =>
        void res.status(400).json({ code: isOAuthKitError(err) ? err.code : String(err) }),
    }),
  )
  server.on('request', app)
})

afterAll(async () => {
  server?.closeAllConnections()
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
  await provider?.close()
})

/** A browser's cookies for the app: `name=value` pairs, updated from responses. */
class Jar {
  readonly values = new Map<string, string>()
  header(): string {
    return [...this.values].map(([n, v]) => `${n}=${v}`).join('; ')
  }
  take(res: Response): Response {
    for (const line of res.headers.getSetCookie()) {
      const pair = line.split(';')[0]!
      const name = pair.slice(0, pair.indexOf('='))
      if (/max-age=0/i.test(line)) this.values.delete(name)
      else this.values.set(name, pair.slice(name.length + 1))
    }
    return res
  }
  async get(url: string | URL, headers: Record<string, string> = {}): Promise<Response> {
    return this.take(
      await fetch(url, { redirect: 'manual', headers: { cookie: this.header(), ...headers } }),
    )
  }
}

describe('Express', () => {
  it('binds to req.sessionID by default, and keeps a new session until the callback', async () => {
    const browser = new Jar()
    const login = await browser.get(`${base}/auth/corp/login?returnTo=/home`)
    expect(login.status).toBe(302)
    const sid = browser.values.get('sid')!
    expect(
      sessions.get(sid),
      'the session was marked, so it survives saveUninitialized: false',
    ).toEqual({ oauthkitBound: true })
    const { url } = await provider.authorize(login.headers.get('location')!)
    const before = updates.length
    const callback = await browser.get(url)
    expect(callback.status).toBe(303)
    expect(callback.headers.get('location')).toBe('/home')
    expect(updates.length).toBe(before + 1)
  })

  it("refuses a callback whose transaction was started in another session (the attacker's, planted)", async () => {
    const attacker = new Jar()
    const login = await attacker.get(`${base}/auth/corp/login`)
    const { url } = await provider.authorize(login.headers.get('location')!)
    const [txName, txValue] = [...attacker.values].find(([name]) =>
      name.startsWith('oauthkit.tx.'),
    )!

    const victim = new Jar()
    await victim.get(`${base}/sign-in-locally`)
    victim.values.set(txName, txValue) // tossed: http loopback names carry no __Host- prefix
    const before = updates.length
    const callback = await victim.get(url)
    expect(callback.status).toBe(400)
    expect(await callback.json()).toEqual({ code: 'transaction_invalid' })
    expect(updates.length).toBe(before)
    expect(victim.values.has(txName), 'the transaction is consumed').toBe(false)
  })

  it('uses the binding option instead when given', async () => {
    const browser = new Jar()
    const login = await browser.get(`${base}/custom/corp/login`, { 'x-session': 'one' })
    const { url } = await provider.authorize(login.headers.get('location')!)
    expect(await (await browser.get(url, { 'x-session': 'two' })).json()).toEqual({
      code: 'transaction_invalid',
    })
    const again = await browser.get(`${base}/custom/corp/login`, { 'x-session': 'one' })
    const { url: url2 } = await provider.authorize(again.headers.get('location')!)
    expect((await browser.get(url2, { 'x-session': 'one' })).status).toBe(303)
  })
})

/** Next's cookies over a jar (what `cookies()` gives a Route Handler, minus the response plumbing). */
function nextCookies(jar: MemoryCookieJar): NextCookies {
  return {
    get: (name) => (jar.get(name) === undefined ? undefined : { value: jar.get(name)! }),
    getAll: () => jar.getAll(),
    set: (name, value, options) => jar.set(name, value, options ?? {}),
  }
}

describe('Next.js', () => {
  it('binds each login to binding(request), and refuses its callback in another session', async () => {
    const jar = new MemoryCookieJar()
    const { GET } = oauthHandlers(registry(), {
      baseUrl: APP,
      errorPath: '/auth/error',
      cookies: () => nextCookies(jar),
      binding: (request) => request.headers.get('x-session') ?? undefined,
    })
    const route = (action: string) => ({ params: Promise.resolve({ name: 'corp', action }) })
    const startLogin = async () => {
      const login = await GET(
        new Request(`${APP}/auth/corp/login`, { headers: { 'x-session': 'one' } }),
        route('login'),
      )
      expect(jar.getAll().map((c) => c.name)).toContainEqual(
        expect.stringMatching(/^__Host-oauthkit\.tx\./),
      )
      return (await provider.authorize(login.headers.get('location')!)).url
    }
    const refused = await GET(
      new Request(await startLogin(), { headers: { 'x-session': 'two' } }),
      route('callback'),
    )
    expect(refused.headers.get('location')).toBe('/auth/error?code=transaction_invalid')
    const done = await GET(
      new Request(await startLogin(), { headers: { 'x-session': 'one' } }),
      route('callback'),
    )
    expect(done.headers.get('location')).toBe('/')
  })
})

describe('SvelteKit', () => {
  it('binds each login to binding(event), and refuses its callback in another session', async () => {
    const handle = oauthHandle(registry(), {
      binding: (event) => event.request.headers.get('x-session') ?? undefined,
    })
    const jar = new Map<string, string>()
    const cookies = {
      get: (n: string) => jar.get(n),
      getAll: () => [...jar].map(([name, value]) => ({ name, value })),
      set: (n: string, v: string) => void jar.set(n, v),
      delete: (n: string) => void jar.delete(n),
    }
    const send = async (endpoint: RequestHandler, url: string | URL, session: string) => {
      const event = {
        request: new Request(url, { headers: { 'x-session': session } }),
        url: new URL(url),
        cookies,
        locals: {},
        params: { name: 'corp' },
      } as unknown as RequestEvent
      return handle({ event, resolve: (e) => endpoint(e) })
    }
    const startLogin = async () =>
      (
        await provider.authorize(
          (await send(oauthLogin(), `${APP}/auth/corp/login`, 'one')).headers.get('location')!,
        )
      ).url
    const refused = await send(oauthCallback(), await startLogin(), 'two')
    expect(await refused.text()).toBe('Sign-in failed: transaction_invalid')
    const done = await send(oauthCallback(), await startLogin(), 'one')
    expect(done.status).toBe(303)
  })
})
