import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth } from '../../src/index.js'
import { naver, naverTokenResponse } from '../../src/providers/index.js'
import { completeLogin, emulateNaver } from '../../testing/index.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup() {
  const emulation = await emulateNaver()
  server.use(...emulation.handlers)
  const oauth = new OAuth({ secret: SECRET }).register(
    'naver',
    naver({ clientId: 'naver-client', clientSecret: 'naver-secret' }),
  )
  return { emulation, app: oauth.create('naver') }
}

describe('naver preset', () => {
  it('logs in through the emulation and unwraps the profile from its envelope', async () => {
    const { emulation, app } = await setup()
    const before = Math.floor(Date.now() / 1000)
    const token = await completeLogin(app, emulation)
    // expires_in came as the string "3600".
    expect(token.expires_in).toBe(3600)
    expect(token.expires_at).toBeGreaterThanOrEqual(before + 3600)
    expect(await app.profile(token)).toEqual({
      sub: '32742776',
      name: '홍길동',
      email: 'gildong@naver.test',
      picture: 'https://ssl.pstatic.test/static/pwe/address/img_profile.png',
      raw: expect.objectContaining({ nickname: 'gildong', gender: 'M' }),
    })
  })

  it("quirk: a token error sent with HTTP 200 is token_error with Naver's error", async () => {
    const { emulation, app } = await setup()
    const cookies = new MemoryCookieJar()
    const res = await app.authorizeRedirect({ cookies }, 'https://app.test/cb')
    const callback = new URL((await emulation.authorize(res.headers.get('location')!)).url)
    callback.searchParams.set('code', 'stale-code')
    const err = await expectCode(
      app.authorizeAccessToken({ cookies, request: new Request(callback) }),
      ErrorCode.TOKEN_ERROR,
    )
    expect(err).toMatchObject({ error: 'invalid_grant', status: 400 })
    const odd = Response.json({ access_token: 'a', token_type: 'bearer', expires_in: '36 00' })
    expect(await naverTokenResponse(odd)).toBe(odd)
  })

  it('quirk: resultcode 024 without a challenge refreshes the token and retries once', async () => {
    const { emulation, app } = await setup()
    const token = { ...emulation.issueToken(), access_token: 'naver-at-expired' }
    expect((await app.profile(token)).sub).toBe('32742776')
    const refreshes = emulation.calls.filter((c) => c.body.includes('grant_type=refresh_token'))
    expect(refreshes).toHaveLength(1)
  })

  it('quirk: an envelope without a member (resultcode other than 00) is invalid_response', async () => {
    const { app, emulation } = await setup()
    server.use(
      http.get('https://openapi.naver.com/v1/nid/me', () =>
        HttpResponse.json({ resultcode: '500', message: 'internal error' }),
      ),
    )
    await expectCode(app.profile(emulation.issueToken()), ErrorCode.INVALID_RESPONSE)
  })
})
