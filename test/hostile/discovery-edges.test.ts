/**
 * Hostile provider, discovery and JWKS: a provider request never follows a redirect, and every
 * endpoint the metadata names is held to the https/loopback rule of configured ones, so a discovery
 * document cannot send tokens in clear or steer requests at the app's own machine.
 */
import { http, HttpResponse } from 'msw'
import * as jose from 'jose'
import { describe, expect, it, vi } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth, type OAuth2AppConfig } from '../../src/index.js'
import { REDIRECT, SECRET, expectCode, useMsw } from '../support/helpers.js'
import { hostileRig } from '../support/hostile-idp.js'

const server = useMsw()

describe('hostile provider: redirects', () => {
  it('jwks-redirect: a JWKS endpoint that redirects to another host is refused; the other host is never asked', async () => {
    const r = await hostileRig(server)
    const { privateKey, publicKey } = await jose.generateKeyPair('RS256', { extractable: true })
    const evil: string[] = []
    server.use(
      http.get('https://evil.test/jwks', async ({ request }) => {
        evil.push(request.url)
        return HttpResponse.json({
          keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' }],
        })
      }),
    )
    r.idp.overrides.jwks = () =>
      new HttpResponse(null, { status: 302, headers: { location: 'https://evil.test/jwks' } })
    const login = await r.start()
    r.idp.answerToken(async ({ nonce }) => ({
      id_token: await r.idp.idToken({ nonce }, { key: privateKey }),
    }))
    const err = await r.expectRefused(
      () => r.signIn(login, r.idp.authorize(login.location)),
      ErrorCode.METADATA_INVALID,
      { login, calls: ['token', 'jwks'] },
    )
    expect(err.message).toMatch(/redirect \(HTTP 302\)/)
    expect(evil).toEqual([])
  })

  it('token-redirect: a token endpoint that redirects (307, which would resend the code) is refused', async () => {
    const r = await hostileRig(server)
    const evil: string[] = []
    server.use(
      http.post(
        'https://evil.test/token',
        ({ request }) => (
          evil.push(request.url),
          HttpResponse.json({ access_token: 'x', token_type: 'Bearer' })
        ),
      ),
    )
    r.idp.overrides.token = () =>
      new HttpResponse(null, { status: 307, headers: { location: 'https://evil.test/token' } })
    const login = await r.start()
    const err = await r.expectRefused(
      () => r.signIn(login, r.idp.authorize(login.location)),
      ErrorCode.HTTP_ERROR,
      { login, calls: ['token'] },
    )
    expect(err.message).toMatch(/redirect \(HTTP 307\)/)
    expect(evil).toEqual([])
  })
})

describe('hostile provider: discovered endpoints', () => {
  const FIELDS = [
    'authorization_endpoint',
    'token_endpoint',
    'userinfo_endpoint',
    'jwks_uri',
    'revocation_endpoint',
    'introspection_endpoint',
    'device_authorization_endpoint',
    'end_session_endpoint',
  ]

  it('discovered-http-endpoint: an https issuer naming any endpoint over http on a public host is refused before a login starts', async () => {
    for (const field of FIELDS) {
      const r = await hostileRig(server)
      r.idp.overrides.discovery = () =>
        HttpResponse.json({ ...r.idp.metadata(), [field]: `http://idp.test/${field}` })
      const cookies = new MemoryCookieJar()
      const err = await r.expectRefused(
        () => r.app.authorizeRedirect({ cookies }, REDIRECT),
        ErrorCode.CONFIG_INVALID,
        { calls: ['discovery'] },
      )
      expect(err.message).toContain(`discovered ${field} uses http:`)
      expect(cookies.getAll()).toEqual([])
    }
  })

  it('discovered-loopback-endpoint: a public issuer naming an endpoint on this machine or its link is refused; an explicit one is kept', async () => {
    const targets = [
      'https://127.0.0.1/x',
      'http://localhost:8080/x',
      'https://[::1]/x',
      'https://0.0.0.0/x',
      'http://169.254.169.254/latest/meta-data',
      'https://[::ffff:127.0.0.1]/x',
      'https://[fe80::1]/x',
    ]
    for (const [i, target] of targets.entries()) {
      const field = FIELDS[i % FIELDS.length]!
      const r = await hostileRig(server)
      r.idp.overrides.discovery = () => HttpResponse.json({ ...r.idp.metadata(), [field]: target })
      const err = await r.expectRefused(
        () => r.app.loadServerMetadata(),
        ErrorCode.CONFIG_INVALID,
        { calls: ['discovery'] },
      )
      expect(err.message).toMatch(
        new RegExp(`discovered ${field} (points at this machine|uses http:)`),
      )
    }
    const r = await hostileRig(server, { config: { jwksUri: 'http://127.0.0.1:9999/jwks' } })
    r.idp.overrides.discovery = () =>
      HttpResponse.json({ ...r.idp.metadata(), jwks_uri: 'http://127.0.0.1:9999/jwks' })
    await expect(r.app.loadServerMetadata()).resolves.toHaveProperty(
      'jwks_uri',
      'http://127.0.0.1:9999/jwks',
    )
  })
})

describe('hostile provider: logout', () => {
  it('logout-insecure-end-session: a logout URL that would carry id_token_hint over http on a public host, or a javascript: URL, is refused', async () => {
    const register = (config: Partial<OAuth2AppConfig>) =>
      new OAuth({ secret: SECRET })
        .register('plain', {
          authorizeUrl: 'https://idp.test/authorize',
          accessTokenUrl: 'https://idp.test/token',
          clientId: 'client-1',
          ...config,
        })
        .create('plain')
    for (const endpoint of ['http://idp.test/logout', 'javascript:alert(document.cookie)//']) {
      // Named in serverMetadata: the metadata check refuses it.
      await expectCode(
        register({ serverMetadata: { end_session_endpoint: endpoint } }).createLogoutUrl({
          idTokenHint: 'h.p.s',
        }),
        ErrorCode.CONFIG_INVALID,
      )
      // And createLogoutUrl refuses it on its own, whatever metadata it is handed.
      const app = register({})
      vi.spyOn(app, 'loadServerMetadata').mockResolvedValue({
        issuer: 'https://idp.test',
        end_session_endpoint: endpoint,
      })
      const err = await expectCode(
        app.createLogoutUrl({ idTokenHint: 'h.p.s' }),
        ErrorCode.METADATA_INVALID,
      )
      expect(err.message).toMatch(/end_session_endpoint must use https:/)
    }
    const local = register({ endSessionEndpoint: 'http://127.0.0.1:3000/logout' })
    await expect(local.createLogoutUrl({ idTokenHint: 'h.p.s' })).resolves.toHaveProperty(
      'protocol',
      'http:',
    )
  })
})
