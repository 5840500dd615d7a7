/**
 * The other grants and endpoints against a real OpenID provider (oidc-provider on 127.0.0.1):
 * client credentials, the device flow (approved, denied, aborted), revocation, introspection and
 * the RP-initiated logout URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeviceAuthorization } from '../src/index.js'
import {
  ErrorCode,
  MemoryCookieJar,
  OAuth,
  type OAuth2App,
  type OAuth2Token,
} from '../src/index.js'
import { SECRET, expectCode } from './support/helpers.js'
import {
  TEST_CLIENTS,
  TEST_POST_LOGOUT_REDIRECT_URI,
  TEST_REDIRECT_URI,
  startTestProvider,
  type TestProvider,
} from './support/oidc-provider.js'

let provider: TestProvider
beforeAll(async () => {
  provider = await startTestProvider()
  // oidc-provider sends no `interval`, so clients wait the RFC 8628 default of 5 s. Ask for 1 s instead,
  // so the device flow runs for real (with real sleeps) in about a second per poll.
  const events = provider.provider as unknown as {
    on(event: string, listener: (ctx: unknown, body: Record<string, unknown>) => void): void
  }
  events.on('device_authorization.success', (_ctx, body) => {
    body.interval = 1
  })
})
afterAll(() => provider?.close())

/** Token endpoint answers seen by the app, and a hook run on each one before the app reads it. */
interface Observer {
  tokenAnswers: Array<Record<string, unknown>>
  onTokenAnswer?: (body: Record<string, unknown>) => Promise<void> | void
}

function register(
  client: { clientId: string; clientSecret?: string; scope?: string },
  observer?: Observer,
) {
  const saved: OAuth2Token[] = []
  const oauth = new OAuth({
    secret: SECRET,
    updateToken: (_name, token: OAuth2Token) => void saved.push(token),
    fetch: async (input, init) => {
      const response = await globalThis.fetch(input, init)
      if (
        observer &&
        new URL(input instanceof Request ? input.url : String(input)).pathname === '/token'
      ) {
        const body = (await response.clone().json()) as Record<string, unknown>
        observer.tokenAnswers.push(body)
        await observer.onTokenAnswer?.(body)
      }
      return response
    },
  }).register('op', { serverMetadataUrl: provider.discoveryUrl, ...client })
  return { app: oauth.create('op') as OAuth2App, saved }
}

const service = () =>
  register({
    clientId: TEST_CLIENTS.service.client_id,
    clientSecret: TEST_CLIENTS.service.client_secret,
    scope: 'api:read',
  })
const basic = () =>
  register({
    clientId: TEST_CLIENTS.basic.client_id,
    clientSecret: TEST_CLIENTS.basic.client_secret,
    scope: 'openid email',
  })

/** A browser login of alice with the authorization code grant. */
async function login(app: OAuth2App): Promise<OAuth2Token> {
  const cookies = new MemoryCookieJar()
  const redirect = await app.authorizeRedirect({ cookies }, TEST_REDIRECT_URI)
  const { url } = await provider.authorize(redirect.headers.get('location')!)
  return app.authorizeAccessToken({ cookies, request: new Request(url) })
}

describe('client credentials', () => {
  it('gets a service token that introspects as active for the service client', async () => {
    const { app, saved } = service()
    const token = await app.clientCredentials()
    expect(token.token_type).toBe('bearer')
    expect(token.access_token).toBeTruthy()
    expect(token.refresh_token).toBeUndefined()
    expect(token.expires_at).toBeGreaterThan(Date.now() / 1000 + 3500)
    expect(saved).toEqual([token])
    const info = await app.introspectToken(token.access_token, { tokenTypeHint: 'access_token' })
    expect(info).toMatchObject({
      active: true,
      client_id: TEST_CLIENTS.service.client_id,
      token_type: 'Bearer',
    })
  })
})

describe('device flow', () => {
  const device = (observer: Observer) =>
    register({ clientId: TEST_CLIENTS.device.client_id, scope: 'openid email' }, observer)

  it('starts with the codes, keeps polling while pending, and ends in a validated token once approved', async () => {
    const shown: { userCode?: string } = {}
    const observer: Observer = {
      tokenAnswers: [],
      // The user approves only after the device's first poll, so that poll is answered authorization_pending.
      onTokenAnswer: async (body) => {
        if (body.error === 'authorization_pending' && observer.tokenAnswers.length === 1)
          await provider.approveDevice(shown.userCode!)
      },
    }
    const { app, saved } = device(observer)
    const authorization: DeviceAuthorization = await app.deviceAuthorization()
    shown.userCode = authorization.user_code
    expect(authorization.verification_uri).toBe(`${provider.issuer}/device`)
    expect(authorization.verification_uri_complete).toContain(
      `user_code=${encodeURIComponent(authorization.user_code)}`,
    )
    expect(authorization.interval).toBe(1)
    expect(authorization.expires_in).toBeGreaterThan(0)
    expect(authorization.expires_at! - Date.now() / 1000).toBeGreaterThan(
      authorization.expires_in - 5,
    )
    expect(authorization.expires_at! - Date.now() / 1000).toBeLessThanOrEqual(
      authorization.expires_in,
    )

    const token = await app.pollDeviceToken(authorization)
    expect(observer.tokenAnswers.map((b) => b.error ?? 'token')).toEqual([
      'authorization_pending',
      'token',
    ])
    expect(token.token_type).toBe('bearer')
    expect(token.refresh_token).toBeTruthy()
    expect(token.userinfo).toMatchObject({
      sub: 'alice',
      email: 'alice@example.test',
      iss: provider.issuer,
      aud: TEST_CLIENTS.device.client_id,
    })
    expect(saved).toEqual([token])
    await expect(app.userinfo(token)).resolves.toMatchObject({ sub: 'alice' })
  })

  it('fails with access_denied when the user aborts on the provider page', async () => {
    const shown: { userCode?: string } = {}
    const observer: Observer = {
      tokenAnswers: [],
      onTokenAnswer: async (body) => {
        if (body.error === 'authorization_pending')
          await provider.approveDevice(shown.userCode!, { deny: true })
      },
    }
    const { app, saved } = device(observer)
    const authorization = await app.deviceAuthorization()
    shown.userCode = authorization.user_code
    const err = await expectCode(app.pollDeviceToken(authorization), ErrorCode.ACCESS_DENIED)
    expect(err.error).toBe('access_denied')
    expect(err.message).not.toContain(authorization.device_code)
    expect(observer.tokenAnswers.map((b) => b.error)).toEqual([
      'authorization_pending',
      'access_denied',
    ])
    expect(saved).toEqual([])
  })

  it('stops at once when aborted while waiting between polls, with the signal reason', async () => {
    const controller = new AbortController()
    const reason = new Error('the user closed the window')
    const observer: Observer = {
      tokenAnswers: [],
      // Abort shortly after the first answer: the poller is then sleeping its 1 s interval.
      onTokenAnswer: () => void setTimeout(() => controller.abort(reason), 100),
    }
    const { app, saved } = device(observer)
    const authorization = await app.deviceAuthorization()
    const started = Date.now()
    await expect(app.pollDeviceToken(authorization, { signal: controller.signal })).rejects.toBe(
      reason,
    )
    // Rejected about 100 ms after the first poll (at ~1 s), well before the second poll would be due (~2 s).
    expect(Date.now() - started).toBeLessThan(1800)
    expect(observer.tokenAnswers).toHaveLength(1)
    expect(saved).toEqual([])
  })
})

describe('revocation and introspection', () => {
  it('introspects a live user token as active, with its subject and scope', async () => {
    const { app } = basic()
    const token = await login(app)
    const info = await app.introspectToken(token.access_token)
    expect(info).toMatchObject({
      active: true,
      sub: 'alice',
      client_id: TEST_CLIENTS.basic.client_id,
    })
    expect(info.scope?.split(' ')).toEqual(expect.arrayContaining(['openid', 'email']))
    const refresh = await app.introspectToken(token.refresh_token!, {
      tokenTypeHint: 'refresh_token',
    })
    expect(refresh).toMatchObject({
      active: true,
      sub: 'alice',
      client_id: TEST_CLIENTS.basic.client_id,
    })
    expect(refresh.exp).toBeGreaterThan(info.exp!)
  })

  it('revokes a token object through its refresh token, which ends the grant', async () => {
    const { app } = basic()
    const token = await login(app)
    await app.revokeToken(token)
    expect(await app.introspectToken(token.refresh_token!)).toEqual({ active: false })
    // oidc-provider revokes the whole grant with its refresh token, so the access token is dead too.
    expect(await app.introspectToken(token.access_token)).toEqual({ active: false })
    // Revoking again is not an error (RFC 7009 §2.2).
    await expect(
      app.revokeToken(token.refresh_token!, { tokenTypeHint: 'refresh_token' }),
    ).resolves.toBeUndefined()
  })

  it('revokes an access token given as a string', async () => {
    const { app } = service()
    const token = await app.clientCredentials()
    expect((await app.introspectToken(token.access_token)).active).toBe(true)
    await app.revokeToken(token.access_token, { tokenTypeHint: 'access_token' })
    expect(await app.introspectToken(token.access_token)).toEqual({ active: false })
  })
})

describe('RP-initiated logout', () => {
  it('builds a logout URL at the end_session_endpoint that the provider accepts', async () => {
    const { app } = basic()
    const token = await login(app)
    const discovery = (await (await fetch(provider.discoveryUrl)).json()) as {
      end_session_endpoint: string
    }
    const url = await app.createLogoutUrl({
      idTokenHint: token,
      postLogoutRedirectUri: TEST_POST_LOGOUT_REDIRECT_URI,
      state: 'bye-123',
      params: { ui_locales: 'en' },
    })
    expect(url.origin + url.pathname).toBe(discovery.end_session_endpoint)
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: TEST_CLIENTS.basic.client_id,
      id_token_hint: token.id_token,
      post_logout_redirect_uri: TEST_POST_LOGOUT_REDIRECT_URI,
      state: 'bye-123',
      ui_locales: 'en',
    })
    // The provider validates id_token_hint, client_id and post_logout_redirect_uri (an error page
    // otherwise), then, with no browser session to end, confirms on its own with an auto-submitted form.
    const page = await fetch(url, { redirect: 'manual' })
    const html = await page.text()
    expect(page.status, html).toBe(200)
    expect(html).not.toContain('id="error"')
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1]
    expect(xsrf).toBeTruthy()
    const cookie = page.headers
      .getSetCookie()
      .map((c) => c.split(';')[0])
      .join('; ')
    const confirmed = await fetch(`${provider.issuer}/session/end/confirm`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ xsrf: xsrf!, logout: 'yes' }),
    })
    expect(confirmed.status).toBe(303)
    expect(confirmed.headers.get('location')).toBe(`${TEST_POST_LOGOUT_REDIRECT_URI}?state=bye-123`)
  })

  it('leaves id_token_hint out when the token has no ID token', async () => {
    const { app } = service()
    const url = await app.createLogoutUrl({
      idTokenHint: { access_token: 'at', token_type: 'bearer' },
    })
    expect([...url.searchParams.keys()]).toEqual(['client_id'])
  })
})
