/**
 * Hostile user, ID token policies: a tenant (Entra `allowedTenants`), hosted domain (Google
 * `hostedDomain`) or organization (Auth0 `organization`) is checked on the ID token. A login without
 * `openid` has no ID token, so it must never happen for an app with such a policy: the presets add
 * `openid`, and the core refuses any app with `idTokenIssuer` whose config or login leaves it out.
 */
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth, type OAuth2AppConfig } from '../../src/index.js'
import { auth0 } from '../../src/providers/auth0.js'
import { google } from '../../src/providers/google.js'
import { microsoftEntraId } from '../../src/providers/microsoft-entra-id.js'
import { completeLogin, type EmulatedUser } from '../../testing/emulator.js'
import { AUTH0_TEST_USER, emulateAuth0 } from '../../testing/providers/auth0.js'
import {
  emulateGoogle,
  GOOGLE_TEST_USER,
  GOOGLE_WORKSPACE_TEST_USER,
} from '../../testing/providers/google.js'
import {
  emulateMicrosoftEntraId,
  ENTRA_TEST_TENANT_ID,
  ENTRA_TEST_USER,
} from '../../testing/providers/microsoft-entra-id.js'
import { REDIRECT, SECRET, expectCode, useMsw } from '../support/helpers.js'
import { hostileRig } from '../support/hostile-idp.js'

const server = useMsw()
const STRANGER: EmulatedUser = {
  id: 'stranger-sub',
  tid: '11111111-2222-4333-8444-555555555555',
  name: 'Eve Stranger',
  email: 'eve@fabrikam.test',
}
const ORG = 'org_9ybsU1dN2dKfDkBi'

async function entra(scope: string) {
  const emulation = await emulateMicrosoftEntraId({
    tenant: 'organizations',
    users: [ENTRA_TEST_USER, STRANGER],
  })
  server.use(...emulation.handlers)
  const config = microsoftEntraId({
    tenant: 'organizations',
    allowedTenants: [ENTRA_TEST_TENANT_ID],
    clientId: 'entra-client',
    clientSecret: 'entra-secret',
    scope,
  })
  return { emulation, app: new OAuth({ secret: SECRET }).register('entra', config).create('entra') }
}

describe('hostile user: policies checked on the ID token', () => {
  it('policy-scope-without-openid: a preset with a tenant, hosted domain or organization policy adds openid to a scope without it, so another tenant is still refused', async () => {
    const e = await entra('User.Read offline_access')
    await expectCode(
      completeLogin(e.app, e.emulation, { user: STRANGER.id }),
      ErrorCode.ID_TOKEN_INVALID,
    )
    expect((await completeLogin(e.app, e.emulation)).userinfo?.tid).toBe(ENTRA_TEST_TENANT_ID)
    expect(e.app.config.scope).toBe('openid User.Read offline_access')

    const g = await emulateGoogle({ users: [GOOGLE_WORKSPACE_TEST_USER, GOOGLE_TEST_USER] })
    server.use(...g.handlers)
    const gApp = new OAuth({ secret: SECRET })
      .register(
        'google',
        google({
          clientId: 'g',
          clientSecret: 'gs',
          hostedDomain: 'example.com',
          scope: ['email'],
        }),
      )
      .create('google')
    await expectCode(
      completeLogin(gApp, g, { user: GOOGLE_TEST_USER.id }),
      ErrorCode.ID_TOKEN_INVALID,
    )
    expect(
      (await completeLogin(gApp, g, { user: GOOGLE_WORKSPACE_TEST_USER.id })).userinfo?.hd,
    ).toBe('example.com')
    expect(gApp.config.scope).toBe('openid email')

    const a = await emulateAuth0({
      users: [
        { ...AUTH0_TEST_USER, org_id: ORG },
        { ...AUTH0_TEST_USER, id: 'auth0|other', org_id: 'org_other' },
      ],
    })
    server.use(...a.handlers)
    const aApp = new OAuth({ secret: SECRET })
      .register(
        'auth0',
        auth0({
          domain: 'dev-abc123.us.auth0.com',
          organization: ORG,
          clientId: 'a',
          clientSecret: 'as',
          scope: 'profile',
        }),
      )
      .create('auth0')
    await expectCode(completeLogin(aApp, a, { user: 'auth0|other' }), ErrorCode.ID_TOKEN_INVALID)
    expect((await completeLogin(aApp, a)).userinfo?.org_id).toBe(ORG)
    expect(aApp.config.scope).toBe('openid profile')
  })

  it('policy-per-call-scope-without-openid: a login whose per-call scope drops openid is refused before anything is stored or sent', async () => {
    const e = await entra('openid profile')
    const cookies = new MemoryCookieJar()
    const err = await expectCode(
      e.app.authorizeRedirect({ cookies }, REDIRECT, { params: { scope: 'User.Read' } }),
      ErrorCode.INVALID_REQUEST,
    )
    expect(err.message).toMatch(/must include openid/)
    expect(cookies.getAll()).toEqual([])
  })

  it('policy-config-without-openid: an app with idTokenIssuer and no openid in scope (or in authorizeParams.scope) is refused at register', () => {
    const base = {
      serverMetadataUrl: 'https://idp.test/.well-known/openid-configuration',
      clientId: 'c',
      idTokenIssuer: (_: unknown, issuer: string) => issuer,
    }
    for (const config of [
      { ...base, scope: 'email' },
      { ...base },
      { ...base, scope: 'openid email', authorizeParams: { scope: 'email' } },
    ]) {
      expect(() => new OAuth({ secret: SECRET }).register('x', config)).toThrow(
        expect.objectContaining({
          code: ErrorCode.CONFIG_INVALID,
          message: expect.stringMatching(/scope must include openid/),
        }),
      )
    }
    expect(() =>
      new OAuth({ secret: SECRET }).register('ok', { ...base, scope: ['openid', 'email'] }),
    ).not.toThrow()
  })

  it('policy-id-token-missing: a code exchange without an ID token is refused for an app with idTokenIssuer', async () => {
    const r = await hostileRig(server, { config: { idTokenIssuer: (_claims, issuer) => issuer } })
    const login = await r.start()
    r.idp.answerToken(() => ({ id_token: undefined }))
    await r.expectRefused(
      () => r.signIn(login, r.idp.authorize(login.location)),
      ErrorCode.INVALID_RESPONSE,
      { login, calls: ['token'] },
    )
  })

  it('policy-device-and-password: the device and password grants of an app with idTokenIssuer ask for openid, need an ID token and apply the policy to it', async () => {
    const policy: Partial<OAuth2AppConfig> = {
      idTokenIssuer: (claims, issuer) => (claims.tid === 'home' ? issuer : 'urn:refused'),
      scope: 'openid email',
    }
    const r = await hostileRig(server, {
      config: policy,
      idp: { metadata: { device_authorization_endpoint: 'https://idp.test/device' } },
    })
    server.use(
      http.post('https://idp.test/device', () =>
        HttpResponse.json({
          device_code: 'dc-1',
          user_code: 'U-1',
          verification_uri: 'https://idp.test/activate',
          expires_in: 600,
          interval: 1,
        }),
      ),
    )
    let idToken: () => Promise<string | undefined> = () => r.idp.idToken({ tid: 'elsewhere' })
    r.idp.overrides.token = async () =>
      HttpResponse.json({
        access_token: 'at-1',
        token_type: 'Bearer',
        expires_in: 3600,
        id_token: await idToken(),
      })
    const poll = async () =>
      r.app.pollDeviceToken(await r.app.deviceAuthorization(), { sleep: async () => {} })
    await r.app.loadServerMetadata()

    await r.expectRefused(poll, ErrorCode.ID_TOKEN_INVALID, { calls: ['token'] })
    await r.expectRefused(() => r.app.passwordGrant('user', 'pw'), ErrorCode.ID_TOKEN_INVALID, {
      calls: ['token'],
    })
    idToken = async () => undefined
    await r.expectRefused(poll, ErrorCode.ID_TOKEN_INVALID, { calls: ['token'] })
    await r.expectRefused(() => r.app.passwordGrant('user', 'pw'), ErrorCode.ID_TOKEN_INVALID, {
      calls: ['token'],
    })
    await expectCode(r.app.deviceAuthorization({ scope: 'email' }), ErrorCode.INVALID_REQUEST)
    await expectCode(
      r.app.passwordGrant('user', 'pw', { scope: 'email' }),
      ErrorCode.INVALID_REQUEST,
    )
    idToken = () => r.idp.idToken({ tid: 'home' })
    await expect(poll()).resolves.toHaveProperty('userinfo.tid', 'home')
    await expect(r.app.passwordGrant('user', 'pw')).resolves.toHaveProperty('userinfo.tid', 'home')
  })
})
