import * as oauth from 'oauth4webapi'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  DEFAULT_TEST_ACCOUNT,
  TEST_CLIENTS,
  TEST_POST_LOGOUT_REDIRECT_URI,
  TEST_REDIRECT_URI,
  startTestProvider,
  type TestProvider,
} from '../support/oidc-provider.js'

// oauth4webapi refuses http:// endpoints unless told otherwise; the test provider is plain HTTP on loopback.
const insecure = { [oauth.allowInsecureRequests]: true } as const

async function discover(op: TestProvider): Promise<oauth.AuthorizationServer> {
  const issuer = new URL(op.issuer)
  return oauth.processDiscoveryResponse(
    issuer,
    await oauth.discoveryRequest(issuer, { ...insecure, algorithm: 'oidc' }),
  )
}

async function authorizationRequest(
  as: oauth.AuthorizationServer,
  clientId: string,
  extra: Record<string, string> = {},
) {
  const verifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const url = new URL(as.authorization_endpoint!)
  url.search = new URLSearchParams({
    client_id: clientId,
    redirect_uri: TEST_REDIRECT_URI,
    response_type: 'code',
    scope: 'openid email profile',
    state,
    code_challenge: await oauth.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...extra,
  }).toString()
  return { url, verifier, state }
}

/** Full authorization code + PKCE login through the provider, returning the token endpoint response. */
async function loginWith(
  op: TestProvider,
  as: oauth.AuthorizationServer,
  clientId: string,
  auth: oauth.ClientAuth,
) {
  const client: oauth.Client = { client_id: clientId }
  const { url, verifier, state } = await authorizationRequest(as, clientId)
  const result = await op.authorize(url)
  const params = oauth.validateAuthResponse(as, client, result.url, state)
  const response = await oauth.authorizationCodeGrantRequest(
    as,
    client,
    auth,
    params,
    TEST_REDIRECT_URI,
    verifier,
    insecure,
  )
  return oauth.processAuthorizationCodeResponse(as, client, response, { requireIdToken: true })
}

describe('startTestProvider', () => {
  let op: TestProvider
  let as: oauth.AuthorizationServer
  const basic: oauth.Client = { client_id: TEST_CLIENTS.basic.client_id }
  const basicAuth = oauth.ClientSecretBasic(TEST_CLIENTS.basic.client_secret)

  beforeAll(async () => {
    op = await startTestProvider()
    as = await discover(op)
  })
  afterAll(() => op?.close())

  it('serves discovery on a 127.0.0.1 issuer with RFC 9207, logout, device and introspection endpoints', () => {
    expect(op.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
    expect(op.discoveryUrl).toBe(`${op.issuer}/.well-known/openid-configuration`)
    expect(as.issuer).toBe(op.issuer)
    expect(as.authorization_response_iss_parameter_supported).toBe(true)
    expect(as.end_session_endpoint).toBe(`${op.issuer}/session/end`)
    expect(as.device_authorization_endpoint).toBeDefined()
    expect(as.introspection_endpoint).toBeDefined()
    expect(as.revocation_endpoint).toBeDefined()
    expect(as.scopes_supported).toEqual(
      expect.arrayContaining(['openid', 'offline_access', 'email', 'profile', 'api:read']),
    )
  })

  it('logs in with authorization code + PKCE (basic-client): code, state, iss; tokens; id_token with email', async () => {
    const { url, verifier, state } = await authorizationRequest(as, basic.client_id)
    const result = await op.authorize(url)
    expect(result.form).toBeUndefined()
    expect(`${result.url.origin}${result.url.pathname}`).toBe(TEST_REDIRECT_URI)
    expect(result.url.searchParams.get('code')).toBeTruthy()
    expect(result.url.searchParams.get('state')).toBe(state)
    expect(result.url.searchParams.get('iss')).toBe(op.issuer)

    const params = oauth.validateAuthResponse(as, basic, result.url, state)
    const response = await oauth.authorizationCodeGrantRequest(
      as,
      basic,
      basicAuth,
      params,
      TEST_REDIRECT_URI,
      verifier,
      insecure,
    )
    const tokens = await oauth.processAuthorizationCodeResponse(as, basic, response, {
      requireIdToken: true,
    })
    expect(tokens.access_token).toBeTruthy()
    expect(tokens.refresh_token).toBeTruthy()
    expect(tokens.expires_in).toBe(3600)
    const claims = oauth.getValidatedIdTokenClaims(tokens)!
    expect(claims.sub).toBe('alice')
    expect(claims.email).toBe(DEFAULT_TEST_ACCOUNT.email)
    expect(claims.name).toBe(DEFAULT_TEST_ACCOUNT.name)

    const userinfo = await oauth.processUserInfoResponse(
      as,
      basic,
      'alice',
      await oauth.userInfoRequest(as, basic, tokens.access_token, insecure),
    )
    expect(userinfo).toMatchObject({
      sub: 'alice',
      email: 'alice@example.test',
      email_verified: true,
    })
  })

  it('rotates refresh tokens; the old one then fails with invalid_grant', async () => {
    const first = await loginWith(op, as, basic.client_id, basicAuth)
    const refreshed = await oauth.processRefreshTokenResponse(
      as,
      basic,
      await oauth.refreshTokenGrantRequest(as, basic, basicAuth, first.refresh_token!, insecure),
    )
    expect(refreshed.access_token).toBeTruthy()
    expect(refreshed.refresh_token).toBeTruthy()
    expect(refreshed.refresh_token).not.toBe(first.refresh_token)

    const reuse = oauth.processRefreshTokenResponse(
      as,
      basic,
      await oauth.refreshTokenGrantRequest(as, basic, basicAuth, first.refresh_token!, insecure),
    )
    await expect(reuse).rejects.toMatchObject({ error: 'invalid_grant' })
  })

  it.each([
    ['post-client', () => oauth.ClientSecretPost(TEST_CLIENTS.post.client_secret)],
    ['none-client', () => oauth.None()],
    ['jwt-client', () => oauth.ClientSecretJwt(TEST_CLIENTS.jwt.client_secret)],
  ])('logs in %s with its token endpoint auth method', async (clientId, auth) => {
    const tokens = await loginWith(op, as, clientId, auth())
    expect(tokens.access_token).toBeTruthy()
    expect(oauth.getValidatedIdTokenClaims(tokens)?.aud).toBe(clientId)
  })

  it('logs in pkjwt-client with private_key_jwt using the exported private key', async () => {
    expect(op.privateKeyJwk).toMatchObject({
      kid: expect.any(String),
      alg: 'ES256',
      d: expect.any(String),
    })
    const auth = oauth.PrivateKeyJwt({ key: op.privateKey, kid: op.privateKeyJwk.kid })
    const tokens = await loginWith(op, as, TEST_CLIENTS.pkjwt.client_id, auth)
    expect(tokens.access_token).toBeTruthy()
    expect(tokens.refresh_token).toBeTruthy()
  })

  it('returns the auto-submitted form for response_mode=form_post', async () => {
    const { url, state } = await authorizationRequest(as, basic.client_id, {
      response_mode: 'form_post',
    })
    const result = await op.authorize(url)
    expect(result.url.href).toBe(TEST_REDIRECT_URI)
    expect(result.form?.get('code')).toBeTruthy()
    expect(result.form?.get('state')).toBe(state)
    expect(result.form?.get('iss')).toBe(op.issuer)
    expect(oauth.validateAuthResponse(as, basic, result.form!, state).get('code')).toBeTruthy()
  })

  it('returns the error in the form for form_post + deny, and in the fragment for response_mode=fragment', async () => {
    const denied = await op.authorize(
      (await authorizationRequest(as, basic.client_id, { response_mode: 'form_post' })).url,
      { deny: true },
    )
    expect(denied.form?.get('error')).toBe('access_denied')

    const { url, state } = await authorizationRequest(as, basic.client_id, {
      response_mode: 'fragment',
    })
    const fragment = new URLSearchParams((await op.authorize(url)).url.hash.slice(1))
    expect(fragment.get('code')).toBeTruthy()
    expect(fragment.get('state')).toBe(state)
  })

  it('returns error=access_denied when the user cancels', async () => {
    const { url, state } = await authorizationRequest(as, basic.client_id)
    const result = await op.authorize(url, { deny: true })
    expect(result.url.searchParams.get('error')).toBe('access_denied')
    expect(result.url.searchParams.get('state')).toBe(state)
    expect(() => oauth.validateAuthResponse(as, basic, result.url, state)).toThrow(
      oauth.AuthorizationResponseError,
    )
  })

  it('requires PKCE by default and rejects unknown logins and clients', async () => {
    const { url } = await authorizationRequest(as, basic.client_id)
    url.searchParams.delete('code_challenge')
    url.searchParams.delete('code_challenge_method')
    const result = await op.authorize(url)
    expect(result.url.searchParams.get('error')).toBe('invalid_request')

    await expect(
      op.authorize((await authorizationRequest(as, basic.client_id)).url, { login: 'mallory' }),
    ).rejects.toThrow(/no account matches/)
    // Errors the provider cannot redirect (unknown client) surface as a thrown error carrying its error page text.
    await expect(
      op.authorize((await authorizationRequest(as, 'no-such-client')).url),
    ).rejects.toThrow(/invalid_client/)
  })

  it('issues client_credentials tokens to service-client', async () => {
    const service: oauth.Client = { client_id: TEST_CLIENTS.service.client_id }
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      service,
      oauth.ClientSecretBasic(TEST_CLIENTS.service.client_secret),
      { scope: 'api:read' },
      insecure,
    )
    const tokens = await oauth.processClientCredentialsResponse(as, service, response)
    expect(tokens.access_token).toBeTruthy()
    expect(tokens.scope).toBe('api:read')
    expect(tokens.refresh_token).toBeUndefined()
  })

  it('runs the device flow: start, pending, approveDevice, poll -> tokens', async () => {
    const device: oauth.Client = { client_id: TEST_CLIENTS.device.client_id }
    const started = await oauth.processDeviceAuthorizationResponse(
      as,
      device,
      await oauth.deviceAuthorizationRequest(
        as,
        device,
        oauth.None(),
        { scope: 'openid email' },
        insecure,
      ),
    )
    const poll = async () =>
      oauth.processDeviceCodeResponse(
        as,
        device,
        await oauth.deviceCodeGrantRequest(as, device, oauth.None(), started.device_code, insecure),
      )
    await expect(poll()).rejects.toMatchObject({ error: 'authorization_pending' })

    await op.approveDevice(started.user_code)
    const tokens = await poll()
    expect(tokens.access_token).toBeTruthy()
    expect(tokens.refresh_token).toBeTruthy()
    expect(oauth.getValidatedIdTokenClaims(tokens)?.email).toBe('alice@example.test')
  })

  it('reports access_denied to the device when the user aborts', async () => {
    const device: oauth.Client = { client_id: TEST_CLIENTS.device.client_id }
    const started = await oauth.processDeviceAuthorizationResponse(
      as,
      device,
      await oauth.deviceAuthorizationRequest(
        as,
        device,
        oauth.None(),
        { scope: 'openid' },
        insecure,
      ),
    )
    await op.approveDevice(started.user_code, { deny: true })
    const response = await oauth.deviceCodeGrantRequest(
      as,
      device,
      oauth.None(),
      started.device_code,
      insecure,
    )
    await expect(oauth.processDeviceCodeResponse(as, device, response)).rejects.toMatchObject({
      error: 'access_denied',
    })
  })

  it('introspects and revokes tokens', async () => {
    const tokens = await loginWith(op, as, basic.client_id, basicAuth)
    const introspect = async (token: string) =>
      oauth.processIntrospectionResponse(
        as,
        basic,
        await oauth.introspectionRequest(as, basic, basicAuth, token, insecure),
      )

    expect(await introspect(tokens.access_token)).toMatchObject({
      active: true,
      sub: 'alice',
      client_id: 'basic-client',
    })
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, basic, basicAuth, tokens.access_token, insecure),
    )
    expect(await introspect(tokens.access_token)).toMatchObject({ active: false })

    const refresh = tokens.refresh_token!
    // Revoking the access token revoked its whole grant, so start over for the refresh token.
    const again = await loginWith(op, as, basic.client_id, basicAuth)
    expect((await introspect(again.refresh_token!)).active).toBe(true)
    await oauth.processRevocationResponse(
      await oauth.revocationRequest(as, basic, basicAuth, again.refresh_token!, insecure),
    )
    expect((await introspect(again.refresh_token!)).active).toBe(false)
    expect((await introspect(refresh)).active).toBe(false)
  })
})

describe('startTestProvider options', () => {
  it('runs two providers at once on different ports', async () => {
    const [a, b] = await Promise.all([startTestProvider(), startTestProvider()])
    try {
      expect(a.issuer).not.toBe(b.issuer)
      const [asA, asB] = await Promise.all([discover(a), discover(b)])
      const auth = oauth.ClientSecretBasic(TEST_CLIENTS.basic.client_secret)
      const [tokensA, tokensB] = await Promise.all([
        loginWith(a, asA, TEST_CLIENTS.basic.client_id, auth),
        loginWith(b, asB, TEST_CLIENTS.basic.client_id, auth),
      ])
      expect(oauth.getValidatedIdTokenClaims(tokensA)?.iss).toBe(a.issuer)
      expect(oauth.getValidatedIdTokenClaims(tokensB)?.iss).toBe(b.issuer)
    } finally {
      await Promise.all([a.close(), b.close()])
    }
  })

  it('honours accounts, accessTokenTtl, rotateRefreshToken: false and issAuthResp: false', async () => {
    const op = await startTestProvider({
      accounts: [
        { sub: 'alice', email: 'alice@example.test', password: 'pw' },
        { sub: 'bob', email: 'bob@example.test', name: 'Bob', password: 'hunter2' },
      ],
      accessTokenTtl: 120,
      rotateRefreshToken: false,
      issAuthResp: false,
    })
    try {
      const as = await discover(op)
      expect(as.authorization_response_iss_parameter_supported).toBeUndefined()

      const client: oauth.Client = { client_id: TEST_CLIENTS.basic.client_id }
      const auth = oauth.ClientSecretBasic(TEST_CLIENTS.basic.client_secret)
      const { url, verifier, state } = await authorizationRequest(as, client.client_id)
      const result = await op.authorize(url, { login: 'bob@example.test' })
      expect(result.url.searchParams.has('iss')).toBe(false)
      const posted = await op.authorize(
        (await authorizationRequest(as, client.client_id, { response_mode: 'form_post' })).url,
      )
      expect(posted.form?.has('code')).toBe(true)
      expect(posted.form?.has('iss')).toBe(false)

      const params = oauth.validateAuthResponse(as, client, result.url, state)
      const tokens = await oauth.processAuthorizationCodeResponse(
        as,
        client,
        await oauth.authorizationCodeGrantRequest(
          as,
          client,
          auth,
          params,
          TEST_REDIRECT_URI,
          verifier,
          insecure,
        ),
      )
      expect(tokens.expires_in).toBe(120)
      expect(oauth.getValidatedIdTokenClaims(tokens)).toMatchObject({
        sub: 'bob',
        email: 'bob@example.test',
        name: 'Bob',
      })

      const refreshed = await oauth.processRefreshTokenResponse(
        as,
        client,
        await oauth.refreshTokenGrantRequest(as, client, auth, tokens.refresh_token!, insecure),
      )
      expect(refreshed.refresh_token).toBe(tokens.refresh_token)
    } finally {
      await op.close()
    }
  })

  it('registers the redirectUris shorthand for the default clients, and lists them on a mismatch page', async () => {
    const callback = 'http://localhost:5173/auth/dev/callback'
    const op = await startTestProvider({
      redirectUris: [callback],
      postLogoutRedirectUris: ['http://localhost:5173/bye'],
    })
    try {
      const as = await discover(op)
      const { url, state } = await authorizationRequest(as, TEST_CLIENTS.basic.client_id, {
        redirect_uri: callback,
      })
      const result = await op.authorize(url)
      expect(result.url.origin + result.url.pathname).toBe(callback)
      expect(
        oauth
          .validateAuthResponse(as, { client_id: TEST_CLIENTS.basic.client_id }, result.url, state)
          .get('code'),
      ).toBeTruthy()

      // The default URI is no longer registered: the error page says what was sent and what would be accepted.
      const wrong = (await authorizationRequest(as, TEST_CLIENTS.basic.client_id)).url
      const page = await (await fetch(wrong)).text()
      expect(page).toContain('invalid_redirect_uri')
      expect(page).toContain(`<code id="sent-uri">${TEST_REDIRECT_URI}</code>`)
      expect(page).toMatch(
        new RegExp(`<ul id="registered-uris"><li><code>${callback}</code></li></ul>`),
      )
      expect(page).toContain('redirectUris')

      const logout = new URL(as.end_session_endpoint!)
      logout.search = new URLSearchParams({
        client_id: TEST_CLIENTS.basic.client_id,
        post_logout_redirect_uri: TEST_POST_LOGOUT_REDIRECT_URI,
      }).toString()
      const logoutPage = await (await fetch(logout, { headers: { accept: 'text/html' } })).text()
      expect(logoutPage).toContain(
        '<ul id="registered-uris"><li><code>http://localhost:5173/bye</code></li></ul>',
      )
    } finally {
      await op.close()
    }
    await expect(startTestProvider({ redirectUris: ['/auth/dev/callback'] })).rejects.toThrow(
      /not an absolute URL/,
    )
  })

  it('accepts custom clients and a configuration escape hatch', async () => {
    const op = await startTestProvider({
      clients: [
        {
          client_id: 'custom',
          client_secret: 'custom-secret-0123456789',
          redirect_uris: [TEST_REDIRECT_URI],
        },
      ],
      pkceRequired: false,
      configuration: { ttl: { AccessToken: 42 } },
    })
    try {
      const as = await discover(op)
      const client: oauth.Client = { client_id: 'custom' }
      const { url, state } = await authorizationRequest(as, 'custom')
      url.searchParams.delete('code_challenge')
      url.searchParams.delete('code_challenge_method')
      const params = oauth.validateAuthResponse(as, client, (await op.authorize(url)).url, state)
      const tokens = await oauth.processAuthorizationCodeResponse(
        as,
        client,
        await oauth.authorizationCodeGrantRequest(
          as,
          client,
          oauth.ClientSecretBasic('custom-secret-0123456789'),
          params,
          TEST_REDIRECT_URI,
          oauth.nopkce,
          insecure,
        ),
      )
      expect(tokens.expires_in).toBe(42)
    } finally {
      await op.close()
    }
  })
})

describe('login page (what a real browser sees)', () => {
  let op: TestProvider
  let as: oauth.AuthorizationServer
  let browse: ReturnType<typeof naiveBrowser>
  beforeAll(async () => {
    op = await startTestProvider()
    as = await discover(op)
    browse = naiveBrowser()
  })
  afterAll(() => op?.close())

  /** A deliberately naive browser: one cookie jar for the whole provider origin, manual redirects. */
  function naiveBrowser() {
    const jar = new Map<string, string>()
    return async (url: string | URL, form?: Record<string, string>) => {
      const response = await fetch(new URL(url, op.issuer), {
        method: form ? 'POST' : 'GET',
        body: form && new URLSearchParams(form),
        headers: { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') },
        redirect: 'manual',
      })
      for (const line of response.headers.getSetCookie()) {
        const pair = line.split(';')[0]!
        jar.set(pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1))
      }
      return response
    }
  }

  /** Follow redirects on the provider's origin until one leaves it (the client's callback). */
  async function follow(response: Response) {
    const hops: URL[] = []
    let location = new URL(response.headers.get('location')!, op.issuer)
    while (location.origin === op.issuer) {
      hops.push(location)
      location = new URL((await browse(location)).headers.get('location')!, op.issuer)
    }
    return { callback: location, hops }
  }

  it('renders a form with stable ids, re-renders on a wrong password, and skips consent for a second client', async () => {
    const first = await authorizationRequest(as, TEST_CLIENTS.basic.client_id, {
      login_hint: 'alice@example.test',
    })
    const toInteraction = (await browse(first.url)).headers.get('location')!
    expect(toInteraction).toMatch(/^\/interaction\/[\w-]+$/)

    const html = await (await browse(toInteraction)).text()
    for (const id of ['login-form', 'login', 'password', 'sign-in', 'cancel'])
      expect(html).toContain(`id="${id}"`)
    expect(html).toContain('value="alice@example.test"')

    const wrong = await browse(`${toInteraction}/login`, { login: 'alice', password: 'nope' })
    expect(wrong.status).toBe(200)
    expect(await wrong.text()).toContain('id="error"')

    const loggedIn = await follow(
      await browse(`${toInteraction}/login`, { login: 'alice@example.test', password: 'pw' }),
    )
    expect(loggedIn.callback.searchParams.get('code')).toBeTruthy()

    // Same browser session, another client: only consent is missing, and the interaction grants it without a page.
    const second = await authorizationRequest(as, TEST_CLIENTS.post.client_id)
    const { callback, hops } = await follow(await browse(second.url))
    expect(hops.some((hop) => hop.pathname.startsWith('/interaction/'))).toBe(true)
    expect(callback.searchParams.get('code')).toBeTruthy()
    expect(callback.searchParams.get('state')).toBe(second.state)

    // RP-initiated logout from the same session lands on the post_logout_redirect_uri.
    const logoutUrl = new URL(as.end_session_endpoint!)
    logoutUrl.searchParams.set('client_id', TEST_CLIENTS.post.client_id)
    logoutUrl.searchParams.set('post_logout_redirect_uri', TEST_POST_LOGOUT_REDIRECT_URI)
    const logoutPage = await browse(logoutUrl)
    const logoutHtml = await logoutPage.text()
    expect(logoutHtml).toContain('id="logout-yes"')
    const action = /<form[^>]*action="([^"]+)"/.exec(logoutHtml)![1]!
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(logoutHtml)![1]!
    const loggedOut = await browse(action, { xsrf, logout: 'yes' })
    expect(loggedOut.headers.get('location')).toBe(TEST_POST_LOGOUT_REDIRECT_URI)
  })
})
