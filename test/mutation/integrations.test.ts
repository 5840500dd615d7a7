/**
 * The shared login and callback routes (src/routes.ts), what the integration tests leave unpinned:
 * a registry bound without its request, the route's own unknown-app error, and the headers of the
 * default error answers and of an answer the app gives to a failed login.
 */
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import {
  ErrorCode,
  MemoryCookieJar,
  OAuth,
  OAuthKitError,
  type OAuth2AppConfig,
  type OAuthContext,
} from '../../src/index.js'
import { github } from '../../src/providers/github.js'
import { authRoute, bindWithSession, defaultErrorAnswer, routeServes } from '../../src/routes.js'
import { emulateGitHub } from '../../testing/providers/github.js'
import { SECRET, useMsw } from '../support/helpers.js'

const server = useMsw()

function registry() {
  return new OAuth({ secret: SECRET }).register('idp', {
    clientId: 'c',
    clientSecret: 'client-secret-value',
    authorizeUrl: 'https://idp.test/authorize',
    accessTokenUrl: 'https://idp.test/token',
  })
}
const bound = (url = 'https://app.test/auth/nope/login') =>
  registry().bind({ cookies: new MemoryCookieJar(), request: new Request(url) })

describe('authRoute', () => {
  it('throws a TypeError for a registry bound without the request', async () => {
    const oauth = registry().bind({ cookies: new MemoryCookieJar() })
    await expect(authRoute(oauth, 'nope', 'login')).rejects.toThrow(
      new TypeError('authRoute: the registry must be bound to a context with the request'),
    )
  })

  it("refuses an unknown app with its own message, which does not list the registry's apps", async () => {
    const seen: OAuthKitError[] = []
    const answer = await authRoute(bound(), 'nope', 'login', {
      onError: (error) => {
        seen.push(error)
        return new Response('no', { status: 404 })
      },
    })
    expect(answer.status).toBe(404)
    expect(seen).toHaveLength(1)
    expect(seen[0]!.code).toBe(ErrorCode.APP_NOT_FOUND)
    expect(seen[0]!.message).toBe('no app is registered as "nope"')
  })

  it("returns onError's answer to a failed login as it is: only callback answers get no-referrer and no-store", async () => {
    const mine = new Response('no', { status: 400, headers: { 'cache-control': 'max-age=60' } })
    const login = await authRoute(bound(), 'nope', 'login', { onError: () => mine })
    expect(login).toBe(mine)
    expect(login.headers.get('referrer-policy')).toBeNull()
    const callback = await authRoute(bound('https://app.test/auth/nope/callback'), 'nope', 'callback', {
      onError: () => new Response('no', { status: 400, headers: { 'cache-control': 'max-age=60' } }),
    })
    expect(callback.headers.get('referrer-policy')).toBe('no-referrer')
    expect(callback.headers.get('cache-control')).toBe('no-store')
  })
})

describe('defaultErrorAnswer', () => {
  const error = new OAuthKitError(ErrorCode.APP_NOT_FOUND, 'no app is registered as "nope"')

  it('answers a short text, never cached', async () => {
    const answer = defaultErrorAnswer(error)
    expect(answer.status).toBe(404)
    expect(answer.headers.get('content-type')).toBe('text/plain; charset=utf-8')
    expect(answer.headers.get('cache-control')).toBe('no-store')
    expect(await answer.text()).toBe('Sign-in failed: app_not_found')
  })

  it('with errorPath, a 303 there with the code, never cached; the login route answers it as it is', async () => {
    const answer = defaultErrorAnswer(error, '/auth/error')
    expect(answer.status).toBe(303)
    expect(answer.headers.get('location')).toBe('/auth/error?code=app_not_found')
    expect(answer.headers.get('cache-control')).toBe('no-store')
    const login = await authRoute(bound(), 'nope', 'login', { errorPath: '/auth/error' })
    expect(login.status).toBe(303)
    expect(login.headers.get('cache-control')).toBe('no-store')
  })
})

describe('routeServes', () => {
  it('serves login and callback always, token and device only when configured, each by its methods', () => {
    expect(routeServes('login', 'GET', {})).toBe(true)
    expect(routeServes('login', 'get', {})).toBe(true)
    expect(routeServes('login', 'POST', {})).toBe(false)
    expect(routeServes('callback', 'POST', {})).toBe(true)
    for (const action of ['token', 'device']) {
      expect(routeServes(action, 'POST', {}), action).toBe(false)
      expect(routeServes(action, 'POST', { [action]: {} }), action).toBe(true)
      expect(routeServes(action, 'GET', { [action]: {} }), action).toBe(false)
    }
    expect(routeServes('token', 'POST', { device: true })).toBe(false)
    expect(routeServes('device', 'POST', { token: { redirectUris: [] } })).toBe(false)
    for (const action of ['nope', 'toString', '__proto__', 'constructor'])
      expect(routeServes(action, 'GET', {}), action).toBe(false)
  })
})

describe('bindWithSession', () => {
  const APP = 'https://app.test'
  async function signedIn(userId?: string) {
    const oauth = registry()
    const cookies = new MemoryCookieJar()
    if (userId !== undefined) await oauth.session(cookies, APP).set({ userId, app: 'idp' })
    return { oauth, cookies }
  }

  it('without an origin, no session', async () => {
    const { oauth, cookies } = await signedIn('bob')
    const ctx: OAuthContext = { cookies }
    await bindWithSession(oauth, ctx, undefined)
    expect(ctx.session).toBeUndefined()
    expect(ctx.userId).toBeUndefined()
  })

  it("takes the user from the session, keeps a user the context names, and names none when signed out", async () => {
    const { oauth, cookies } = await signedIn('bob')
    const ctx: OAuthContext = { cookies }
    await bindWithSession(oauth, ctx, APP)
    expect(ctx.userId).toBe('bob')
    const named: OAuthContext = { cookies, userId: 'alice' }
    await bindWithSession(oauth, named, APP)
    expect(named.userId).toBe('alice')
    const out: OAuthContext = { cookies: new MemoryCookieJar() }
    await bindWithSession(oauth, out, APP)
    expect(out.session).toBeDefined()
    expect(Object.hasOwn(out, 'userId')).toBe(false)
  })
})

describe('the token and device routes through authRoute', () => {
  const post = (action: string, fields: Record<string, string> = {}) =>
    registry()
      .register('one', {
        clientId: 'ck',
        clientSecret: 'cs',
        requestTokenUrl: 'https://idp.test/oauth/request_token',
        authorizeUrl: 'https://idp.test/oauth/authorize',
        accessTokenUrl: 'https://idp.test/oauth/access_token',
      })
      .bind({
        cookies: new MemoryCookieJar(),
        request: new Request(`https://app.test/auth/x/${action}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams(fields),
        }),
      })
  const TOKEN = { redirectUris: ['http://127.0.0.1/cb'] }

  it('answers 404 for a route that is not configured, whichever other one is', async () => {
    for (const [action, options] of [
      ['token', {}],
      ['token', { device: true }],
      ['device', {}],
      ['device', { token: TOKEN }],
    ] as const) {
      const answer = await authRoute(post(action), 'idp', action, options)
      expect(answer.status, `${action} ${JSON.stringify(options)}`).toBe(404)
      expect(await answer.text()).toBe('Not found')
    }
  })

  it('refuses an OAuth 1 app: unsupported_operation, naming the route and the app', async () => {
    for (const action of ['token', 'device'] as const) {
      const seen: OAuthKitError[] = []
      const answer = await authRoute(post(action, { device_code: 'dc' }), 'one', action, {
        token: TOKEN,
        device: true,
        onError: (error) => {
          seen.push(error)
          return new Response('no', { status: 400 })
        },
      })
      expect(answer.status).toBe(400)
      expect(seen).toHaveLength(1)
      expect(seen[0]).toMatchObject({
        code: ErrorCode.UNSUPPORTED_OPERATION,
        message: `one: the ${action} route needs an OAuth 2 app`,
        app: 'one',
      })
    }
  })
})

describe('the nested route options', () => {
  /** What authRoute throws for these options (undefined: nothing; the route then answers). */
  const refusal = (options: Record<string, unknown>) =>
    authRoute(bound('https://app.test/auth/idp/token'), 'idp', 'token', options).then(
      () => undefined,
      (error: unknown) => error,
    )

  it('refuses a misspelt key with its fix, naming the route', async () => {
    for (const [options, message] of [
      [
        { token: { redirectUri: ['https://a.test/cb'] } },
        'the token route options has an unknown key "redirectUri": did you mean redirectUris?',
      ],
      [
        { token: { redirectUris: [], loopbackAnyport: true } },
        'the token route options has an unknown key "loopbackAnyport": did you mean loopbackAnyPort?',
      ],
      [{ device: { scopes: 'a' } }, 'the device route options has an unknown key "scopes": did you mean scope?'],
      [
        { logout: { redirectUri: '/' } },
        'the logout route options has an unknown key "redirectUri": did you mean postLogoutRedirectUri?',
      ],
      [{ logout: { revok: true } }, 'the logout route options has an unknown key "revok": did you mean revoke?'],
    ] as const) {
      const error = await refusal(options as never)
      expect(error, message).toBeInstanceOf(OAuthKitError)
      expect(error).toMatchObject({ code: ErrorCode.CONFIG_INVALID, message })
    }
  })

  it('refuses redirectUris that are not a list of absolute URLs', async () => {
    for (const redirectUris of [['/relative'], ['https://a.test/cb', '/relative'], 'https://a.test/cb', undefined]) {
      const error = await refusal({ token: { redirectUris } as never })
      expect(error, JSON.stringify(redirectUris)).toMatchObject({
        code: ErrorCode.CONFIG_INVALID,
        message: 'the token route options: redirectUris must be an array of absolute URLs',
      })
    }
    // A token option that is not an object is no list either.
    expect(await refusal({ token: 'https://a.test/cb' as never })).toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
      message: 'the token route options: redirectUris must be an array of absolute URLs',
    })
  })

  it('takes device: true, and null or undefined options as not set', async () => {
    expect(await refusal({ device: true })).toBeUndefined()
    expect(await refusal({ token: null as never, device: null as never, logout: null as never })).toBeUndefined()
    expect(await refusal({ token: undefined, logout: undefined })).toBeUndefined()
  })
})

describe('the device route through authRoute', () => {
  it("asks for the route's scope, or the app's without one", async () => {
    const scopes: Array<string | null> = []
    server.use(
      http.post('https://idp.test/device', async ({ request }) => {
        scopes.push(new URLSearchParams(await request.text()).get('scope'))
        return HttpResponse.json({
          device_code: 'dc',
          user_code: 'ABCD',
          verification_uri: 'https://idp.test/activate',
          expires_in: 600,
        })
      }),
    )
    const oauth = new OAuth({ secret: SECRET }).register('idp', {
      clientId: 'c',
      clientSecret: 'client-secret-value',
      authorizeUrl: 'https://idp.test/authorize',
      accessTokenUrl: 'https://idp.test/token',
      deviceAuthorizationEndpoint: 'https://idp.test/device',
      scope: 'app-scope',
    })
    for (const device of [true, {}, { scope: 'route-scope' }]) {
      const answer = await authRoute(
        oauth.bind({
          cookies: new MemoryCookieJar(),
          request: new Request('https://app.test/auth/idp/device', {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: 'scope=client-scope',
          }),
        }),
        'idp',
        'device',
        { device },
      )
      expect(answer.status).toBe(200)
      expect(await answer.json()).toMatchObject({ device_code: 'dc', user_code: 'ABCD' })
    }
    expect(scopes).toEqual(['app-scope', 'app-scope', 'route-scope'])
  })
})

describe('the callback route: the user a login signs in', () => {
  /** A login through the routes against the GitHub emulation, with `profile` as the app's loader. */
  async function signIn(profile?: OAuth2AppConfig['profile']) {
    const emulation = await emulateGitHub()
    server.use(...emulation.handlers)
    const config = github({ clientId: 'gh-client', clientSecret: 'gh-secret' })
    const stored: unknown[] = []
    const oauth = new OAuth({
      secret: SECRET,
      updateToken: (_name, token) => void stored.push(token),
    }).register('gh', profile ? { ...config, profile } : config)
    const cookies = new MemoryCookieJar()
    const bind = (url: string) =>
      bindWithSession(oauth, { cookies, request: new Request(url) }, 'https://app.test')
    const login = await authRoute(await bind('https://app.test/auth/gh/login'), 'gh', 'login')
    const back = await emulation.authorize(login.headers.get('location')!)
    const errors: OAuthKitError[] = []
    const users: unknown[] = []
    const answer = await authRoute(await bind(back.url), 'gh', 'callback', {
      onSuccess: ({ userId }) => void users.push(userId),
      onError: (error) => {
        errors.push(error)
        return new Response('no', { status: 400 })
      },
    })
    const session = await oauth.session(cookies, 'https://app.test').userId()
    return { answer, errors, users, stored, session }
  }

  it("is <name>:<sub> of the profile, for an app whose token has no userinfo", async () => {
    const { answer, users, session } = await signIn()
    expect(answer.status).toBe(303)
    expect(users).toEqual(['gh:583231'])
    expect(session).toBe('gh:583231')
  })

  it('without a profile (the loader is unsupported) and no subject in the token: config_invalid, nobody signed in, nothing stored', async () => {
    const { answer, errors, users, stored, session } = await signIn(async () => {
      throw new OAuthKitError(ErrorCode.UNSUPPORTED_OPERATION, 'no profile here')
    })
    expect(answer.status).toBe(400)
    expect(errors).toHaveLength(1)
    expect(errors[0]).toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
      message:
        "gh: the login gave no subject to key the user by (no profile, no ID token): set the routes' userId option",
      app: 'gh',
    })
    expect({ users, stored, session }).toEqual({ users: [], stored: [], session: undefined })
  })

  it('a profile whose subject is empty or not a string is refused the same way', async () => {
    for (const sub of ['', 42]) {
      const { errors, users } = await signIn(async () => ({ sub, raw: {} }) as never)
      expect(errors.map((e) => e.code), String(sub)).toEqual([ErrorCode.CONFIG_INVALID])
      expect(users).toEqual([])
    }
  })

  it("the loader's other failures are the login's: an oauthkit error to onError, anything else thrown", async () => {
    const { errors } = await signIn(async () => {
      throw new OAuthKitError(ErrorCode.HTTP_ERROR, 'the profile API failed')
    })
    expect(errors.map((e) => e.code)).toEqual([ErrorCode.HTTP_ERROR])
    const bug = new Error('a bug in the loader')
    await expect(
      signIn(async () => {
        throw bug
      }),
    ).rejects.toBe(bug)
  })
})
