import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth } from '../../src/index.js'
import { wechat, wechatApiResponse, type WeChatOptions } from '../../src/providers/index.js'
import {
  completeLogin,
  emulateWeChat,
  WECHAT_TEST_USER,
  type EmulatedUser,
} from '../../testing/index.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup(
  options: Partial<WeChatOptions> = {},
  emulation: { users?: EmulatedUser[] } = {},
) {
  const emu = await emulateWeChat({ ...emulation, mode: options.mode })
  server.use(...emu.handlers)
  const oauth = new OAuth({ secret: SECRET }).register(
    'wechat',
    wechat({ clientId: 'wx-appid-1234', clientSecret: 'wechat-app-secret', ...options }),
  )
  return { emulation: emu, app: oauth.create('wechat') }
}

describe('wechat preset', () => {
  it('logs in through the emulation (openid and unionid kept) and reads the profile', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(token).toMatchObject({
      token_type: 'bearer',
      openid: WECHAT_TEST_USER.id,
      unionid: WECHAT_TEST_USER.unionid,
      scope: 'snsapi_login',
    })
    expect(await app.profile(token)).toEqual({
      sub: WECHAT_TEST_USER.id,
      name: 'Band',
      picture: 'https://thirdwx.qlogo.test/mmopen/band/0',
      raw: expect.objectContaining({ unionid: WECHAT_TEST_USER.unionid, country: 'CN' }),
    })
    // The code exchange was a GET with appid and secret in the query, as WeChat wants it.
    const exchange = emulation.calls.find((c) => c.url.includes('/sns/oauth2/access_token'))!
    expect(exchange.method).toBe('GET')
    const query = new URL(exchange.url).searchParams
    expect([...query.keys()].sort()).toEqual(['appid', 'code', 'grant_type', 'secret'])
    // The API got the token in its query.
    const info = emulation.calls.find((c) => c.url.includes('/sns/userinfo'))!
    expect(new URL(info.url).searchParams.get('access_token')).toBe(token.access_token)
  })

  it('quirk: appid instead of client_id and the #wechat_redirect fragment; no PKCE', async () => {
    const { app } = await setup()
    const res = await app.authorizeRedirect(
      { cookies: new MemoryCookieJar() },
      'https://app.test/cb',
    )
    const url = new URL(res.headers.get('location')!)
    expect(url.origin + url.pathname).toBe('https://open.weixin.qq.com/connect/qrconnect')
    expect(url.hash).toBe('#wechat_redirect')
    expect(url.search.startsWith('?appid=wx-appid-1234&')).toBe(true)
    expect(url.searchParams.has('client_id')).toBe(false)
    expect(url.searchParams.has('code_challenge')).toBe(false)
    expect(url.searchParams.get('scope')).toBe('snsapi_login')
  })

  it('quirk: errcode with HTTP 200 from the token endpoint is token_error with an RFC 6749 error', async () => {
    const { emulation, app } = await setup({ clientSecret: 'not-the-app-secret' })
    const err = await expectCode(completeLogin(app, emulation), ErrorCode.TOKEN_ERROR)
    expect(err).toMatchObject({ error: 'invalid_client' })
    const { emulation: e2, app: a2 } = await setup()
    const cookies = new MemoryCookieJar()
    const res = await a2.authorizeRedirect({ cookies }, 'https://app.test/cb')
    const callback = new URL((await e2.authorize(res.headers.get('location')!)).url)
    callback.searchParams.set('code', 'used-code')
    const err2 = await expectCode(
      a2.authorizeAccessToken({ cookies, request: new Request(callback) }),
      ErrorCode.TOKEN_ERROR,
    )
    expect(err2).toMatchObject({ error: 'invalid_grant' })
    expect(err2.message).toContain('40029')
  })

  it("quirk: the API's errcode 40001 with HTTP 200 refreshes through WeChat's refresh endpoint and retries", async () => {
    const { emulation, app } = await setup()
    const token = { ...(await completeLogin(app, emulation)), access_token: 'wechat-at-stale' }
    expect((await app.profile(token)).sub).toBe(WECHAT_TEST_USER.id)
    const refresh = emulation.calls.find((c) => c.url.includes('/sns/oauth2/refresh_token'))!
    expect(refresh.method).toBe('GET')
    const query = new URL(refresh.url).searchParams
    expect([...query.keys()].sort()).toEqual(['appid', 'grant_type', 'refresh_token'])
    // 48001 (no permission) is a 403 insufficient_scope; an unrelated errcode is left alone.
    const denied = (await wechatApiResponse(
      Response.json({ errcode: 48001, errmsg: 'api unauthorized' }),
    ))!
    expect(denied.status).toBe(403)
    const other = Response.json({ errcode: 40003, errmsg: 'invalid openid' })
    expect(await wechatApiResponse(other)).toBe(other)
  })

  it('subject: unionid makes the unionid the sub, and a user without one invalid_response', async () => {
    const { emulation, app } = await setup(
      { subject: 'unionid', mode: 'official-account' },
      { users: [WECHAT_TEST_USER, { id: 'o-no-union', name: 'solo' }] },
    )
    const token = await completeLogin(app, emulation)
    expect(token.scope).toBe('snsapi_userinfo')
    expect((await app.profile(token)).sub).toBe(WECHAT_TEST_USER.unionid)
    const solo = await completeLogin(app, emulation, { user: 'o-no-union' })
    await expectCode(app.profile(solo), ErrorCode.INVALID_RESPONSE)
    expect(() => wechat({ clientId: 'a', clientSecret: 'b', subject: 'email' as never })).toThrow(
      /subject must be/,
    )
  })
})
