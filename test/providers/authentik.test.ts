import { describe, expect, it } from 'vitest'
import { OAuth } from '../../src/index.js'
import { authentik, type AuthentikOptions } from '../../src/providers/index.js'
import { AUTHENTIK_TEST_USER, completeLogin, emulateAuthentik } from '../../testing/index.js'
import { SECRET, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup(options: Partial<AuthentikOptions> = {}) {
  const emulation = await emulateAuthentik()
  server.use(...emulation.handlers)
  const app = new OAuth({ secret: SECRET })
    .register(
      'authentik',
      authentik({
        baseUrl: 'https://auth.authentik.test/',
        slug: 'portal',
        clientId: 'ak-client',
        clientSecret: 'ak-secret',
        ...options,
      }),
    )
    .create('authentik')
  return { emulation, app }
}

describe('authentik preset', () => {
  it('logs in (issuer with its trailing slash), reads userinfo with groups, and logs out per application', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(token.userinfo?.iss).toBe('https://auth.authentik.test/application/o/portal/')
    const profile = await app.profile(token)
    expect(profile).toEqual({
      sub: AUTHENTIK_TEST_USER.id,
      name: 'akadmin',
      email: 'admin@authentik.test',
      raw: expect.objectContaining({ groups: ['authentik Admins'] }),
    })
    const logout = await app.createLogoutUrl({ idTokenHint: token })
    expect(logout.pathname).toBe('/application/o/portal/end-session/')
  })

  it('quirk: email_verified is not taken unless trustEmailVerified (old mappings said true for everyone)', async () => {
    const { emulation, app } = await setup()
    expect((await app.profile(await completeLogin(app, emulation))).email_verified).toBeUndefined()
    const trusted = await setup({ trustEmailVerified: true })
    expect(
      (await trusted.app.profile(await completeLogin(trusted.app, trusted.emulation)))
        .email_verified,
    ).toBe(true)
  })

  it('quirk: the issuer ends with a slash, the discovery URL below it', () => {
    const config = authentik({ baseUrl: 'https://auth.example.com', slug: 'crm', clientId: 'c' })
    expect(config.issuer).toBe('https://auth.example.com/application/o/crm/')
    expect(config.serverMetadataUrl).toBe(
      'https://auth.example.com/application/o/crm/.well-known/openid-configuration',
    )
    expect(() =>
      authentik({ baseUrl: 'https://auth.example.com', slug: '../x', clientId: 'c' }),
    ).toThrow(/slug/)
  })
})
