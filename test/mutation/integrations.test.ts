/**
 * The shared login and callback routes (src/routes.ts), what the integration tests leave unpinned:
 * a registry bound without its request, the route's own unknown-app error, and the headers of the
 * default error answers and of an answer the app gives to a failed login.
 */
import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth, OAuthKitError } from '../../src/index.js'
import { authRoute, defaultErrorAnswer } from '../../src/routes.js'
import { SECRET } from '../support/helpers.js'

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
