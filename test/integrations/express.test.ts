/**
 * oauthkit/express on real HTTP: Express 5 (`express`) and Express 4 (`express4`) apps on 127.0.0.1
 * free ports, driven with fetch, logging in at the real dev provider (`provider.authorize` plays the
 * browser at the provider). Every test runs for both versions.
 */
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express5 from 'express'
import express4 from 'express4'
import type { ClientMetadata } from 'oidc-provider'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { OAuth, isOAuthKitError, type OAuth2Token, type UpdateToken } from '../../src/index.js'
import {
  callbackUrl,
  oauthkit,
  oauthRoutes,
  sendResponse,
  type OAuthRoutesOptions,
} from '../../integrations/express/index.js'
import { startTestProvider, type TestProvider } from '../support/oidc-provider.js'

const CLIENT = {
  client_id: 'express-test',
  client_secret: 'express-test-secret-0123456789-0123456789',
}
const FORM_POST_CLIENT = {
  client_id: 'express-fp',
  client_secret: 'express-fp-secret-0123456789-0123456789',
}
const root = new URL('../../', import.meta.url)

async function listen(): Promise<{ server: Server; base: string }> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }
}

async function close(server: Server | undefined): Promise<void> {
  server?.closeAllConnections()
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)))
}

/** `name=value` pairs of a response's live Set-Cookie headers, as a Cookie header. */
function cookiesOf(res: Response, previous = ''): string {
  const jar = new Map(
    previous
      .split('; ')
      .filter(Boolean)
      .map((pair) => [pair.slice(0, pair.indexOf('=')), pair] as const),
  )
  for (const line of res.headers.getSetCookie()) {
    const pair = line.split(';')[0]!
    const name = pair.slice(0, pair.indexOf('='))
    if (/max-age=0/i.test(line)) jar.delete(name)
    else jar.set(name, pair)
  }
  return [...jar.values()].join('; ')
}

const errorHandler = (
  err: unknown,
  _req: express5.Request,
  res: express5.Response,
  _next: express5.NextFunction,
) => {
  res
    .status(400)
    .json({ handledBy: 'error handler', code: isOAuthKitError(err) ? err.code : String(err) })
}

const versions = [
  { label: 'Express 5', express: express5 },
  // Same runtime calls; Express 4's own types are checked in 'fits Express 4 types' below.
  { label: 'Express 4', express: express4 as unknown as typeof express5 },
]

describe.each(versions)('$label', ({ express }) => {
  let provider: TestProvider
  let server: Server
  let base: string
  const onSuccess =
    vi.fn<
      (result: {
        token: OAuth2Token
        name: string
        returnTo?: string
        req: express5.Request
        res: express5.Response
      }) => void
    >()
  const onError = vi.fn<NonNullable<OAuthRoutesOptions['onError']>>()
  const updateToken = vi.fn<UpdateToken>()

  beforeAll(async () => {
    ;({ server, base } = await listen())
    const paths = [
      '/auth/oidc',
      '/auth2/oidc',
      '/fp-raw/fp',
      '/fp-simple/fp',
      '/fp-qs/fp',
      '/custom',
    ]
    const common: Omit<ClientMetadata, 'client_id'> = {
      redirect_uris: paths.map((p) => `${base}${p}/callback`),
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    }
    provider = await startTestProvider({
      clients: [
        { ...CLIENT, ...common },
        { ...FORM_POST_CLIENT, ...common },
      ],
    })
    const oauth = new OAuth({ updateToken })
      .register('oidc', {
        serverMetadataUrl: provider.discoveryUrl,
        clientId: CLIENT.client_id,
        clientSecret: CLIENT.client_secret,
        scope: 'openid email',
      })
      .register('fp', {
        serverMetadataUrl: provider.discoveryUrl,
        clientId: FORM_POST_CLIENT.client_id,
        clientSecret: FORM_POST_CLIENT.client_secret,
        scope: 'openid email',
        responseMode: 'form_post',
      })

    const app = express()
    app.use((_req, res, next) => void (res.cookie('app', 'set-before'), next()))
    app.use(oauthkit(oauth, { context: (req) => ({ userId: req.get('x-user-id') }) }))
    app.use('/auth', oauthRoutes(oauth, { onSuccess }))
    app.use('/auth2', oauthRoutes(oauth, { onSuccess, onError, defaultReturnTo: '/home' }))
    app.use('/fp-raw', oauthRoutes(oauth, { onSuccess }))
    app.use(
      '/fp-simple',
      express.urlencoded({ extended: false }),
      oauthRoutes(oauth, { onSuccess }),
    )
    app.use('/fp-qs', express.urlencoded({ extended: true }), oauthRoutes(oauth, { onSuccess }))
    // Routes of the app's own, with req.oauth.
    app.get('/custom/login', async (req, res) => {
      await sendResponse(
        res,
        await req.oauth
          .create('oidc')
          .authorizeRedirect(`${base}/custom/callback`, { returnTo: '/custom/done' }),
      )
    })
    app.get('/custom/callback', async (req, res) => {
      const { token, returnTo } = await req.oauth.create('oidc').completeAuthorization()
      // The example's Register declares apps of every kind: this one is OAuth 2.
      res.json({ email: (token as OAuth2Token).userinfo?.email, returnTo })
    })
    app.post('/echo/untouched', async (req, res) => {
      void req.oauth.create('oidc') // the bound registry alone does not read the body
      let body = ''
      for await (const chunk of req) body += String(chunk)
      res.send(body)
    })
    app.post(
      '/echo/request',
      async (req, res) => void res.send(await req.oauth.ctx.request!.text()),
    )
    app.get('/stream', async (_req, res) => {
      let step = 0
      const body = new ReadableStream<Uint8Array>({
        async pull(controller) {
          if (step++ === 0) return controller.enqueue(new TextEncoder().encode('first;'))
          await gate
          controller.enqueue(new TextEncoder().encode('second'))
          controller.close()
        },
      })
      const headers = new Headers([
        ['x-test', 'yes'],
        ['set-cookie', 'a=1; Path=/'],
        ['set-cookie', 'b=2; Path=/'],
      ])
      await sendResponse(res, new Response(body, { status: 201, headers }))
    })
    app.use(errorHandler)
    server.on('request', app)
  })

  afterAll(async () => {
    await close(server)
    await provider?.close()
  })

  let release!: () => void
  const gate = new Promise<void>((resolve) => (release = resolve))

  /** Start a login at `path`, let the provider log alice in, and return the callback and the jar. */
  async function startLogin(path: string, cookie = '') {
    const login = await fetch(`${base}${path}`, { redirect: 'manual', headers: { cookie } })
    expect(login.status).toBe(302)
    const jar = cookiesOf(login, cookie)
    const location = new URL(login.headers.get('location')!)
    return { login, jar, location, ...(await provider.authorize(location)) }
  }

  it('logs in: login → provider → callback → onSuccess with the token, 303 to the default, no-referrer', async () => {
    onSuccess.mockClear()
    const { location, url, jar } = await startLogin('/auth/oidc/login')
    expect(location.searchParams.get('redirect_uri')).toBe(`${base}/auth/oidc/callback`)
    const callback = await fetch(url, { redirect: 'manual', headers: { cookie: jar } })
    expect(callback.status).toBe(303)
    expect(callback.headers.get('location')).toBe('/')
    expect(callback.headers.get('referrer-policy')).toBe('no-referrer')
    expect(callback.headers.getSetCookie().find((c) => c.startsWith('oauthkit.tx.'))).toMatch(
      /Max-Age=0/,
    )
    expect(onSuccess).toHaveBeenCalledOnce()
    const [{ token, name, returnTo, req, res }] = onSuccess.mock.calls[0]!
    expect(token.access_token).toEqual(expect.any(String))
    expect(token.userinfo?.email).toBe('alice@example.test')
    expect([name, returnTo]).toEqual(['oidc', undefined])
    expect(req).toHaveProperty('oauth')
    expect(res).toHaveProperty('cookie')
    expect(updateToken).toHaveBeenCalledWith('oidc', token, expect.anything())
  })

  it('honours returnTo, and falls back to the default for //evil.example and absolute URLs', async () => {
    const cases = [
      ['/profile?tab=1#top', '/profile?tab=1#top'],
      ['//evil.example', '/home'],
      ['https://evil.example/x', '/home'],
      ['/\\evil.example', '/home'],
    ]
    for (const [returnTo, expected] of cases) {
      const { url, jar } = await startLogin(
        `/auth2/oidc/login?returnTo=${encodeURIComponent(returnTo!)}`,
      )
      const callback = await fetch(url, { redirect: 'manual', headers: { cookie: jar } })
      expect(callback.status, returnTo).toBe(303)
      expect(callback.headers.get('location'), returnTo).toBe(expected)
    }
  })

  it.each([
    ['without a body parser (raw body)', '/fp-raw'],
    ['after express.urlencoded({ extended: false })', '/fp-simple'],
    ['after express.urlencoded({ extended: true })', '/fp-qs'],
  ])('finishes a form_post callback %s', async (_label, prefix) => {
    onSuccess.mockClear()
    const { url, form, jar, location } = await startLogin(`${prefix}/fp/login?returnTo=/after`)
    expect(location.searchParams.get('response_mode')).toBe('form_post')
    expect(jar).toMatch(/oauthkit\.tx\./)
    expect(form?.get('code')).toEqual(expect.any(String))
    const callback = await fetch(url, {
      method: 'POST',
      body: form,
      redirect: 'manual',
      headers: { cookie: jar },
    })
    expect(callback.status).toBe(303)
    expect(callback.headers.get('location')).toBe('/after')
    expect(callback.headers.get('referrer-policy')).toBe('no-referrer')
    expect(onSuccess.mock.calls[0]?.[0].token.userinfo?.email).toBe('alice@example.test')
  })

  it.each([
    ['a repeated parameter kept repeated (raw)', '/fp-raw', 'state=a&state=b&code=c'],
    ['a repeated parameter kept repeated (urlencoded)', '/fp-simple', 'state=a&state=b&code=c'],
    ['a nested value refused, not re-encoded (qs)', '/fp-qs', 'state=a&code[x]=c'],
    ['a body over 64 KiB (raw)', '/fp-raw', `state=a&code=${'c'.repeat(70_000)}`],
  ])('refuses a form_post body with %s', async (_label, prefix, body) => {
    const res = await fetch(`${base}${prefix}/fp/callback`, {
      method: 'POST',
      body: new URLSearchParams(body),
    })
    expect(res.status).toBe(400)
    expect(await res.text()).toBe('Sign-in failed: invalid_authorization_response')
  })

  it('answers a callback without its cookie with the shared default: 400 Sign-in failed: transaction_not_found', async () => {
    const { url } = await startLogin('/auth/oidc/login')
    const res = await fetch(url, { redirect: 'manual' })
    expect(res.status).toBe(400)
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    expect(await res.text()).toBe('Sign-in failed: transaction_not_found')
  })

  it('hands the typed error to onError when given', async () => {
    onError.mockImplementationOnce(
      (err, { res }) =>
        void res.status(401).send(`onError: ${isOAuthKitError(err) ? err.code : 'other'}`),
    )
    const { url } = await startLogin('/auth2/oidc/login')
    const res = await fetch(url, { redirect: 'manual' })
    expect(await res.text()).toBe('onError: transaction_not_found')
    expect(res.status).toBe(401)
    expect(onError).toHaveBeenCalledOnce()
    expect(isOAuthKitError(onError.mock.calls[0]![0], 'transaction_not_found')).toBe(true)
  })

  it('keeps every Set-Cookie: the app’s own, the transaction’s, and onSuccess’s', async () => {
    onSuccess.mockImplementationOnce(({ res }) => void res.cookie('session', 'signed-in'))
    // Two logins in flight in one cookie jar: two transaction cookies, both finish.
    const first = await startLogin('/auth/oidc/login')
    const second = await startLogin('/auth/oidc/login', first.jar)
    const names = (res: Response) =>
      res.headers.getSetCookie().map((c) => c.slice(0, c.indexOf('=')))
    expect(names(second.login)).toEqual(['app', expect.stringMatching(/^oauthkit\.tx\./)])
    expect(second.jar.match(/oauthkit\.tx\./g)).toHaveLength(2)
    const callback = await fetch(first.url, { redirect: 'manual', headers: { cookie: second.jar } })
    expect(callback.status).toBe(303)
    expect(names(callback)).toEqual(
      expect.arrayContaining([
        'app',
        expect.stringMatching(/^oauthkit\.tx\./),
        'oauthkit.session', // the user session (http loopback: no __Host- prefix)
        'session',
      ]),
    )
    expect(names(callback)).toHaveLength(4)
    const other = await fetch(second.url, {
      redirect: 'manual',
      headers: { cookie: cookiesOf(callback, second.jar) },
    })
    expect(other.status).toBe(303)
  })

  it('sendResponse keeps status, headers and every Set-Cookie, and streams the body', async () => {
    // The second chunk waits for the client to have read the first: a buffered body would never arrive.
    const soon = <T>(promise: Promise<T>) =>
      Promise.race([
        promise,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('the body was buffered')), 3000),
        ),
      ])
    const res = await soon(fetch(`${base}/stream`))
    expect(res.status).toBe(201)
    expect(res.headers.get('x-test')).toBe('yes')
    expect(res.headers.getSetCookie().map((c) => c.split(';')[0])).toEqual([
      'app=set-before',
      'a=1',
      'b=2',
    ])
    const reader = res.body!.getReader()
    const first = await soon(reader.read())
    expect(new TextDecoder().decode(first.value)).toBe('first;')
    release()
    let rest = ''
    for (let r = await reader.read(); !r.done; r = await reader.read())
      rest += new TextDecoder().decode(r.value)
    expect(rest).toBe('second')
  })

  it('gives routes req.oauth, with the context option reaching updateToken', async () => {
    updateToken.mockClear()
    const login = await fetch(`${base}/custom/login`, { redirect: 'manual' })
    const { url } = await provider.authorize(login.headers.get('location')!)
    const callback = await fetch(url, {
      headers: { cookie: cookiesOf(login), 'x-user-id': 'u-42' },
    })
    expect(await callback.json()).toEqual({ email: 'alice@example.test', returnTo: '/custom/done' })
    expect(updateToken.mock.calls[0]![2].ctx).toMatchObject({ userId: 'u-42' })
  })

  it('reads the body only when the core asks for the Request', async () => {
    const untouched = await fetch(`${base}/echo/untouched`, { method: 'POST', body: 'a=1&b=2' })
    expect(await untouched.text()).toBe('a=1&b=2')
    const read = await fetch(`${base}/echo/request`, { method: 'POST', body: 'c=3' })
    expect(await read.text()).toBe('c=3')
  })

  it('falls through for unknown apps and other methods', async () => {
    expect((await fetch(`${base}/auth/nope/login`)).status).toBe(404)
    expect((await fetch(`${base}/auth/oidc/login`, { method: 'POST' })).status).toBe(404)
    expect((await fetch(`${base}/auth/oidc/other`)).status).toBe(404)
  })

  it('builds the redirect_uri from the request (trust proxy honoured) or from baseUrl', async () => {
    const oauth = new OAuth().register('oidc', {
      serverMetadataUrl: provider.discoveryUrl,
      clientId: CLIENT.client_id,
      scope: 'openid',
    })
    const app = express()
    app.set('trust proxy', true)
    app.use('/a', oauthRoutes(oauth))
    app.use('/b', oauthRoutes(oauth, { baseUrl: 'https://app.example/ignored' }))
    app.get('/url', (req, res) => void res.send(callbackUrl(req, 'oidc')))
    const other = await listen()
    other.server.on('request', app)
    try {
      const redirectUri = async (path: string, headers: Record<string, string> = {}) => {
        const res = await fetch(`${other.base}${path}`, { redirect: 'manual', headers })
        return new URL(res.headers.get('location')!).searchParams.get('redirect_uri')
      }
      expect(await redirectUri('/a/oidc/login')).toBe(`${other.base}/a/oidc/callback`)
      expect(await redirectUri('/a/oidc/login', { 'x-forwarded-proto': 'https' })).toBe(
        `${other.base.replace('http:', 'https:')}/a/oidc/callback`,
      )
      expect(await redirectUri('/b/oidc/login')).toBe('https://app.example/b/oidc/callback')
      expect(await (await fetch(`${other.base}/url`)).text()).toBe(`${other.base}/oidc/callback`)
    } finally {
      await close(other.server)
    }
  })
})

it('fits Express 4 types: the middleware, the routes and req.oauth type-check and run', async () => {
  const oauth = new OAuth().register('oidc', {
    authorizeUrl: 'https://idp.example/authorize',
    accessTokenUrl: 'https://idp.example/token',
    clientId: 'c',
  })
  const app = express4()
  app.use(oauthkit(oauth))
  app.use(
    '/auth',
    oauthRoutes(oauth, {
      onSuccess: ({ res }) => void res.cookie('x', 'y'),
      onError: (err, { next }) => next(err),
    }),
  )
  app.get(
    '/names',
    (req: express4.Request, res: express4.Response) => void res.json(req.oauth.names()),
  )
  const { server, base } = await listen()
  server.on('request', app)
  try {
    expect(await (await fetch(`${base}/names`)).json()).toEqual(['oidc'])
    const login = await fetch(`${base}/auth/oidc/login`, { redirect: 'manual' })
    expect(login.headers.get('location')).toMatch(/^https:\/\/idp\.example\/authorize\?/)
  } finally {
    await close(server)
  }
})

it('imports only types from express, so the core and the adapter never load it', () => {
  const source = readFileSync(new URL('integrations/express/index.ts', root), 'utf8')
  const fromExpress = [...source.matchAll(/^import (.*) from 'express'/gm)].map((m) => m[1])
  expect(fromExpress.length).toBeGreaterThan(0)
  for (const clause of fromExpress) expect(clause).toMatch(/^type /)
  // The adapter converts only (routes live in src/routes.ts): 220 lines once Prettier (100 columns) wraps
  // them, 2 more than before the user session (binding it to the request's origin) and the six routes.
  // Re-exports of the adapter's own modules (the bearer guard in guard.ts) are not conversion code.
  const code = source.split('\n').filter((line) => !/^export \* from '\.\/[\w-]+\.js'$/.test(line))
  expect(code.length).toBeLessThanOrEqual(221)
})

it("has an examples/express README whose code blocks are verbatim copies of the example's source", () => {
  const readme = readFileSync(new URL('examples/express/README.md', root), 'utf8')
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!)
  expect(blocks.length).toBeGreaterThan(0)
  const sources = ['app.ts', 'db.ts', 'server.ts'].map((f) =>
    readFileSync(new URL(`examples/express/${f}`, root), 'utf8'),
  )
  for (const block of blocks)
    expect(
      sources.some((s) => s.includes(block)),
      block.slice(0, 200),
    ).toBe(true)
})
