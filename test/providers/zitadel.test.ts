import { describe, expect, it } from 'vitest'
import { ErrorCode, OAuth } from '../../src/index.js'
import { zitadel, type ZitadelOptions } from '../../src/providers/index.js'
import { completeLogin, emulateZitadel, ZITADEL_TEST_USER } from '../../testing/index.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()
const ISSUER = 'https://acme.zitadel.test'

async function setup(options: Partial<ZitadelOptions> = {}) {
  const emulation = await emulateZitadel({
    users: [ZITADEL_TEST_USER, { id: '99', org: '555', name: 'Other Org', email: 'x@other.test' }],
  })
  server.use(...emulation.handlers)
  const app = new OAuth({ secret: SECRET })
    .register(
      'zitadel',
      zitadel({ issuer: ISSUER, clientId: 'zitadel-client', clientSecret: 'z-secret', ...options }),
    )
    .create('zitadel')
  return { emulation, app }
}

describe('zitadel preset', () => {
  it('logs in through the emulation, reads userinfo, and logs out at the discovered end_session_endpoint', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(await app.profile(token)).toEqual({
      sub: ZITADEL_TEST_USER.id,
      name: 'Road Runner',
      email: 'road.runner@acme.test',
      email_verified: true,
      raw: expect.objectContaining({ preferred_username: 'road.runner@acme.zitadel.test' }),
    })
    const logout = await app.createLogoutUrl({ idTokenHint: token })
    expect(logout.origin + logout.pathname).toBe(`${ISSUER}/oidc/v1/end_session`)
  })

  it("quirk: organizationId scopes the login to the organization and refuses another organization's ID token", async () => {
    const { emulation, app } = await setup({ organizationId: '2139873498572' })
    const scope = String(app.config.scope).split(' ')
    expect(scope).toEqual(
      expect.arrayContaining([
        'openid',
        'urn:zitadel:iam:org:id:2139873498572',
        'urn:zitadel:iam:user:resourceowner',
      ]),
    )
    expect((await completeLogin(app, emulation)).userinfo?.sub).toBe(ZITADEL_TEST_USER.id)
    await expectCode(completeLogin(app, emulation, { user: '99' }), ErrorCode.ID_TOKEN_INVALID)
    expect(() => zitadel({ issuer: ISSUER, clientId: 'c', organizationId: 'acme' })).toThrow(
      /organizationId must be/,
    )
  })

  it('quirk: projectRoles asks for the roles scope; the roles come in the profile', async () => {
    const { emulation, app } = await setup({ projectRoles: true, scope: 'profile' })
    expect(String(app.config.scope).split(' ')).toEqual(
      expect.arrayContaining(['openid', 'profile', 'urn:zitadel:iam:org:project:roles']),
    )
    const profile = await app.profile(await completeLogin(app, emulation))
    expect(profile.raw).toMatchObject({
      'urn:zitadel:iam:org:project:roles': { admin: { '2139873498572': 'acme.zitadel.test' } },
    })
  })
})
