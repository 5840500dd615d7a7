import { describe, expect, it } from 'vitest'
import { OAuth } from '../../src/index.js'
import { yahoo } from '../../src/providers/index.js'
import { completeLogin, emulateYahoo, YAHOO_TEST_USER } from '../../testing/index.js'
import { SECRET, useMsw } from '../support/helpers.js'

const server = useMsw()

describe('yahoo preset', () => {
  it('logs in through the emulation and reads the normalised profile from userinfo', async () => {
    const emulation = await emulateYahoo()
    server.use(...emulation.handlers)
    const app = new OAuth({ secret: SECRET })
      .register('yahoo', yahoo({ clientId: 'yahoo-client', clientSecret: 'yahoo-secret' }))
      .create('yahoo')
    const token = await completeLogin(app, emulation)
    expect(token.userinfo).toMatchObject({
      iss: 'https://api.login.yahoo.com',
      sub: YAHOO_TEST_USER.id,
    })
    // Quirk: Yahoo's own GUID comes with the token, for its older APIs.
    expect(token.xoauth_yahoo_guid).toBe(YAHOO_TEST_USER.guid)
    expect(await app.profile(token)).toEqual({
      sub: YAHOO_TEST_USER.id,
      name: 'Jane Yahoo',
      email: 'jane@yahoo.test',
      email_verified: true,
      picture: YAHOO_TEST_USER.picture,
      raw: expect.objectContaining({ sub: YAHOO_TEST_USER.id }),
    })
  })
})
