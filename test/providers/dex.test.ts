import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth } from '../../src/index.js'
import { dex, type DexOptions } from '../../src/providers/index.js'
import { completeLogin, DEX_TEST_USER, emulateDex } from '../../testing/index.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup(options: Partial<DexOptions> = {}) {
  const emulation = await emulateDex()
  server.use(...emulation.handlers)
  const app = new OAuth({ secret: SECRET })
    .register(
      'dex',
      dex({
        issuer: 'https://auth.dex.test/dex',
        clientId: 'portal',
        clientSecret: 'dex-secret',
        ...options,
      }),
    )
    .create('dex')
  return { emulation, app }
}

describe('dex preset', () => {
  it('logs in (issuer with a path), refreshes with offline_access, and reads the profile with federated_claims', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(token.refresh_token).toBeTruthy()
    expect(await app.profile(token)).toEqual({
      sub: DEX_TEST_USER.id,
      name: 'Jane Doe',
      email: 'jane@dex.test',
      email_verified: true,
      raw: expect.objectContaining({
        groups: ['admins', 'developers'],
        federated_claims: { connector_id: 'ldap', user_id: 'janed' },
      }),
    })
    expect((await app.refreshToken(token)).access_token).not.toBe(token.access_token)
  })

  it('quirk: connectorId skips the chooser (connector_id), and reaches the federated claims', async () => {
    const { emulation, app } = await setup({ connectorId: 'github' })
    const cookies = new MemoryCookieJar()
    const res = await app.authorizeRedirect({ cookies }, 'https://app.test/cb')
    expect(new URL(res.headers.get('location')!).searchParams.get('connector_id')).toBe('github')
    const token = await app.authorizeAccessToken({
      cookies,
      request: await emulation.authorize(res.headers.get('location')!),
    })
    expect(token.userinfo?.federated_claims).toMatchObject({ connector_id: 'github' })
  })

  it('quirk: Dex has no RP-initiated logout: logoutRedirect is metadata_invalid', async () => {
    const { app } = await setup()
    await expectCode(app.logoutRedirect(), ErrorCode.METADATA_INVALID)
  })
})
