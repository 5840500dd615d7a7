/**
 * oauthkit/sveltekit fed fake SvelteKit `RequestEvent`s (a cookies object with SvelteKit's interface over
 * a Map) against the dev provider: the handle hook, the login and callback endpoints, returnTo,
 * Referrer-Policy, form_post, and the typed errors handed to onError.
 */
import type { Cookies, Handle, RequestEvent, RequestHandler } from '@sveltejs/kit'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { OAuth, isOAuthKitError, type OAuth2Token } from '../../src/index.js'
import { startDevProvider, type DevProvider } from '../../testing/index.js'
import {
  oauthCallback,
  oauthHandle,
  oauthLogin,
  type BoundOAuthOf,
  type CallbackOptions,
} from '../../integrations/sveltekit/index.js'

const APP = 'https://app.example'
const SECRET = 'a-test-secret-that-is-at-least-32-characters'
const client = {
  client_id: 'sveltekit-app',
  client_secret: 'sveltekit-app-secret-0123456789-0123456789',
}

let provider: DevProvider
let handle: Handle

function registry(issuer: string) {
  const app = {
    serverMetadataUrl: `${issuer}/.well-known/openid-configuration`,
    clientId: client.client_id,
    clientSecret: client.client_secret,
    scope: 'openid email',
  }
  return new OAuth({ secret: SECRET })
    .register('corp', app)
    .register('post', { ...app, responseMode: 'form_post' })
}
let oauth: ReturnType<typeof registry>

beforeAll(async () => {
  provider = await startDevProvider({
    clients: [
      {
        ...client,
        redirect_uris: [
          `${APP}/auth/corp/callback`,
          `${APP}/auth/post/callback`,
          `${APP}/elsewhere`,
        ],
      },
    ],
  })
  oauth = registry(provider.issuer)
  handle = oauthHandle(oauth)
})

afterAll(async () => {
  await provider?.close()
})

type CookieWrite = { name: string; value: string; options: Parameters<Cookies['set']>[2] }

/** One browser: its cookies for the app's origin, and every cookie the app wrote. */
function browser() {
  const jar = new Map<string, string>()
  const writes: CookieWrite[] = []
  const requirePath = (options?: { path?: string }) => {
    if (!options?.path)
      throw new Error('SvelteKit requires a path when setting or deleting a cookie')
  }
  const cookies: Cookies = {
    get: (name) => jar.get(name),
    getAll: () => [...jar].map(([name, value]) => ({ name, value })),
    set: (name, value, options) => {
      requirePath(options)
      writes.push({ name, value, options })
      jar.set(name, value)
    },
    delete: (name, options) => {
      requirePath(options)
      writes.push({ name, value: '', options: { ...options, maxAge: 0 } })
      jar.delete(name)
    },
    serialize: (name, value) => `${name}=${encodeURIComponent(value)}`,
  }
  const transactions = () =>
    [...jar.keys()].filter((name) => name.startsWith('__Host-oauthkit.tx.'))
  return { jar, writes, cookies, transactions }
}
type Browser = ReturnType<typeof browser>

/** A request through the handle hook to `endpoint`, as SvelteKit would make it. */
async function send(
  endpoint: RequestHandler,
  b: Browser,
  url: string,
  init: RequestInit & { params?: Record<string, string> } = {},
) {
  const request = new Request(url, init)
  const name = /\/auth\/([^/]+)\//.exec(new URL(url).pathname)?.[1]
  const event = {
    request,
    url: new URL(url),
    cookies: b.cookies,
    locals: {},
    params: init.params ?? (name ? { name } : {}),
    route: { id: '/auth/[name]/callback' },
  } as unknown as RequestEvent
  const response = await handle({ event, resolve: (e) => endpoint(e) })
  return { response, event }
}

/** Start a login with `login`, let the provider sign alice in, and return the callback it redirects to. */
async function loginAtProvider(b: Browser, url: string, login: RequestHandler = oauthLogin()) {
  const { response } = await send(login, b, url)
  expect(response.status).toBe(302)
  return provider.authorize(response.headers.get('location')!)
}

describe('oauthHandle', () => {
  it('puts the registry on event.locals, bound to the request, its cookies and the event', async () => {
    const b = browser()
    const resolve = vi.fn((event: RequestEvent) => {
      const bound = (event.locals as { oauth: BoundOAuthOf<typeof oauth> }).oauth
      expect(bound.names()).toEqual(['corp', 'post'])
      expect(bound.ctx.request).toBe(event.request)
      expect(bound.ctx.event).toBe(event)
      bound.ctx.cookies.set('probe', '1', {}) // the core may omit path; SvelteKit needs one
      bound.ctx.cookies.delete('probe', {})
      return new Response('ok')
    })
    const event = {
      request: new Request(`${APP}/`),
      url: new URL(`${APP}/`),
      cookies: b.cookies,
      locals: {},
      params: {},
    } as unknown as RequestEvent
    expect(await (await handle({ event, resolve })).text()).toBe('ok')
    expect(resolve).toHaveBeenCalledWith(event)
    expect(b.writes.map((w) => w.options.path)).toEqual(['/', '/'])
  })

  it('is required by the endpoints, which say so', async () => {
    const event = {
      request: new Request(`${APP}/auth/corp/login`),
      url: new URL(`${APP}/auth/corp/login`),
      cookies: browser().cookies,
      locals: {},
      params: { name: 'corp' },
    } as unknown as RequestEvent
    await expect(oauthLogin()(event)).rejects.toThrow(/oauthHandle/)
  })
})

describe('login and callback endpoints', () => {
  it('logs in: login → provider → callback → onSuccess, then a 303 to returnTo with no Referer', async () => {
    const b = browser()
    const { response: login } = await send(
      oauthLogin(),
      b,
      `${APP}/auth/corp/login?returnTo=${encodeURIComponent('/profile?tab=2')}`,
    )
    expect(login.status).toBe(302)
    const authorize = new URL(login.headers.get('location')!)
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${APP}/auth/corp/callback`)
    expect(b.transactions()).toHaveLength(1)
    expect(b.writes[0]!.options).toMatchObject({
      path: '/',
      httpOnly: true,
      secure: true,
      sameSite: 'lax',
    })

    const { url } = await provider.authorize(authorize)
    const onSuccess = vi.fn<NonNullable<CallbackOptions['onSuccess']>>()
    const { response, event } = await send(oauthCallback({ onSuccess }), b, url.href)
    expect(response.status).toBe(303)
    expect(response.headers.get('location')).toBe('/profile?tab=2')
    expect(response.headers.get('referrer-policy')).toBe('no-referrer')
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(onSuccess).toHaveBeenCalledTimes(1)
    const [{ event: calledWith, token, name, returnTo, request }] = onSuccess.mock.calls[0]!
    expect(calledWith).toBe(event)
    expect(request).toBe(event.request)
    expect((token as OAuth2Token).userinfo?.email).toBe('alice@example.test')
    expect({ name, returnTo }).toEqual({ name: 'corp', returnTo: '/profile?tab=2' })
    expect(b.transactions()).toEqual([]) // taken out, and cannot be replayed
  })

  it.each(['//evil.example/x', 'https://evil.example/', '/\\evil.example'])(
    'ignores returnTo %s and lands on the default',
    async (returnTo) => {
      const b = browser()
      const { url } = await loginAtProvider(
        b,
        `${APP}/auth/corp/login?returnTo=${encodeURIComponent(returnTo)}`,
      )
      const { response } = await send(oauthCallback({ defaultReturnTo: '/home' }), b, url.href)
      expect(response.status).toBe(303)
      expect(response.headers.get('location')).toBe('/home')
    },
  )

  it('lands on / without returnTo; onSuccess may answer itself', async () => {
    const b = browser()
    const first = await loginAtProvider(b, `${APP}/auth/corp/login`)
    expect((await send(oauthCallback(), b, first.url.href)).response.headers.get('location')).toBe(
      '/',
    )

    const second = await loginAtProvider(b, `${APP}/auth/corp/login`)
    const { response } = await send(
      oauthCallback({ onSuccess: () => new Response('welcome') }),
      b,
      second.url.href,
    )
    expect(response.status).toBe(200)
    expect(await response.text()).toBe('welcome')
    expect(response.headers.get('referrer-policy')).toBe('no-referrer')
  })

  it('takes the app, redirect URI and authorization parameters from options', async () => {
    const b = browser()
    const login = oauthLogin({
      app: 'corp',
      redirectUri: `${APP}/elsewhere`,
      authorize: () => ({ params: { prompt: 'login' }, returnTo: '/x' }),
    })
    const { response } = await send(login, b, `${APP}/signin`)
    const authorize = new URL(response.headers.get('location')!)
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${APP}/elsewhere`)
    expect(authorize.searchParams.get('prompt')).toBe('login')
    const { url } = await provider.authorize(authorize)
    const { response: done } = await send(oauthCallback({ app: 'corp' }), b, url.href)
    expect(done.headers.get('location')).toBe('/x')
  })

  it('finishes a form_post login with the POST handler (SameSite=None transaction cookie)', async () => {
    const b = browser()
    const { url, form } = await loginAtProvider(b, `${APP}/auth/post/login`)
    expect(b.writes[0]!.options).toMatchObject({ httpOnly: true, secure: true, sameSite: 'none' })
    expect(form?.get('code')).toBeTruthy()
    const onSuccess = vi.fn()
    const callback = oauthCallback({ onSuccess })
    const { response } = await send(callback, b, url.href, {
      method: 'POST',
      body: form,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    expect(response.status).toBe(303)
    expect(response.headers.get('referrer-policy')).toBe('no-referrer')
    expect(onSuccess.mock.calls[0]![0]).toMatchObject({ name: 'post' })
    expect(onSuccess.mock.calls[0]![0].returnTo).toBeUndefined()
  })
})

describe('errors', () => {
  const callbackUrl = () =>
    `${APP}/auth/corp/callback?code=abc&state=xyz&iss=${encodeURIComponent(provider.issuer)}`

  it('hands a callback without its transaction cookie to onError as transaction_not_found', async () => {
    const onError = vi.fn(() => new Response('custom', { status: 401 }))
    const onSuccess = vi.fn()
    const { response, event } = await send(
      oauthCallback({ onSuccess, onError }),
      browser(),
      callbackUrl(),
    )
    expect(response.status).toBe(401)
    expect(response.headers.get('referrer-policy')).toBe('no-referrer')
    expect(onSuccess).not.toHaveBeenCalled()
    const [error, info] = onError.mock.calls[0]! as unknown as [
      unknown,
      { event: RequestEvent; name: string; action: string },
    ]
    expect(info).toMatchObject({ event, name: 'corp', action: 'callback' })
    expect(isOAuthKitError(error, 'transaction_not_found')).toBe(true)
  })

  it('redirects to errorPath with the code (errorPage, its deprecated name, too), or answers a small 400 by default', async () => {
    const page = await send(oauthCallback({ errorPath: '/auth/error' }), browser(), callbackUrl())
    expect(page.response.status).toBe(303)
    expect(page.response.headers.get('location')).toBe('/auth/error?code=transaction_not_found')
    const legacy = await send(oauthCallback({ errorPage: '/auth/old' }), browser(), callbackUrl())
    expect(legacy.response.headers.get('location')).toBe('/auth/old?code=transaction_not_found')
    const plain = await send(oauthCallback(), browser(), callbackUrl())
    expect(plain.response.status).toBe(400)
    expect(await plain.response.text()).toBe('Sign-in failed: transaction_not_found')
  })

  it('reports a tampered transaction cookie as transaction_invalid', async () => {
    const b = browser()
    const { url } = await loginAtProvider(b, `${APP}/auth/corp/login`)
    const [name] = b.transactions()
    // The seal is `<created>.t1*<password id>*<iv>*<ciphertext>`: change the ciphertext's first character.
    const parts = b.jar.get(name!)!.split('*')
    expect(parts).toHaveLength(4)
    parts[3] = (parts[3]!.startsWith('A') ? 'B' : 'A') + parts[3]!.slice(1)
    b.jar.set(name!, parts.join('*'))
    const { response } = await send(oauthCallback({ errorPage: '/auth/error' }), b, url.href)
    expect(response.headers.get('location')).toBe('/auth/error?code=transaction_invalid')
  })

  it('answers 404 app_not_found for an unregistered [name]', async () => {
    const { response } = await send(oauthLogin(), browser(), `${APP}/auth/nope/login`)
    expect(response.status).toBe(404)
    expect(await response.text()).toBe('Sign-in failed: app_not_found')
  })

  it('lets errors that are not OAuthKitErrors through (SvelteKit redirect() and error() keep working)', async () => {
    const b = browser()
    const { url } = await loginAtProvider(b, `${APP}/auth/corp/login`)
    const thrown = { status: 303, location: '/elsewhere' }
    await expect(
      send(
        oauthCallback({
          onSuccess: () => {
            throw thrown
          },
        }),
        b,
        url.href,
      ),
    ).rejects.toBe(thrown)
  })
})
