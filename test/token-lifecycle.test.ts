/**
 * The token lifecycle of an OAuth 2 app (src/oauth2.ts): when a token is due, the cross-process lock
 * around a refresh, the window in which a late caller gets the refreshed token, and the 401 recovery
 * of a client_credentials app.
 */
import { http, HttpResponse } from 'msw'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  OAuth,
  type LockFunction,
  type OAuth2AppConfig,
  type OAuth2Token,
  type OAuthOptions,
} from '../src/index.js'
import { SECRET, useMsw } from './support/helpers.js'

const server = useMsw()
const API = 'https://api.test'
const TOKEN_URL = 'https://idp.test/token'

let tokenCalls: URLSearchParams[]
let seen: string[]
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date('2026-12-01T00:00:00Z'))
  tokenCalls = []
  seen = []
  server.use(
    http.post(TOKEN_URL, async ({ request }) => {
      tokenCalls.push(new URLSearchParams(await request.text()))
      return HttpResponse.json({
        access_token: `at-new-${tokenCalls.length}`,
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_token: `rt-new-${tokenCalls.length}`,
      })
    }),
    http.get(`${API}/me`, ({ request }) => {
      const auth = request.headers.get('authorization') ?? ''
      seen.push(auth)
      return auth === 'Bearer revoked'
        ? new HttpResponse(null, {
            status: 401,
            headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
          })
        : HttpResponse.json({ auth })
    }),
  )
})
afterEach(() => vi.useRealTimers())

const now = () => Math.floor(Date.now() / 1000)
function app(config: Partial<OAuth2AppConfig> = {}, registry: Partial<OAuthOptions> = {}) {
  return new OAuth({ secret: SECRET, ...registry })
    .register('api', {
      clientId: 'c',
      clientSecret: 's',
      authorizeUrl: 'https://idp.test/authorize',
      accessTokenUrl: TOKEN_URL,
      apiBaseUrl: API,
      ...config,
    })
    .create('api')
}
const token = (expiresIn: number, extra: Partial<OAuth2Token> = {}): OAuth2Token => ({
  access_token: 'at-old',
  token_type: 'Bearer',
  refresh_token: 'rt-old',
  expires_at: now() + expiresIn,
  ...extra,
})

describe('token lifecycle', () => {
  it('refreshes a token that expires within leeway seconds, boundary included, and uses one that expires later as it is', async () => {
    await app({ leeway: 120 }).get('me', { token: token(121) })
    expect(tokenCalls).toHaveLength(0)
    await app({ leeway: 120 }).get('me', { token: token(120) })
    expect(tokenCalls).toHaveLength(1)
    expect(seen).toEqual(['Bearer at-old', 'Bearer at-new-1'])
  })

  it('gives a late caller holding the old token the refreshed one for 60 s, then refreshes again', async () => {
    const a = app()
    const old = token(-10)
    expect((await a.refreshToken(old)).access_token).toBe('at-new-1')
    vi.setSystemTime(Date.now() + 59_999)
    expect((await a.refreshToken(old)).access_token).toBe('at-new-1')
    vi.setSystemTime(Date.now() + 1)
    expect((await a.refreshToken(old)).access_token).toBe('at-new-2')
    expect(tokenCalls).toHaveLength(2)
  })

  it('refreshes under the registry lock, named by a digest of the refresh token, and uses a usable token another process stored meanwhile', async () => {
    const keys: string[] = []
    let stored: OAuth2Token | undefined
    const lock: LockFunction = async (key, fn) => (keys.push(key), fn())
    const a = app({}, { lock, fetchToken: () => stored })
    // Another process already refreshed: its token is used, no request is sent.
    stored = token(3600, { access_token: 'at-other-process', refresh_token: 'rt-other' })
    expect((await a.refreshToken(token(-10))).access_token).toBe('at-other-process')
    expect(tokenCalls).toHaveLength(0)
    expect(keys).toHaveLength(1)
    expect(keys[0]).toMatch(/^oauthkit:refresh:[\w-]{43}$/)
    expect(keys[0]).not.toContain('rt-old')
    // The store holds the caller's own access token, or one that is itself due: this process refreshes.
    for (const [i, s] of [
      token(3600, { refresh_token: 'rt-a' }),
      token(30, { access_token: 'at-due', refresh_token: 'rt-b' }),
    ].entries()) {
      stored = s
      expect((await a.refreshToken({ ...s, expires_at: now() - 10 })).access_token).toBe(
        `at-new-${i + 1}`,
      )
    }
    expect(tokenCalls.map((b) => b.get('refresh_token'))).toEqual(['rt-a', 'rt-b'])
  })

  it('a client_credentials app recovers from 401 invalid_token with a new token although it has no refresh_token', async () => {
    const a = app({ grantType: 'client_credentials' })
    expect(
      await a
        .get('me', { token: token(3600, { access_token: 'revoked', refresh_token: undefined }) })
        .json(),
    ).toEqual({ auth: 'Bearer at-new-1' })
    expect(tokenCalls.map((b) => b.get('grant_type'))).toEqual(['client_credentials'])
    expect(seen).toEqual(['Bearer revoked', 'Bearer at-new-1'])
  })
})
