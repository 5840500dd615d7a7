/**
 * Naver — Naver Login (네이버 로그인), OAuth 2.0 without OpenID Connect.
 *
 * Followed, as of 2026-11: "네이버 로그인 API 명세" (https://developers.naver.com/docs/login/api/api.md)
 * and "회원 프로필 조회 API 명세" (https://developers.naver.com/docs/login/profile/profile.md).
 * Written from knowledge of those pages, not from a fresh reading. Unsure: the token request is
 * documented with `state` as a parameter, yet Naver has long issued tokens without it (clients such as
 * Auth.js send none, and so does this preset); whether `code_challenge` is honoured or ignored (PKCE is
 * sent: an authorization server ignores parameters it does not know, RFC 6749 §3.1); and whether the
 * profile API's 401 ever carries a `WWW-Authenticate` challenge (the hook adds one only when missing).
 * Token revocation is Naver's own `grant_type=delete` request, not RFC 7009, and is not wired.
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import { providerText } from '../errors/provider-text.js'
import type { ResponseHook } from '../types.js'
import { bearerRefusal, jsonObject, tokenError } from './envelope.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'

const NID = 'https://nid.naver.com/oauth2.0'

/** The member, as `GET https://openapi.naver.com/v1/nid/me` wraps it in `response`. @group Social and consumer presets */
export interface NaverProfile {
  /** The member id for this app (an opaque string). */
  id: string
  nickname?: string
  name?: string
  /** The contact address the member gave: Naver does not say it was verified. */
  email?: string
  gender?: 'F' | 'M' | 'U'
  age?: string
  birthday?: string
  birthyear?: string
  profile_image?: string
  mobile?: string
  [field: string]: unknown
}

/** `/v1/nid/me` as sent: Naver's envelope around the profile. @group Social and consumer presets */
export interface NaverEnvelope {
  /** `"00"` on success. */
  resultcode: string
  message: string
  response?: NaverProfile
}

/** Options of {@link naver}. @group Social and consumer presets */
export interface NaverOptions extends PresetOptions {
  clientSecret: string
}

/**
 * The token endpoint answers errors with HTTP 200 and `{ error, error_description }`, and success with
 * `expires_in` as a string (`"3600"`): give errors HTTP 400 (RFC 6749 §5.2) and make `expires_in` the
 * number RFC 6749 §5.1 says it is (a strict client refuses the response otherwise).
 * @group Social and consumer presets
 */
export const naverTokenResponse: ResponseHook = async (response) => {
  const body = await jsonObject(response)
  if (!body) return response
  if (typeof body.error === 'string')
    return tokenError(
      body.error,
      typeof body.error_description === 'string' ? body.error_description : undefined,
    )
  if (typeof body.expires_in === 'string' && /^\d{1,10}$/.test(body.expires_in))
    return Response.json(
      { ...body, expires_in: Number(body.expires_in) },
      { status: response.status },
    )
  return response
}

/** Naver's profile API result codes that mean the token is at fault (024 authentication failed, 028 no token). */
const TOKEN_CODES = new Set(['024', '028'])

/**
 * The profile API answers a bad or expired token with `{ resultcode: "024", message }` and no RFC 6750
 * challenge: give it `Bearer error="invalid_token"`, so the core refreshes the token and retries once.
 * @group Social and consumer presets
 */
export const naverApiResponse: ResponseHook = async (response) => {
  if (response.ok || response.headers.has('www-authenticate')) return response
  const body = await jsonObject(response)
  if (typeof body?.resultcode !== 'string' || !TOKEN_CODES.has(body.resultcode)) return response
  return bearerRefusal(
    'invalid_token',
    typeof body.message === 'string' ? body.message : body.resultcode,
  )
}

/**
 * Naver Login. The client secret goes in the body; the token endpoint's HTTP 200 errors and string
 * `expires_in` are bent back to RFC 6749, and the profile is unwrapped from Naver's
 * `{ resultcode, message, response }` envelope (a non-`"00"` result is `invalid_response`). Naver
 * sends no scope: what the profile holds is chosen in the app's settings at developers.naver.com.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { naver } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'naver',
 *   naver({ clientId: process.env.NAVER_CLIENT_ID!, clientSecret: process.env.NAVER_CLIENT_SECRET! }),
 * )
 * const token = await oauth.create('naver').authorizeAccessToken({ cookies, request })
 * const { sub, name, email, raw } = await oauth.create('naver').profile(token) // raw.nickname
 * ```
 * @group Social and consumer presets
 */
export function naver(
  options: NaverOptions,
): OAuth2AppConfig & { profile: ProfileLoader<NaverProfile> } {
  checkPresetKeys('naver', options, [])
  return definePreset(options, {
    authorizeUrl: `${NID}/authorize`,
    accessTokenUrl: `${NID}/token`,
    apiBaseUrl: 'https://openapi.naver.com',
    // Naver documents client_id and client_secret as parameters of the token request.
    tokenEndpointAuthMethod: 'client_secret_post' as const,
    hooks: {
      accessTokenResponse: naverTokenResponse,
      refreshTokenResponse: naverTokenResponse,
      protectedResponse: naverApiResponse,
    },
    profile: naverProfile,
  })
}

const naverProfile: ProfileLoader<NaverProfile> = async (
  api,
  token,
): Promise<NormalizedProfile<NaverProfile>> => {
  const envelope = await api.getJson<NaverEnvelope>('v1/nid/me', token)
  const user = envelope?.response
  if (envelope?.resultcode !== '00' || typeof user?.id !== 'string' || user.id === '') {
    throw new OAuthKitError(
      ErrorCode.INVALID_RESPONSE,
      `${api.name}: Naver's profile API answered result code "${providerText(envelope?.resultcode, [], 8) ?? ''}" without a member`,
      { app: api.name },
    )
  }
  const profile: NormalizedProfile<NaverProfile> = { sub: user.id, raw: user }
  const name = user.name ?? user.nickname
  if (name) profile.name = name
  // A contact address the member typed in: Naver does not say it was verified, so email_verified stays unset.
  if (user.email) profile.email = user.email
  if (user.profile_image) profile.picture = user.profile_image
  return profile
}
