/**
 * Hostile PAR and DPoP cases against oidc-provider on 127.0.0.1, with a tampering network between the
 * app and the provider (the app's `fetch` rewrites one answer), and a resource server that keeps asking
 * for a new DPoP nonce.
 */
import { randomBytes } from 'node:crypto'
import { HTTPError } from 'ky'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  ErrorCode,
  MemoryCookieJar,
  OAuth,
  type OAuth2AppConfig,
  type OAuth2Token,
} from '../../src/index.js'
import {
  startDPoPResourceServer,
  type DPoPResourceServer,
} from '../support/dpop-resource-server.js'
import { SECRET, expectCode } from '../support/helpers.js'
import {
  TEST_CLIENTS,
  TEST_REDIRECT_URI,
  startTestProvider,
  type TestProvider,
} from '../support/oidc-provider.js'

let provider: TestProvider
let strict: TestProvider
let rs: DPoPResourceServer
/** Paths of the requests the app sent to the provider. */
let sent: string[] = []
/** Rewrites the JSON answer of a provider path, when set. */
let rewrite: ((path: string, body: Record<string, unknown>) => Record<string, unknown>) | undefined

/** The network between app and provider: records, and rewrites JSON answers on demand. */
const network: typeof fetch = async (input, init) => {
  const request = new Request(input, init)
  const path = new URL(request.url).pathname
  sent.push(path)
  const response = await fetch(request)
  if (!rewrite || !response.headers.get('content-type')?.includes('json')) return response
  const body = rewrite(path, (await response.json()) as Record<string, unknown>)
  const headers = new Headers(response.headers)
  headers.delete('content-length')
  return new Response(JSON.stringify(body), { status: response.status, headers })
}

beforeAll(async () => {
  provider = await startTestProvider({
    configuration: {
      features: {
        dPoP: { enabled: true, nonceSecret: randomBytes(32), requireNonce: () => false },
        pushedAuthorizationRequests: { enabled: true },
      },
    } as never,
  })
  strict = await startTestProvider({
    configuration: {
      features: { pushedAuthorizationRequests: { requirePushedAuthorizationRequests: true } },
    } as never,
  })
  rs = await startDPoPResourceServer(async () => ({ active: true, cnf: { jkt: 'not-checked' } }))
})
afterAll(async () => {
  await provider?.close()
  await strict?.close()
  await rs?.close()
})
beforeEach(() => {
  sent = []
  rewrite = undefined
  rs.seen = []
  rs.nonce = 'none'
})

function app(p: TestProvider, config: Partial<OAuth2AppConfig>, saved: OAuth2Token[]) {
  return new OAuth({ secret: SECRET, updateToken: (_n, t) => void saved.push(t as OAuth2Token) })
    .register('op', {
      serverMetadataUrl: p.discoveryUrl,
      clientId: TEST_CLIENTS.basic.client_id,
      clientSecret: TEST_CLIENTS.basic.client_secret,
      scope: 'openid',
      fetch: network,
      trustedOrigins: [rs.url],
      ...config,
    })
    .create('op')
}

/** A DPoP token for `app`, through the real login. */
async function dpopLogin(a: ReturnType<typeof app>) {
  const cookies = new MemoryCookieJar()
  const redirect = await a.authorizeRedirect({ cookies }, TEST_REDIRECT_URI)
  const { url } = await provider.authorize(redirect.headers.get('location')!)
  return { cookies, callback: new Request(url) }
}

describe('DPoP downgrades', () => {
  it('dpop-bearer-downgrade: a Bearer token_type answered to a DPoP code exchange is refused, nothing stored', async () => {
    const saved: OAuth2Token[] = []
    const a = app(provider, { dpop: true }, saved)
    const { cookies, callback } = await dpopLogin(a)
    rewrite = (path, body) => (path === '/token' ? { ...body, token_type: 'Bearer' } : body)
    await expectCode(
      a.authorizeAccessToken({ cookies, request: callback }),
      ErrorCode.DPOP_NOT_BOUND,
    )
    expect(saved).toEqual([])
    expect(sent.filter((p) => p === '/token')).toHaveLength(1)
    // The transaction was taken: the same callback cannot be replayed.
    await expectCode(
      a.authorizeAccessToken({ cookies, request: callback }),
      ErrorCode.TRANSACTION_NOT_FOUND,
    )
  })

  it('dpop-refresh-downgrade: a Bearer token_type answered to a DPoP refresh is refused, nothing stored', async () => {
    const saved: OAuth2Token[] = []
    const a = app(provider, { dpop: true }, saved)
    const { cookies, callback } = await dpopLogin(a)
    const token = await a.authorizeAccessToken({ cookies, request: callback })
    saved.length = 0
    rewrite = (path, body) => (path === '/token' ? { ...body, token_type: 'bearer' } : body)
    const error = await expectCode(a.refreshToken(token), ErrorCode.REAUTHENTICATION_REQUIRED)
    expect((error.cause as { code?: string }).code).toBe(ErrorCode.DPOP_NOT_BOUND)
    expect(saved).toEqual([])
  })

  it('dpop-token-without-key: a DPoP token stored without its key is refused before anything is sent', async () => {
    const a = app(provider, { dpop: true }, [])
    const token: OAuth2Token = { access_token: 'at', token_type: 'DPoP' }
    await expectCode(a.fetcher({ token })(`${rs.url}/me`), ErrorCode.TOKEN_MISSING)
    expect(rs.seen).toEqual([])
  })

  it('dpop-rs-nonce-loop: a resource server that asks for a new nonce every time gets one retry only', async () => {
    const a = app(provider, { dpop: true }, [])
    const { cookies, callback } = await dpopLogin(a)
    const token = await a.authorizeAccessToken({ cookies, request: callback })
    rs.nonce = 'loop'
    const error = await a
      .get(`${rs.url}/me`, { token })
      .json()
      .catch((e: unknown) => e)
    expect(error).toBeInstanceOf(HTTPError)
    expect((error as HTTPError).response.status).toBe(401)
    expect(rs.seen.map((s) => s.reason)).toEqual(['use_dpop_nonce', 'use_dpop_nonce'])
    rs.seen = []
    const response = await a.fetcher({ token })(`${rs.url}/me`)
    expect(response.status).toBe(401)
    expect(rs.seen).toHaveLength(2)
  })
})

describe('PAR answers and settings', () => {
  /** The PAR answer rewritten by `edit` refuses the login with invalid_response, and stores nothing. */
  async function refused(setting: true | 'required', edit: Record<string, unknown>) {
    const cookies = new MemoryCookieJar()
    const a = app(provider, { pushedAuthorizationRequests: setting }, [])
    rewrite = (path, body) => (path === '/request' ? { ...body, ...edit } : body)
    await expectCode(
      a.authorizeRedirect({ cookies }, TEST_REDIRECT_URI),
      ErrorCode.INVALID_RESPONSE,
    )
    expect(cookies.getAll()).toEqual([])
  }

  it('par-no-request-uri: a PAR answer without a usable request_uri is refused, no transaction stored', async () => {
    for (const request_uri of [undefined, '', 42]) await refused(true, { request_uri })
  })

  it('par-bad-expires-in: a PAR answer whose expires_in is absent, not a number, not positive or over a day is refused', async () => {
    for (const expires_in of [-5, 0, 'soon', undefined, 1e9])
      await refused('required', { expires_in })
  })

  it('par-required-app-false: metadata requiring PAR while the app says false is config_invalid at login', async () => {
    const cookies = new MemoryCookieJar()
    const a = app(strict, { pushedAuthorizationRequests: false }, [])
    const error = await expectCode(
      a.authorizeRedirect({ cookies }, TEST_REDIRECT_URI),
      ErrorCode.CONFIG_INVALID,
    )
    expect(error.message).toMatch(/pushedAuthorizationRequests is false/)
    expect(sent).not.toContain('/request')
    expect(cookies.getAll()).toEqual([])
  })
})
