/**
 * The native routes (src/routes/native.ts), what the integration tests against oidc-provider leave
 * unpinned: the redirect URI allow-list and its loopback ports, the token answer's fields, which grant a
 * request names, exactly what reaches the app, and the answers the device route gives.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { BoundOAuth2App } from '../../src/bound.js'
import { ErrorCode, OAuthKitError } from '../../src/index.js'
import {
  deviceRoute,
  redirectUriAllowed,
  tokenAnswer,
  tokenRoute,
} from '../../src/routes/native.js'
import type { OAuth2Token } from '../../src/types.js'

const LOOPBACK = 'http://127.0.0.1/cb'

describe('redirectUriAllowed', () => {
  const anyPort = (...redirectUris: string[]) => ({ redirectUris, loopbackAnyPort: true })

  it('allows a listed URI exactly, and nothing else without loopbackAnyPort', () => {
    const options = { redirectUris: ['https://app.example/cb', LOOPBACK] }
    expect(redirectUriAllowed('https://app.example/cb', options)).toBe(true)
    expect(redirectUriAllowed(LOOPBACK, options)).toBe(true)
    expect(redirectUriAllowed('https://app.example/cb/', options)).toBe(false)
    expect(redirectUriAllowed('http://127.0.0.1:5000/cb', options)).toBe(false)
    expect(redirectUriAllowed('http://127.0.0.1:5000/cb', { ...options, loopbackAnyPort: false })).toBe(
      false,
    )
  })

  it('with loopbackAnyPort, a listed loopback IP URI matches on any port, IPv4 and IPv6', () => {
    expect(redirectUriAllowed('http://127.0.0.1:5000/cb', anyPort(LOOPBACK))).toBe(true)
    expect(redirectUriAllowed('http://127.0.0.1:5000/cb', anyPort('http://127.0.0.1:4000/cb'))).toBe(
      true,
    )
    expect(redirectUriAllowed('http://[::1]:5000/cb', anyPort('http://[::1]/cb'))).toBe(true)
    // A listed URI that cannot be a loopback IP is skipped, not the end of the search.
    expect(
      redirectUriAllowed('http://127.0.0.1:5000/cb', anyPort('https://app.example/cb', 'not a url', LOOPBACK)),
    ).toBe(true)
  })

  it('with loopbackAnyPort, only the port may differ', () => {
    const options = anyPort(LOOPBACK, 'http://[::1]/cb')
    for (const uri of [
      'http://127.0.0.2:5000/cb',
      'http://127.0.0.1:5000/other',
      'http://127.0.0.1:5000/cb?x=1',
      'http://127.0.0.1:5000/cb#x',
      'http://[::1]:5000/other',
      'http://[::2]:5000/cb',
    ])
      expect(redirectUriAllowed(uri, options), uri).toBe(false)
    // IPv4 for an IPv6 entry and the other way round.
    expect(redirectUriAllowed('http://127.0.0.1:5000/cb', anyPort('http://[::1]/cb'))).toBe(false)
    expect(redirectUriAllowed('http://[::1]:5000/cb', anyPort(LOOPBACK))).toBe(false)
  })

  it('with loopbackAnyPort, the URI must be written as the listed one is: no other spelling of it', () => {
    for (const uri of [
      'http://127.0.0.1:5000/a/../cb',
      'HTTP://127.0.0.1:5000/cb',
      'http://127.0.0.1:5000/%63b',
      'http://127.0.0.1:80/cb',
    ])
      expect(redirectUriAllowed(uri, anyPort(LOOPBACK)), uri).toBe(false)
  })

  it('with loopbackAnyPort, names and https are compared with their port, even listed ones (RFC 8252 §8.3)', () => {
    const cases: Array<[string, string]> = [
      ['http://localhost:5000/cb', 'http://localhost/cb'],
      ['http://127.localhost:5000/cb', 'http://127.localhost/cb'],
      ['http://127x.localhost:5000/cb', 'http://127x.localhost/cb'],
      ['http://app.localhost:5000/cb', 'http://app.localhost/cb'],
      ['https://127.0.0.1:5000/cb', 'https://127.0.0.1/cb'],
      ['https://[::1]:5000/cb', 'https://[::1]/cb'],
      ['http://app.example:5000/cb', 'http://app.example/cb'],
    ]
    for (const [uri, listed] of cases) {
      expect(redirectUriAllowed(uri, anyPort(listed)), uri).toBe(false)
      // The listed name on another port is not enough either, with an IP URI listed beside it.
      expect(redirectUriAllowed(uri, anyPort(LOOPBACK, listed)), uri).toBe(false)
    }
    // A loopback request never matches a listed name.
    expect(redirectUriAllowed('http://127.0.0.1:5000/cb', anyPort('http://localhost/cb'))).toBe(false)
  })

  it('refuses what is not a URL, without throwing', () => {
    expect(redirectUriAllowed('not a url', anyPort(LOOPBACK, 'not a url'))).toBe(true)
    expect(redirectUriAllowed('http://127.0.0.1:5000/cb', anyPort('not a url'))).toBe(false)
    expect(redirectUriAllowed('::', anyPort(LOOPBACK))).toBe(false)
    expect(redirectUriAllowed('', anyPort(LOOPBACK))).toBe(false)
  })
})

describe('tokenAnswer', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('answers the wire fields only, expires_in counted from now in whole seconds, never cached', async () => {
    vi.useFakeTimers({ now: 1_000_000_900 })
    const token = {
      access_token: 'at',
      token_type: 'bearer',
      expires_at: 1_000_100,
      refresh_token: 'rt',
      id_token: 'it',
      scope: 'openid email',
      userId: 'alice',
    } as OAuth2Token
    const answer = tokenAnswer(token)
    expect(answer.status).toBe(200)
    expect(answer.headers.get('cache-control')).toBe('no-store')
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8')
    expect(await answer.json()).toStrictEqual({
      access_token: 'at',
      token_type: 'bearer',
      expires_in: 100,
      refresh_token: 'rt',
      id_token: 'it',
      scope: 'openid email',
    })
  })

  it('an expired token answers expires_in 0; no expires_at, no expires_in; absent fields stay absent', async () => {
    vi.useFakeTimers({ now: 1_000_000_000 })
    const expired = await tokenAnswer({
      access_token: 'at',
      token_type: 'bearer',
      expires_at: 999_000,
    }).json()
    expect(expired).toStrictEqual({ access_token: 'at', token_type: 'bearer', expires_in: 0 })
    const bare = await tokenAnswer({ access_token: 'at', token_type: 'DPoP' }).json()
    expect(bare).toStrictEqual({ access_token: 'at', token_type: 'DPoP' })
  })
})

const TOKEN: OAuth2Token = { access_token: 'new-at', token_type: 'bearer', refresh_token: 'new-rt' }

/** A bound app whose grant methods record their arguments and answer `answer` (or throw it). */
function stubApp(answer: unknown = TOKEN) {
  const calls: Array<[string, ...unknown[]]> = []
  const reply = async (name: string, ...args: unknown[]) => {
    calls.push([name, ...args])
    if (answer instanceof Error) throw answer
    return answer
  }
  const app = {
    app: {
      exchangeCode: (options: unknown) => reply('exchangeCode', options),
      refreshToken: (token: unknown, options: unknown) => reply('refreshToken', token, options),
      deviceAuthorization: (options: unknown) => reply('deviceAuthorization', options),
      pollDeviceTokenOnce: (code: unknown) => reply('pollDeviceTokenOnce', code),
    },
  } as unknown as BoundOAuth2App
  return { app, calls }
}

const post = (fields: Partial<Record<string, string>>) =>
  new Request('https://app.example/auth/idp/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields as Record<string, string>),
  })

const ALLOWED = { redirectUris: [LOOPBACK] }
const CODE = { code: 'the-code', redirect_uri: LOOPBACK, code_verifier: 'the-verifier' }

describe('tokenRoute', () => {
  it('authorization_code: hands the code, redirect URI and verifier to exchangeCode, and a nonce only when sent', async () => {
    const { app, calls } = stubApp()
    const answer = await tokenRoute(app, post({ grant_type: 'authorization_code', ...CODE }), ALLOWED)
    expect(answer.status).toBe(200)
    expect(await answer.json()).toStrictEqual({
      access_token: 'new-at',
      token_type: 'bearer',
      refresh_token: 'new-rt',
    })
    await tokenRoute(app, post({ ...CODE, nonce: 'n-1' }), ALLOWED)
    expect(calls).toStrictEqual([
      ['exchangeCode', { code: 'the-code', redirectUri: LOOPBACK, codeVerifier: 'the-verifier' }],
      [
        'exchangeCode',
        { code: 'the-code', redirectUri: LOOPBACK, codeVerifier: 'the-verifier', nonce: 'n-1' },
      ],
    ])
  })

  it('refresh_token: refreshes the client’s refresh token without handing it to updateToken', async () => {
    const { app, calls } = stubApp()
    for (const fields of [{ grant_type: 'refresh_token', refresh_token: 'rt-1' }, { refresh_token: 'rt-2' }]) {
      const answer = await tokenRoute(app, post(fields), ALLOWED)
      expect(answer.status).toBe(200)
    }
    expect(calls).toStrictEqual(
      ['rt-1', 'rt-2'].map((rt) => [
        'refreshToken',
        { access_token: '', token_type: 'bearer', refresh_token: rt },
        { persist: false },
      ]),
    )
  })

  it('without grant_type, a code names authorization_code before a refresh token does', async () => {
    const { app, calls } = stubApp()
    await tokenRoute(app, post({ ...CODE, refresh_token: 'rt' }), ALLOWED)
    expect(calls.map(([name]) => name)).toEqual(['exchangeCode'])
  })

  it('refuses another grant_type, even with a code or refresh token, and a request that names none', async () => {
    const { app, calls } = stubApp()
    for (const fields of [
      { grant_type: 'password', ...CODE },
      { grant_type: 'client_credentials', refresh_token: 'rt' },
      { grant_type: '', ...CODE },
      {},
    ]) {
      const answer = await tokenRoute(app, post(fields), ALLOWED)
      expect(answer.status).toBe(400)
      expect(answer.headers.get('cache-control')).toBe('no-store')
      expect(await answer.json()).toStrictEqual({
        error: 'unsupported_grant_type',
        error_description: 'grant_type must be authorization_code or refresh_token',
      })
    }
    expect(calls).toEqual([])
  })

  it('refuses a missing or empty parameter by its name, and a redirect URI not allowed, before asking the provider', async () => {
    const { app, calls } = stubApp()
    const cases: Array<[Record<string, string>, string]> = [
      [{ code: 'c', code_verifier: 'v' }, 'the redirect_uri parameter is missing'],
      [{ code: 'c', redirect_uri: '', code_verifier: 'v' }, 'the redirect_uri parameter is missing'],
      [{ grant_type: 'authorization_code', redirect_uri: LOOPBACK, code_verifier: 'v' }, 'the code parameter is missing'],
      [{ code: '', redirect_uri: LOOPBACK, code_verifier: 'v' }, 'the code parameter is missing'],
      [{ code: 'c', redirect_uri: LOOPBACK }, 'the code_verifier parameter is missing'],
      [{ code: 'c', redirect_uri: LOOPBACK, code_verifier: '' }, 'the code_verifier parameter is missing'],
      [
        { code: 'c', redirect_uri: 'http://127.0.0.1:5000/cb', code_verifier: 'v' },
        'redirect_uri is not one this app allows its clients to use',
      ],
      [{ grant_type: 'refresh_token' }, 'the refresh_token parameter is missing'],
      [{ grant_type: 'refresh_token', refresh_token: '' }, 'the refresh_token parameter is missing'],
    ]
    for (const [fields, message] of cases) {
      const answer = await tokenRoute(app, post(fields), ALLOWED)
      expect(answer.status, message).toBe(400)
      expect(await answer.json()).toStrictEqual({
        error: 'invalid_request',
        error_description: message,
      })
    }
    expect(calls).toEqual([])
  })

  it('answers an oauthkit error as RFC 6749 §5.2 JSON and rethrows anything else', async () => {
    const refused = new OAuthKitError(ErrorCode.TOKEN_ERROR, 'the provider refused the grant', {
      error: 'invalid_grant',
    })
    for (const fields of [CODE, { refresh_token: 'rt' }]) {
      const answer = await tokenRoute(stubApp(refused).app, post(fields), ALLOWED)
      expect(answer.status).toBe(400)
      expect(await answer.json()).toStrictEqual({
        error: 'invalid_grant',
        error_description: 'the provider refused the grant',
      })
      const bug = new Error('a bug in the app')
      await expect(tokenRoute(stubApp(bug).app, post(fields), ALLOWED)).rejects.toBe(bug)
    }
  })
})

const DEVICE = {
  device_code: 'dc',
  user_code: 'ABCD-EFGH',
  verification_uri: 'https://idp.example/device',
  verification_uri_complete: 'https://idp.example/device?user_code=ABCD-EFGH',
  expires_in: 600,
  expires_at: 1_000_600,
  interval: 5,
}

describe('deviceRoute', () => {
  it('starts the flow with the route’s scope (the app’s without one) and answers the codes without expires_at', async () => {
    const { app, calls } = stubApp(DEVICE)
    const { expires_at: _, ...wire } = DEVICE
    for (const options of [{}, { scope: 'openid email' }]) {
      const answer = await deviceRoute(app, post({ scope: 'admin' }), options)
      expect(answer.status).toBe(200)
      expect(answer.headers.get('cache-control')).toBe('no-store')
      expect(await answer.json()).toStrictEqual(wire)
    }
    expect(calls).toStrictEqual([
      ['deviceAuthorization', {}],
      ['deviceAuthorization', { scope: 'openid email' }],
    ])
  })

  it('polls once with the device code: pending answers, then the token', async () => {
    const pending = async (state: string) =>
      deviceRoute(stubApp({ pending: state }).app, post({ device_code: 'dc' }), {})
    const waiting = await pending('authorization_pending')
    expect(waiting.status).toBe(400)
    expect(waiting.headers.get('cache-control')).toBe('no-store')
    expect(await waiting.json()).toStrictEqual({
      error: 'authorization_pending',
      error_description: 'the user has not approved the device yet',
    })
    const slow = await pending('slow_down')
    expect(slow.status).toBe(400)
    expect(await slow.json()).toStrictEqual({
      error: 'slow_down',
      error_description: 'polling too often: wait 5 seconds more between polls',
    })
    const { app, calls } = stubApp({ token: TOKEN })
    const done = await deviceRoute(app, post({ device_code: 'dc' }), {})
    expect(done.status).toBe(200)
    expect(await done.json()).toStrictEqual({
      access_token: 'new-at',
      token_type: 'bearer',
      refresh_token: 'new-rt',
    })
    expect(calls).toStrictEqual([['pollDeviceTokenOnce', 'dc']])
  })

  it('refuses an empty device code before asking the provider; oauthkit errors as JSON, anything else rethrown', async () => {
    const { app, calls } = stubApp(DEVICE)
    const empty = await deviceRoute(app, post({ device_code: '' }), {})
    expect(empty.status).toBe(400)
    expect(await empty.json()).toStrictEqual({
      error: 'invalid_request',
      error_description: 'device_code is empty',
    })
    expect(calls).toEqual([])
    const expired = new OAuthKitError(ErrorCode.TOKEN_ERROR, 'the device code expired', {
      error: 'expired_token',
    })
    for (const fields of [{}, { device_code: 'dc' }]) {
      const answer = await deviceRoute(stubApp(expired).app, post(fields), {})
      expect(answer.status).toBe(400)
      expect(await answer.json()).toStrictEqual({
        error: 'expired_token',
        error_description: 'the device code expired',
      })
      const bug = new Error('a bug in the app')
      await expect(deviceRoute(stubApp(bug).app, post(fields), {})).rejects.toBe(bug)
    }
  })
})
