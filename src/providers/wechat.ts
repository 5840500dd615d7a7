/**
 * WeChat — "Website Application WeChat Login" (QR code) and the Official Account web authorization
 * (inside WeChat's browser): OAuth 2.0 in WeChat's own dialect, no OpenID Connect.
 *
 * Followed, as of 2026-11: "Website Application WeChat Login Development Guide"
 * (https://developers.weixin.qq.com/doc/oplatform/en/Website_App/WeChat_Login/Wechat_Login.html),
 * "Authorization interface call" (…/Website_App/WeChat_Login/Authorized_API_call_UnionID.html) and the
 * Official Account "Web page authorization" (https://developers.weixin.qq.com/doc/offiaccount/en/OA_Web_Apps/Wechat_webpage_authorization.html).
 * Written from knowledge of those pages, not from a fresh reading. Unsure: whether the authorize
 * page tolerates parameters it does not document (`code_challenge`), so PKCE is off — WeChat has no
 * PKCE, the `state` still binds the login; the exact error codes beyond those listed below (any other
 * `errcode` on the token endpoint is `invalid_request`); and whether every API answers JSON as
 * `text/plain` (the hooks read the body whatever its type says).
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import type { UrlHook, RequestHook, ResponseHook } from '../types.js'
import { bearerRefusal, jsonObject, tokenError } from './envelope.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'
import { presetError } from './oidc-profile.js'

const API = 'https://api.weixin.qq.com'
const TOKEN = `${API}/sns/oauth2/access_token`
const REFRESH = `${API}/sns/oauth2/refresh_token`

/** `GET https://api.weixin.qq.com/sns/userinfo`. @group Social and consumer presets */
export interface WeChatProfile {
  /** The user's id for this app. */
  openid: string
  /** The user's id across the apps of one WeChat Open Platform account (when the app is bound to one). */
  unionid?: string
  nickname?: string
  /** 1 male, 2 female, 0 unknown (no longer filled in since 2021). */
  sex?: number
  province?: string
  city?: string
  country?: string
  headimgurl?: string
  privilege?: string[]
  [field: string]: unknown
}

/** Options of {@link wechat}. @group Social and consumer presets */
export interface WeChatOptions extends PresetOptions {
  /** The AppID. */
  clientId: string
  /** The AppSecret. */
  clientSecret: string
  /**
   * `website` (default): the QR code login of a Website Application (`qrconnect`, scope `snsapi_login`).
   * `official-account`: the web authorization of an Official Account, inside WeChat's browser (scope
   * `snsapi_userinfo`).
   */
  mode?: 'website' | 'official-account'
  /**
   * Which id is the profile's `sub`: `openid` (default; always there, one per app) or `unionid` (the
   * same across the apps of one Open Platform account; a user without one is `invalid_response`).
   */
  subject?: 'openid' | 'unionid'
}

/**
 * WeChat names `client_id` `appid` and wants the `#wechat_redirect` fragment on the authorization URL
 * (its page does not proceed without it).
 * @group Social and consumer presets
 */
export const wechatAuthorizationUrl: UrlHook = (url) => {
  const params = new URLSearchParams()
  // WeChat documents this order (appid first) and its own names; the order is kept as documented.
  params.set('appid', url.searchParams.get('client_id') ?? '')
  for (const [key, value] of url.searchParams) if (key !== 'client_id') params.append(key, value)
  url.search = params.toString()
  url.hash = 'wechat_redirect'
}

/** A form-encoded token request as WeChat wants it: GET, parameters in the query, its names. */
function asWeChatGet(target: string, keep: Record<string, string>): RequestHook {
  return async (request) => {
    const form = new URLSearchParams(await request.clone().text())
    const url = new URL(target)
    for (const [name, wire] of Object.entries(keep)) {
      const value = form.get(name)
      if (value !== null) url.searchParams.set(wire, value)
    }
    return new Request(url, {
      method: 'GET',
      headers: {
        accept: 'application/json',
        'user-agent': request.headers.get('user-agent') ?? '',
      },
    })
  }
}

/**
 * The code exchange is a GET with `appid`, `secret`, `code` and `grant_type` in the query (the client
 * authenticates with `client_secret_post`, whose body this turns into that query).
 * @group Social and consumer presets
 */
export const wechatTokenRequest: RequestHook = asWeChatGet(TOKEN, {
  client_id: 'appid',
  client_secret: 'secret',
  code: 'code',
  grant_type: 'grant_type',
})

/** The refresh is a GET to `/sns/oauth2/refresh_token` with `appid` and no secret. @group Social and consumer presets */
export const wechatRefreshRequest: RequestHook = asWeChatGet(REFRESH, {
  client_id: 'appid',
  grant_type: 'grant_type',
  refresh_token: 'refresh_token',
})

/** Token endpoint `errcode`s and the RFC 6749 §5.2 error each means. */
const TOKEN_ERRORS: Record<number, string> = {
  40029: 'invalid_grant', // invalid code
  40163: 'invalid_grant', // code been used
  41008: 'invalid_grant', // missing code
  40030: 'invalid_grant', // invalid refresh_token
  42002: 'invalid_grant', // refresh_token expired
  40013: 'invalid_client', // invalid appid
  40125: 'invalid_client', // invalid appsecret
  41002: 'invalid_client', // missing appid
  41004: 'invalid_client', // missing secret
}

/**
 * WeChat answers token errors with HTTP 200 and `{ errcode, errmsg }`, success without `token_type`,
 * and both as `text/plain`: give errors their RFC 6749 §5.2 shape (HTTP 400, `error` from the
 * errcode), success `token_type: bearer`, and both a JSON content type. `openid` and `unionid` stay in
 * the token.
 * @group Social and consumer presets
 */
export const wechatTokenResponse: ResponseHook = async (response) => {
  const body = await jsonObject(response)
  if (!body) return response
  if (typeof body.errcode === 'number' && body.errcode !== 0) {
    const message = typeof body.errmsg === 'string' ? body.errmsg : ''
    return tokenError(
      TOKEN_ERRORS[body.errcode] ?? 'invalid_request',
      `${body.errcode} ${message}`.trim(),
    )
  }
  return Response.json({ token_type: 'bearer', ...body }, { status: response.status })
}

/** API `errcode`s that mean the access token is at fault (invalid, expired, missing). */
const TOKEN_CODES = new Set([40001, 40014, 41001, 42001])

/**
 * WeChat's API answers with HTTP 200 and `{ errcode, errmsg }` for an invalid or expired token (40001,
 * 40014, 42001) and a missing permission (48001): give them the RFC 6750 §3 401/403, so the core
 * refreshes the token and retries once.
 * @group Social and consumer presets
 */
export const wechatApiResponse: ResponseHook = async (response) => {
  if (!/json|text\/plain/i.test(response.headers.get('content-type') ?? '')) return response
  const body = await jsonObject(response)
  if (typeof body?.errcode !== 'number' || body.errcode === 0) return response
  const message = `${body.errcode} ${typeof body.errmsg === 'string' ? body.errmsg : ''}`.trim()
  if (TOKEN_CODES.has(body.errcode)) return bearerRefusal('invalid_token', message)
  if (body.errcode === 48001) return bearerRefusal('insufficient_scope', message)
  return response
}

/**
 * WeChat sign-in. The hooks bend WeChat's dialect to the standard: `appid` and `#wechat_redirect` on
 * the authorization URL, GET token and refresh requests with its parameter names, `{ errcode }` with
 * HTTP 200 as typed errors, and the access token in the API's query (as WeChat requires). The profile
 * is `/sns/userinfo` for the token's `openid`.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { wechat } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'wechat',
 *   wechat({ clientId: process.env.WECHAT_APPID!, clientSecret: process.env.WECHAT_APPSECRET!, subject: 'unionid' }),
 * )
 * const token = await oauth.create('wechat').authorizeAccessToken({ cookies, request }) // token.openid, token.unionid
 * const { sub, name, picture } = await oauth.create('wechat').profile(token)
 * ```
 * @group Social and consumer presets
 */
export function wechat(
  options: WeChatOptions,
): OAuth2AppConfig & { profile: ProfileLoader<WeChatProfile> } {
  checkPresetKeys('wechat', options, ['mode', 'subject'])
  const { mode = 'website', subject = 'openid', ...rest } = options
  if (mode !== 'website' && mode !== 'official-account')
    throw presetError('wechat', 'mode', 'must be "website" or "official-account"')
  if (subject !== 'openid' && subject !== 'unionid')
    throw presetError('wechat', 'subject', 'must be "openid" or "unionid"')
  if (typeof rest.clientSecret !== 'string' || rest.clientSecret === '')
    throw presetError('wechat', 'clientSecret', 'is required (the AppSecret)')
  return definePreset(rest, {
    authorizeUrl:
      mode === 'website'
        ? 'https://open.weixin.qq.com/connect/qrconnect'
        : 'https://open.weixin.qq.com/connect/oauth2/authorize',
    accessTokenUrl: TOKEN,
    apiBaseUrl: API,
    scope: mode === 'website' ? 'snsapi_login' : 'snsapi_userinfo',
    // WeChat has no PKCE (see the module comment); state binds the login.
    pkce: false,
    // The secret goes in the body, which the request hook turns into WeChat's query.
    tokenEndpointAuthMethod: 'client_secret_post' as const,
    // WeChat's API takes the access token as a query parameter only.
    tokenPlacement: 'uri' as const,
    hooks: {
      authorizationUrl: wechatAuthorizationUrl,
      accessTokenRequest: wechatTokenRequest,
      accessTokenResponse: wechatTokenResponse,
      refreshTokenRequest: wechatRefreshRequest,
      refreshTokenResponse: wechatTokenResponse,
      protectedResponse: wechatApiResponse,
    },
    profile: subject === 'unionid' ? wechatProfileByUnionId : wechatProfile,
  })
}

const loadProfile = async (
  ...[api, token]: Parameters<ProfileLoader<WeChatProfile>>
): Promise<WeChatProfile> => {
  const openid = typeof token.openid === 'string' ? token.openid : ''
  if (!openid)
    throw new OAuthKitError(
      ErrorCode.INVALID_RESPONSE,
      `${api.name}: the token has no openid, which WeChat's userinfo call needs`,
      { app: api.name },
    )
  return api.getJson<WeChatProfile>(
    `sns/userinfo?openid=${encodeURIComponent(openid)}&lang=en`,
    token,
  )
}

function normalise(user: WeChatProfile, sub: string): NormalizedProfile<WeChatProfile> {
  const profile: NormalizedProfile<WeChatProfile> = { sub, raw: user }
  if (user.nickname) profile.name = user.nickname
  if (user.headimgurl) profile.picture = user.headimgurl
  // WeChat shares no email address.
  return profile
}

const wechatProfile: ProfileLoader<WeChatProfile> = async (api, token) => {
  const user = await loadProfile(api, token)
  return normalise(user, user.openid)
}

const wechatProfileByUnionId: ProfileLoader<WeChatProfile> = async (api, token) => {
  const user = await loadProfile(api, token)
  if (typeof user.unionid !== 'string' || user.unionid === '')
    throw new OAuthKitError(
      ErrorCode.INVALID_RESPONSE,
      `${api.name}: WeChat sent no unionid (the app is not bound to an Open Platform account), and subject is "unionid"`,
      { app: api.name },
    )
  return normalise(user, user.unionid)
}
