/**
 * The arguments new users (and Authlib users) get wrong first are refused with a typed error whose
 * message says what to write instead, not a TypeError from deep inside.
 */
import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth } from '../src/index.js'
import { REDIRECT, SECRET, expectCode } from './support/helpers.js'

const endpoints = {
  authorizeUrl: 'https://idp.test/authorize',
  accessTokenUrl: 'https://idp.test/token',
  apiBaseUrl: 'https://api.idp.test',
}
const oauth1 = {
  requestTokenUrl: 'https://x.test/request_token',
  authorizeUrl: 'https://x.test/authorize',
  accessTokenUrl: 'https://x.test/access_token',
  apiBaseUrl: 'https://api.x.test',
}
const registry = () =>
  new OAuth({ secret: SECRET })
    .register('idp', { clientId: 'c', ...endpoints })
    .register('x', { clientId: 'k', clientSecret: 's', ...oauth1 })
const COOKIES_HINT =
  "cookies is a { get, set, delete } store: MemoryCookieJar.fromRequest(request) (then cookies.applyTo(response.headers)), SvelteKit's event.cookies, Next's await cookies(); with an integration use the bound app, req.oauth.create(name)"

describe('the request context', () => {
  it.each(['idp', 'x'] as const)(
    "%s: a Request where the context goes (Authlib's authorize_redirect(request, redirect_uri)) is named as such",
    async (name) => {
      const app = registry().create(name)
      const request = new Request('https://app.test/login')
      const err = await expectCode(
        app.authorizeRedirect(request as never, REDIRECT),
        ErrorCode.INVALID_REQUEST,
      )
      expect(err.message).toBe(
        `${name}: authorizeRedirect was given a request where the context goes (Authlib's order): call authorizeRedirect({ request, cookies }, redirectUri); ${COOKIES_HINT}`,
      )
      const callback = await expectCode(
        app.authorizeAccessToken(request as never),
        ErrorCode.INVALID_REQUEST,
      )
      expect(callback.message).toBe(
        `${name}: authorizeAccessToken was given a request where the context goes (Authlib's order): call authorizeAccessToken({ request, cookies }); ${COOKIES_HINT}`,
      )
    },
  )

  it('an Express req (a Node request) where the context goes is named as a request too', async () => {
    const req = {
      method: 'GET',
      url: '/login',
      headers: { host: 'app.test' },
      cookies: { sid: '1' },
    }
    const err = await expectCode(
      registry()
        .create('idp')
        .authorizeRedirect(req as never, REDIRECT),
      ErrorCode.INVALID_REQUEST,
    )
    expect(err.message).toMatch(
      /^idp: authorizeRedirect was given a request where the context goes/,
    )
  })

  it.each([
    ['a context without cookies', { request: new Request('https://app.test/callback') }],
    ['cookies that are a plain object (cookie-parser)', { cookies: { sid: '1' } }],
    ['nothing', undefined],
  ])('%s: "pass { request, cookies } as the first argument"', async (_, ctx) => {
    const app = registry().create('idp')
    const err = await expectCode(
      app.authorizeRedirect(ctx as never, REDIRECT),
      ErrorCode.INVALID_REQUEST,
    )
    expect(err.message).toBe(
      `idp: authorizeRedirect needs the request context first: pass { request, cookies } as the first argument, authorizeRedirect({ request, cookies }, redirectUri); ${COOKIES_HINT}`,
    )
    const callback = await expectCode(
      app.authorizeAccessToken(ctx as never),
      ErrorCode.INVALID_REQUEST,
    )
    expect(callback.message).toMatch(
      /^idp: authorizeAccessToken needs the request context first: pass \{ request, cookies \} as the first argument/,
    )
  })

  it('the bound app refuses a context or request passed before the redirect URI', async () => {
    const bound = registry().bind({ cookies: new MemoryCookieJar() })
    const err = await expectCode(
      bound
        .create('idp')
        .authorizeRedirect(new Request('https://app.test/login') as never, REDIRECT as never),
      ErrorCode.INVALID_REQUEST,
    )
    expect(err.message).toBe(
      'idp: the bound app (req.oauth.create(name), locals.oauth…) already holds the request and cookies: call authorizeRedirect(redirectUri, options), without a context or request',
    )
  })

  it('a proper context still starts the login', async () => {
    const response = await registry()
      .create('idp')
      .authorizeRedirect({ cookies: new MemoryCookieJar() }, REDIRECT)
    expect(response.status).toBe(302)
  })
})

describe('an API call with no token', () => {
  it.each(['idp', 'x'] as const)(
    '%s: without fetchToken, says to pass { token } or configure fetchToken',
    async (name) => {
      const err = await expectCode(
        registry().create(name).get('me').json(),
        ErrorCode.TOKEN_MISSING,
      )
      expect(err.message).toBe(
        `${name}: no token was passed and no fetchToken is configured: pass { token } (app.get(url, { token })) or configure fetchToken on new OAuth() (or in the app's config) to read the signed-in user's token`,
      )
    },
  )

  it('with a fetchToken that finds none, says so', async () => {
    const app = new OAuth({ secret: SECRET, fetchToken: () => null })
      .register('idp', { clientId: 'c', ...endpoints })
      .create('idp')
    const err = await expectCode(
      app.get('me', { ctx: { userId: 'bob' } }).json(),
      ErrorCode.TOKEN_MISSING,
    )
    expect(err.message).toBe(
      "idp: no token was passed and fetchToken returned none (is the user signed in? fetchToken receives the call's ctx)",
    )
  })
})

describe("Authlib's attribute access", () => {
  it('oauth.github.get(…) names oauth.create(…) instead of reading undefined', () => {
    const oauth = registry()
    expect(() =>
      (oauth as unknown as Record<string, { get(url: string): unknown }>).idp!.get('user'),
    ).toThrow(
      "oauth.idp is Authlib's attribute access; oauthkit's is oauth.create('idp'), e.g. oauth.create('idp').get(url, { token })",
    )
    // The registry still prints, serialises and resolves as before.
    expect(JSON.stringify(oauth)).toBe('{"apps":["idp","x"]}')
    expect(Object.keys(oauth)).toEqual([])
  })

  it('leaves names the registry has, and then, alone', async () => {
    const oauth = new OAuth({ secret: SECRET })
      .register('then', { clientId: 'c', ...endpoints })
      .register('names', { clientId: 'c', ...endpoints })
    expect(await Promise.resolve(oauth)).toBe(oauth)
    expect(oauth.names()).toEqual(['then', 'names'])
  })
})
