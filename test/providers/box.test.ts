import { describe, expect, it } from 'vitest'
import { ErrorCode, OAuth, type OAuth2Token } from '../../src/index.js'
import { box } from '../../src/providers/index.js'
import { BOX_TEST_USER, completeLogin, emulateBox } from '../../testing/index.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

describe('box preset', () => {
  it('logs in through the emulation and reads /users/me', async () => {
    const emulation = await emulateBox()
    server.use(...emulation.handlers)
    const app = new OAuth({ secret: SECRET })
      .register('box', box({ clientId: 'box-client', clientSecret: 'box-secret' }))
      .create('box')
    const token = await completeLogin(app, emulation)
    expect(await app.profile(token)).toEqual({
      sub: BOX_TEST_USER.id,
      name: 'Aaron Levie',
      email: 'ceo@box.test',
      picture: BOX_TEST_USER.picture,
      raw: expect.objectContaining({ type: 'user', enterprise: null }),
    })
  })

  it('quirk: single-use refresh tokens — the new one is handed to updateToken, the old one is dead', async () => {
    const emulation = await emulateBox()
    server.use(...emulation.handlers)
    const saved: OAuth2Token[] = []
    const oauth = new OAuth({
      secret: SECRET,
      updateToken: (_n, t: OAuth2Token) => void saved.push(t),
    })
    const app = oauth
      .register('box', box({ clientId: 'box-client', clientSecret: 'box-secret' }))
      .create('box')
    const token = await completeLogin(app, emulation)
    const expired = { ...token, expires_at: Math.floor(Date.now() / 1000) - 10 }
    await app.get('users/me', { token: expired })
    const refreshed = saved.at(-1)!
    expect(refreshed.refresh_token).not.toBe(token.refresh_token)
    // A second app (another process) that still holds the old refresh token cannot use it.
    const other = new OAuth({ secret: SECRET })
      .register('box', box({ clientId: 'box-client', clientSecret: 'box-secret' }))
      .create('box')
    await expectCode(other.refreshToken(token), ErrorCode.REAUTHENTICATION_REQUIRED)
  })
})
