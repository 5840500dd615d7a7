import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth } from '../../src/index.js'
import { keycloak } from '../../src/providers/keycloak.js'
import { completeLogin } from '../../testing/emulator.js'
import { emulateKeycloak, KEYCLOAK_TEST_USER } from '../../testing/providers/keycloak.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup(baseUrl = 'https://sso.example.org', realm = 'demo') {
  const emulation = await emulateKeycloak({ baseUrl, realm })
  server.use(...emulation.handlers)
  const oauth = new OAuth({ secret: SECRET }).register(
    'keycloak',
    keycloak({ baseUrl, realm, clientId: 'portal', clientSecret: 'keycloak-secret' }),
  )
  return { emulation, app: oauth.create('keycloak') }
}

describe('keycloak preset', () => {
  it('logs in through the emulation and reads the normalised profile from userinfo', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(token.userinfo).toMatchObject({
      iss: 'https://sso.example.org/realms/demo',
      sub: KEYCLOAK_TEST_USER.id,
      azp: 'portal',
    })
    expect(await app.profile(token)).toEqual({
      sub: KEYCLOAK_TEST_USER.id,
      name: 'Alice Liddell',
      email: 'alice@example.org',
      email_verified: true,
      raw: expect.objectContaining({ preferred_username: 'alice' }),
    })
    const refreshed = await app.refreshToken(token)
    expect(refreshed.userinfo?.sub).toBe(KEYCLOAK_TEST_USER.id)
  })

  it('checks the RFC 9207 iss Keycloak sends in the callback', async () => {
    const { emulation, app } = await setup()
    const cookies = new MemoryCookieJar()
    const res = await app.authorizeRedirect({ cookies }, 'https://app.test/cb')
    const callback = new URL((await emulation.authorize(res.headers.get('location')!)).url)
    expect(callback.searchParams.get('iss')).toBe('https://sso.example.org/realms/demo')
    callback.searchParams.set('iss', 'https://sso.example.org/realms/other')
    await expectCode(
      app.authorizeAccessToken({ cookies, request: new Request(callback) }),
      ErrorCode.ISSUER_MISMATCH,
    )
  })

  it('a legacy /auth base URL and a realm name needing escaping', async () => {
    const { emulation, app } = await setup('https://idp.example.org/auth/', 'Sales & Ops')
    expect(app.config.serverMetadataUrl).toBe(
      'https://idp.example.org/auth/realms/Sales%20%26%20Ops/.well-known/openid-configuration',
    )
    expect((await completeLogin(app, emulation)).userinfo?.iss).toBe(
      'https://idp.example.org/auth/realms/Sales%20%26%20Ops',
    )
  })
})
