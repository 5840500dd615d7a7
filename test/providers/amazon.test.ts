import { describe, expect, it } from 'vitest'
import { OAuth } from '../../src/index.js'
import { amazon } from '../../src/providers/index.js'
import { AMAZON_TEST_USER, completeLogin, emulateAmazon } from '../../testing/index.js'
import { SECRET, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup(region?: 'na' | 'eu' | 'fe') {
  const emulation = await emulateAmazon({ region })
  server.use(...emulation.handlers)
  const app = new OAuth({ secret: SECRET })
    .register(
      'amazon',
      amazon({ clientId: 'amzn1.application-oa2-client.x', clientSecret: 'amazon-secret', region }),
    )
    .create('amazon')
  return { emulation, app }
}

describe('amazon preset (Login with Amazon)', () => {
  it('logs in through the emulation (secret in the body) and reads /user/profile', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(await app.profile(token)).toEqual({
      sub: AMAZON_TEST_USER.id,
      name: 'John Doe',
      email: 'johndoe@amazon.test',
      raw: expect.objectContaining({ postal_code: '98101' }),
    })
    const call = emulation.calls.find((c) => c.url.endsWith('/auth/o2/token'))!
    expect(call.headers.has('authorization')).toBe(false)
  })

  it('quirk: each region has its own authorize, token and profile hosts', async () => {
    const { emulation, app } = await setup('eu')
    expect(app.config).toMatchObject({
      authorizeUrl: 'https://eu.account.amazon.com/ap/oa',
      accessTokenUrl: 'https://api.amazon.co.uk/auth/o2/token',
    })
    expect((await app.profile(await completeLogin(app, emulation))).sub).toBe(AMAZON_TEST_USER.id)
    expect(() => amazon({ clientId: 'c', region: 'us' as never })).toThrow(/region must be/)
  })
})
