import * as jose from 'jose'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth } from '../../src/index.js'
import { line } from '../../src/providers/index.js'
import { completeLogin, emulateLine, LINE_TEST_USER } from '../../testing/index.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()
const CHANNEL_SECRET = 'line-channel-secret-0123456789abcdef'

async function setup(options: { appSecret?: string; botPrompt?: 'normal' | 'aggressive' } = {}) {
  const emulation = await emulateLine({ channelSecret: CHANNEL_SECRET })
  server.use(...emulation.handlers)
  const oauth = new OAuth({ secret: SECRET }).register(
    'line',
    line({
      clientId: '1656000000',
      clientSecret: options.appSecret ?? CHANNEL_SECRET,
      botPrompt: options.botPrompt,
    }),
  )
  return { emulation, app: oauth.create('line') }
}

describe('line preset', () => {
  it('logs in through the emulation and reads the profile, the email from the ID token', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(token.userinfo).toMatchObject({ iss: 'https://access.line.me', aud: '1656000000' })
    expect(await app.profile(token)).toEqual({
      sub: LINE_TEST_USER.id,
      name: 'Taro Line',
      email: 'taro@line.test',
      picture: 'https://profile.line-scdn.test/0h-taro',
      raw: expect.objectContaining({ statusMessage: 'Hello, LINE!', email: 'taro@line.test' }),
    })
    // The channel secret went in the body (LINE refuses HTTP Basic).
    const tokenCall = emulation.calls.find((c) => c.url.endsWith('/oauth2/v2.1/token'))!
    expect(tokenCall.headers.has('authorization')).toBe(false)
  })

  it('quirk: the HS256 ID token is verified with the channel secret (another key is refused)', async () => {
    const { emulation, app } = await setup()
    const cookies = new MemoryCookieJar()
    const res = await app.authorizeRedirect({ cookies }, 'https://app.test/cb')
    const callback = await emulation.authorize(res.headers.get('location')!)
    // The emulation signs with the channel secret; answer instead with a token signed with another key.
    const nonce = new URL(res.headers.get('location')!).searchParams.get('nonce')!
    const now = Math.floor(Date.now() / 1000)
    const idToken = await new jose.SignJWT({
      iss: 'https://access.line.me',
      aud: '1656000000',
      sub: LINE_TEST_USER.id,
      iat: now,
      exp: now + 600,
      nonce,
    })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('another-secret-0123456789abcdefghij'))
    server.use(
      http.post('https://api.line.me/oauth2/v2.1/token', () =>
        HttpResponse.json({ access_token: 'at', token_type: 'Bearer', id_token: idToken }),
      ),
    )
    await expectCode(
      app.authorizeAccessToken({ cookies, request: callback }),
      ErrorCode.ID_TOKEN_INVALID,
    )
  })

  it('quirk: the channel secret is required (it is the ID token key)', () => {
    expect(() => line({ clientId: '1656000000' } as never)).toThrow(/channel secret/)
  })

  it('quirk: botPrompt becomes bot_prompt; LINE answers with friendship_status_changed', async () => {
    const { emulation, app } = await setup({ botPrompt: 'aggressive' })
    const cookies = new MemoryCookieJar()
    const res = await app.authorizeRedirect({ cookies }, 'https://app.test/cb')
    const location = new URL(res.headers.get('location')!)
    expect(location.searchParams.get('bot_prompt')).toBe('aggressive')
    const callback = await emulation.authorize(location)
    expect(new URL(callback.url).searchParams.get('friendship_status_changed')).toBe('true')
    expect((await app.authorizeAccessToken({ cookies, request: callback })).access_token).toMatch(
      /^line-at-/,
    )
    expect(() => line({ clientId: 'c', clientSecret: 's', botPrompt: 'always' as never })).toThrow(
      /botPrompt must be "normal" or "aggressive"/,
    )
  })

  it('a wrong channel secret is refused at the token endpoint', async () => {
    const { emulation, app } = await setup({ appSecret: 'not-the-channel-secret-0123456789' })
    await expectCode(completeLogin(app, emulation), ErrorCode.TOKEN_ERROR)
  })
})
