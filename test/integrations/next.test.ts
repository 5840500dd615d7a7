/**
 * oauthkit/next's route handlers against the real dev provider, under Next.js 16 (`next`) and 15
 * (`next15`). Each request is a `NextRequest` of that version, and its cookies are what Next.js gives
 * a Route Handler: a `RequestCookies` wrapped by `MutableRequestCookiesAdapter`, whose changes are
 * appended to the handler's response with `appendMutableCookies` (as Next's app-route module does).
 */
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import * as adapters16 from 'next/dist/server/web/spec-extension/adapters/request-cookies.js'
import * as cookies16 from 'next/dist/server/web/spec-extension/cookies.js'
import * as navigation16 from 'next/navigation.js'
import * as server16 from 'next/server.js'
import * as adapters15 from 'next15/dist/server/web/spec-extension/adapters/request-cookies.js'
import * as cookies15 from 'next15/dist/server/web/spec-extension/cookies.js'
import * as navigation15 from 'next15/navigation.js'
import * as server15 from 'next15/server.js'
import { OAuth, isOAuthKitError, type OAuthKitError, type OAuth2Token } from '../../src/index.js'
import {
  bindOAuth,
  oauthHandlers,
  toCookieStore,
  type NextCookies,
  type OAuthHandlersOptions,
  type OAuthRouteHandlers,
} from '../../integrations/next/index.js'
import { startTestProvider, type TestProvider } from '../support/oidc-provider.js'

const BASE = 'http://127.0.0.1:3000'
const CLIENT = { client_id: 'next-test', client_secret: 'next-test-secret-0123456789-0123456789' }
const FORM_POST_CLIENT = {
  client_id: 'next-form-post',
  client_secret: 'next-form-post-secret-0123456789-0123456789',
}

let provider: TestProvider

beforeAll(async () => {
  const common = {
    redirect_uris: [
      `${BASE}/auth/dev/callback`,
      `${BASE}/auth/fp/callback`,
      'https://app.example/auth/dev/callback',
    ],
    grant_types: ['authorization_code', 'refresh_token'],
  }
  provider = await startTestProvider({
    clients: [
      { ...CLIENT, ...common },
      { ...FORM_POST_CLIENT, ...common },
    ],
  })
})

afterAll(async () => {
  await provider?.close()
})

/** The Next.js pieces a Route Handler sees, from one installed version. */
const versions = [
  {
    version: 'Next.js 16',
    adapters: adapters16,
    cookies: cookies16,
    server: server16,
    navigation: navigation16,
  },
  {
    version: 'Next.js 15',
    adapters: adapters15,
    cookies: cookies15,
    server: server15,
    navigation: navigation15,
  },
] as const

describe.each(versions)('$version', ({ adapters, cookies, server, navigation }) => {
  /** Each request's mutable cookies, as Next's request store keeps them. */
  const jars = new WeakMap<Request, ReturnType<typeof adapters.MutableRequestCookiesAdapter.wrap>>()

  /** What Next's app-route module does around a handler: cookies for the request, then appended to the response. */
  async function route(
    handler: OAuthRouteHandlers['GET'],
    url: string,
    init: { cookie?: string; method?: string; body?: URLSearchParams } = {},
  ): Promise<Response> {
    const headers = new Headers({ host: new URL(url).host })
    if (init.cookie) headers.set('cookie', init.cookie)
    if (init.body) headers.set('content-type', 'application/x-www-form-urlencoded')
    const request = new server.NextRequest(url, {
      method: init.method ?? 'GET',
      headers,
      body: init.body,
    })
    const mutable = adapters.MutableRequestCookiesAdapter.wrap(
      new cookies.RequestCookies(request.headers),
    )
    jars.set(request, mutable)
    const [name = '', action = ''] = new URL(url).pathname.split('/').slice(-2)
    const response = await handler(request, { params: Promise.resolve({ name, action }) })
    const out = new Headers(response.headers)
    adapters.appendMutableCookies(out, mutable)
    return new Response(response.body, { status: response.status, headers: out })
  }

  const tokens: OAuth2Token[] = []
  const registry = () =>
    new OAuth({
      secret: 'a-test-secret-of-at-least-32-characters!',
      updateToken: (_name, token: OAuth2Token) => void tokens.push(token),
    })
      .register('dev', {
        serverMetadataUrl: provider.discoveryUrl,
        ...clientOf(CLIENT),
        scope: 'openid email profile',
      })
      .register('fp', {
        serverMetadataUrl: provider.discoveryUrl,
        ...clientOf(FORM_POST_CLIENT),
        scope: 'openid email',
        responseMode: 'form_post',
      })

  type Apps = ReturnType<typeof registry> extends OAuth<infer A> ? A : never

  function handlers(options: OAuthHandlersOptions<Apps> = {}) {
    return oauthHandlers(registry(), { cookies: (request) => jars.get(request)!, ...options })
  }

  /** Start a login, sign in at the provider, and return the callback URL with the browser's cookies. */
  async function signIn(h: ReturnType<typeof handlers>, login = `${BASE}/auth/dev/login`) {
    const started = await route(h.GET, login)
    expect(started.status).toBe(302)
    const result = await provider.authorize(started.headers.get('location')!)
    return { started, callback: result.url.href, form: result.form, cookie: cookieHeader(started) }
  }

  it('starts a login: 302 to the provider, one sealed transaction cookie (HttpOnly, SameSite=Lax, not Secure on http loopback)', async () => {
    const res = await route(handlers().GET, `${BASE}/auth/dev/login`)
    expect(res.status).toBe(302)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const location = new URL(res.headers.get('location')!)
    expect(location.origin).toBe(provider.issuer)
    expect(location.searchParams.get('redirect_uri')).toBe(`${BASE}/auth/dev/callback`)
    expect(location.searchParams.get('code_challenge_method')).toBe('S256')
    const [tx, ...rest] = res.headers.getSetCookie()
    expect(rest).toEqual([])
    expect(tx).toMatch(/^oauthkit\.tx\.[\w-]+=/)
    expect(tx).toMatch(/; HttpOnly/i)
    expect(tx).toMatch(/; SameSite=lax/i)
    expect(tx).toMatch(/; Path=\//)
    expect(tx).not.toMatch(/; Secure/i)
  })

  it('finishes a login: onSuccess gets the token, then 303 to returnTo with Referrer-Policy: no-referrer and the transaction cookie cleared', async () => {
    const onSuccess = vi.fn<NonNullable<OAuthHandlersOptions<Apps>['onSuccess']>>()
    const h = handlers({ onSuccess })
    const { callback, cookie } = await signIn(
      h,
      `${BASE}/auth/dev/login?returnTo=${encodeURIComponent('/profile?tab=1')}`,
    )
    const res = await route(h.GET, callback, { cookie })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/profile?tab=1')
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(onSuccess).toHaveBeenCalledOnce()
    const [result] = onSuccess.mock.calls[0]!
    expect(result.name).toBe('dev')
    expect(result.returnTo).toBe('/profile?tab=1')
    expect((result.token as OAuth2Token).userinfo?.email).toBe('alice@example.test')
    expect(tokens.at(-1)?.access_token).toBe((result.token as OAuth2Token).access_token)
    const cleared = res.headers.getSetCookie().find((c) => c.startsWith(cookie.split('=')[0]!))
    expect(cleared).toMatch(/Max-Age=0|Expires=Thu, 01 Jan 1970/i)
    expect(cleared).toMatch(/SameSite=lax/i)
  })

  it('ignores a returnTo that is not a same-origin path (//evil.example) and uses defaultReturnTo', async () => {
    const h = handlers({ defaultReturnTo: '/home' })
    for (const returnTo of ['//evil.example', 'https://evil.example/x', '/\\evil.example']) {
      const { callback, cookie } = await signIn(
        h,
        `${BASE}/auth/dev/login?returnTo=${encodeURIComponent(returnTo)}`,
      )
      const res = await route(h.GET, callback, { cookie })
      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toBe('/home')
    }
  })

  it('an onSuccess response is used, with Referrer-Policy added even to immutable headers', async () => {
    const h = handlers({ onSuccess: () => Response.redirect(`${BASE}/welcome`, 303) })
    const { callback, cookie } = await signIn(h)
    const res = await route(h.GET, callback, { cookie })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`${BASE}/welcome`)
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
  })

  it('a callback without its transaction cookie goes to onError with transaction_not_found', async () => {
    const onError = vi.fn(
      (error: OAuthKitError, _info: { name: string; action: string }) =>
        new Response(`failed: ${error.code}`, { status: 400 }),
    )
    const h = handlers({ onError })
    const { callback } = await signIn(h)
    const res = await route(h.GET, callback)
    expect(res.status).toBe(400)
    expect(await res.text()).toBe('failed: transaction_not_found')
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
    const [error, info] = onError.mock.calls[0]!
    expect(isOAuthKitError(error, 'transaction_not_found')).toBe(true)
    expect(info).toMatchObject({ name: 'dev', action: 'callback' })
  })

  it('by default an error is a 400 Sign-in failed: <code>, as in every integration; with errorPath a redirect to it (tampered cookie: transaction_invalid)', async () => {
    const plain = handlers()
    const lost = await signIn(plain)
    const text = await route(plain.GET, lost.callback)
    expect([text.status, await text.text(), text.headers.get('referrer-policy')]).toEqual([
      400,
      'Sign-in failed: transaction_not_found',
      'no-referrer',
    ])

    const h = handlers({ errorPath: '/auth/error' })
    const { callback } = await signIn(h)
    const missing = await route(h.GET, callback)
    expect(missing.status).toBe(303)
    expect(missing.headers.get('location')).toBe('/auth/error?code=transaction_not_found')
    expect(missing.headers.get('referrer-policy')).toBe('no-referrer')

    const again = await signIn(h)
    const tampered = again.cookie.replace(
      /=(.*)$/,
      (_, value: string) => `=${value.slice(0, -8)}AAAAAAAA`,
    )
    const res = await route(h.GET, again.callback, { cookie: tampered })
    expect(res.headers.get('location')).toBe('/auth/error?code=transaction_invalid')
    expect(tampered).not.toBe(again.cookie)
  })

  it('a denied authorization is access_denied', async () => {
    const h = handlers({ errorPath: '/oops' })
    const started = await route(h.GET, `${BASE}/auth/dev/login`)
    const { url } = await provider.authorize(started.headers.get('location')!, { deny: true })
    const res = await route(h.GET, url.href, { cookie: cookieHeader(started) })
    expect(res.headers.get('location')).toBe('/oops?code=access_denied')
  })

  it('a form_post callback is a POST (transaction cookie SameSite=None; Secure)', async () => {
    const h = handlers()
    const { started, callback, form, cookie } = await signIn(
      h,
      `${BASE}/auth/fp/login?returnTo=/fp`,
    )
    expect(started.headers.getSetCookie()[0]).toMatch(/; SameSite=none/i)
    expect(started.headers.getSetCookie()[0]).toMatch(/; Secure/i)
    expect(form?.get('code')).toBeTruthy()
    expect((await route(h.GET, `${BASE}/auth/fp/nope`)).status).toBe(404)
    const res = await route(h.POST, callback, { method: 'POST', body: form!, cookie })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/fp')
    expect(res.headers.get('referrer-policy')).toBe('no-referrer')
  })

  it('answers 404 for an unknown app or action, and POST only finishes logins', async () => {
    const h = handlers()
    expect((await route(h.GET, `${BASE}/auth/nope/login`)).status).toBe(404)
    expect((await route(h.GET, `${BASE}/auth/dev/logout`)).status).toBe(404)
    expect((await route(h.POST, `${BASE}/auth/dev/login`, { method: 'POST' })).status).toBe(404)
  })

  it('builds the redirect URI on baseUrl and passes authorizeParams', async () => {
    const h = handlers({
      baseUrl: 'https://app.example',
      authorizeParams: () => ({ prompt: 'login', login_hint: 'alice' }),
    })
    const res = await route(h.GET, `${BASE}/auth/dev/login`)
    const location = new URL(res.headers.get('location')!)
    expect(location.searchParams.get('redirect_uri')).toBe('https://app.example/auth/dev/callback')
    expect(location.searchParams.get('login_hint')).toBe('alice')
    expect(res.headers.getSetCookie()[0]).toMatch(/; Secure/i)
  })

  it("bindOAuth binds a registry to a request's cookies for API calls", async () => {
    const h = handlers()
    const { callback, cookie } = await signIn(h)
    await route(h.GET, callback, { cookie })
    const token = tokens.at(-1)!
    const oauth = new OAuth({
      fetchToken: (_name, ctx) => (ctx?.cookies?.get('at') === token.access_token ? token : null),
    }).register('dev', {
      serverMetadataUrl: provider.discoveryUrl,
      ...clientOf(CLIENT),
      apiBaseUrl: provider.issuer,
    })
    const request = new server.NextRequest(`${BASE}/profile`, {
      headers: { cookie: `at=${token.access_token}` },
    })
    const requestCookies = adapters.MutableRequestCookiesAdapter.wrap(
      new cookies.RequestCookies(request.headers),
    )
    const me = await bindOAuth(oauth, requestCookies, request)
      .create('dev')
      .get('me')
      .json<{ sub: string }>()
    expect(me.sub).toBe('alice')
  })

  it('lets errors that are not OAuthKitErrors through from onSuccess (Next redirect() and a plain Error), without onError', async () => {
    const thrown: unknown[] = []
    const throwing = (make: () => never) => () => {
      try {
        make()
      } catch (error) {
        thrown.push(error)
        throw error
      }
    }
    const onError = vi.fn(() => new Response('onError', { status: 500 }))
    for (const make of [
      () => navigation.redirect('/welcome'),
      () => {
        throw new Error('the app failed')
      },
    ]) {
      const h = handlers({ onSuccess: throwing(make), onError })
      const { callback, cookie } = await signIn(h)
      const rejection = await route(h.GET, callback, { cookie }).then(
        () => undefined,
        (e: unknown) => e,
      )
      expect(rejection).toBe(thrown.at(-1))
    }
    expect((thrown[0] as { digest?: string }).digest).toMatch(/^NEXT_REDIRECT;.*;\/welcome;/)
    expect((thrown[1] as Error).message).toBe('the app failed')
    expect(onError).not.toHaveBeenCalled()
  })
})

describe('toCookieStore', () => {
  it('maps get/getAll/set, and deletes by expiring the cookie with its attributes', () => {
    const calls: unknown[][] = []
    const next: NextCookies = {
      get: (name) => (name === 'a' ? { value: '1' } : undefined),
      getAll: () => [{ name: 'a', value: '1' }],
      set: (...args) => calls.push(args),
    }
    const store = toCookieStore(next)
    expect(store.get('a')).toBe('1')
    expect(store.get('b')).toBeUndefined()
    expect(store.getAll?.()).toEqual([{ name: 'a', value: '1' }])
    store.set('a', '2', { httpOnly: true, sameSite: 'lax', path: '/' })
    store.delete('a', { httpOnly: true, secure: true, sameSite: 'none', path: '/' })
    expect(calls).toEqual([
      ['a', '2', { httpOnly: true, sameSite: 'lax', path: '/' }],
      [
        'a',
        '',
        {
          httpOnly: true,
          secure: true,
          sameSite: 'none',
          path: '/',
          maxAge: 0,
          expires: new Date(0),
        },
      ],
    ])
  })
})

function clientOf(client: { client_id: string; client_secret: string }) {
  return { clientId: client.client_id, clientSecret: client.client_secret }
}

/** The `Cookie` header a browser would send back after `response` (deleted cookies left out). */
function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .filter((c) => !/Max-Age=0/i.test(c))
    .map((c) => c.split(';')[0])
    .join('; ')
}

it("examples/next/README.md's ts/tsx blocks are verbatim excerpts of the example", () => {
  const dir = fileURLToPath(new URL('../../examples/next', import.meta.url))
  const files = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory()
        ? e.name.startsWith('.')
          ? []
          : files(join(d, e.name))
        : /\.tsx?$/.test(e.name)
          ? [join(d, e.name)]
          : [],
    )
  const sources = files(dir).map((f) => readFileSync(f, 'utf8'))
  const blocks = [
    ...readFileSync(join(dir, 'README.md'), 'utf8').matchAll(/```tsx?\n([\s\S]*?)```/g),
  ].map((m) => m[1]!)
  expect(blocks.length).toBeGreaterThan(3)
  for (const block of blocks)
    expect(
      sources.some((s) => s.includes(block)),
      block.slice(0, 200),
    ).toBe(true)
})
