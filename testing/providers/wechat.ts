/**
 * WeChat emulation: `appid` instead of `client_id` on the authorize page, GET token and refresh
 * endpoints with `appid`/`secret` in the query, answers as `text/plain` JSON without `token_type` but
 * with `openid` and `unionid`, errors as `{ errcode, errmsg }` with HTTP 200 (also from the API, for
 * a bad or expired token), and `/sns/userinfo` taking the token and the `openid` in its query.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

const API = 'https://api.weixin.qq.com'

/** The default WeChat test user. @group Testing */
export const WECHAT_TEST_USER: EmulatedUser = {
  id: 'o6_bmjrPTlm6_2sgVt7hMZOPfL2M',
  unionid: 'o6_bmasdasdsad6_2sgVt7hMZOPfL',
  name: 'Band',
  picture: 'https://thirdwx.qlogo.test/mmopen/band/0',
  country: 'CN',
}

/** WeChat's answers: JSON sent as text/plain, errors with HTTP 200. */
const wechatJson = (body: Record<string, unknown>) =>
  new HttpResponse(JSON.stringify(body), {
    headers: { 'content-type': 'text/plain; charset=utf-8' },
  })

const ERRCODES: Record<string, number> = {
  invalid_grant: 40029,
  invalid_client: 40125,
  unsupported_grant_type: 40117,
}

/** Emulate WeChat login (website QR code or Official Account) for the `wechat` preset. @group Testing */
export function emulateWeChat(
  options: {
    users?: EmulatedUser[]
    appSecret?: string
    mode?: 'website' | 'official-account'
  } = {},
): Promise<ProviderEmulation> {
  const secret = options.appSecret ?? 'wechat-app-secret'
  return createEmulation(
    {
      name: 'wechat',
      authorizeUrl:
        options.mode === 'official-account'
          ? 'https://open.weixin.qq.com/connect/oauth2/authorize'
          : 'https://open.weixin.qq.com/connect/qrconnect',
      tokenUrl: `${API}/sns/oauth2/access_token`,
      refreshUrl: `${API}/sns/oauth2/refresh_token`,
      tokenMethod: 'GET',
      tokenRedirectUri: false,
      paramAliases: { appid: 'client_id', secret: 'client_secret' },
      rotateRefreshTokens: false,
      checkAuthorizeRequest: (params) =>
        params.get('appid') ? undefined : { error: 'invalid_request', error_description: 'appid' },
      checkTokenRequest: (_request, params) =>
        params.get('grant_type') === 'authorization_code' && params.get('secret') !== secret
          ? wechatJson({ errcode: 40125, errmsg: 'invalid appsecret, rid: 6512f0d1-1' })
          : undefined,
      tokenError: (error, description) =>
        wechatJson({
          errcode: ERRCODES[error] ?? 40001,
          errmsg: `${description}, rid: 6512f0d1-2`,
        }),
      tokenResponse: (ctx) =>
        wechatJson({
          access_token: ctx.accessToken,
          expires_in: 7200,
          refresh_token: ctx.refreshToken,
          openid: ctx.user.id,
          scope: ctx.scope,
          ...(ctx.user.unionid !== undefined && { unionid: ctx.user.unionid }),
        }),
      apiUnauthorized: () =>
        wechatJson({
          errcode: 40001,
          errmsg: 'invalid credential, access_token is invalid or not latest',
        }),
      api: {
        [`${API}/sns/userinfo`]: (user, request) =>
          new URL(request.url).searchParams.get('openid') !== user.id
            ? wechatJson({ errcode: 40003, errmsg: 'invalid openid' })
            : wechatJson({
                openid: user.id,
                nickname: user.name,
                sex: 0,
                province: '',
                city: '',
                country: user.country,
                headimgurl: user.picture,
                privilege: [],
                ...(user.unionid !== undefined && { unionid: user.unionid }),
              }),
      },
    },
    options.users ?? [WECHAT_TEST_USER],
  )
}
