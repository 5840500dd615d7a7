/**
 * Kakao — Kakao Login (OAuth 2.0 with OpenID Connect).
 *
 * Followed, as of 2026-11: "Kakao Login: REST API" (https://developers.kakao.com/docs/latest/en/kakaologin/rest-api),
 * "Kakao Login: Understand OpenID Connect" (…/kakaologin/common#oidc) and "Reference: Response code"
 * (https://developers.kakao.com/docs/latest/en/reference/response-code). Written from knowledge of
 * those pages, not from a fresh reading. Unsure: whether the token endpoint still answers some
 * failures in the API's `{ code, msg }` shape instead of `{ error, error_description, error_code }`
 * (older integrations reported both; the hook reads either), and whether PKCE is accepted by every
 * app (Kakao documents `code_challenge` for the authorize request since 2023; set `pkce: false` if
 * yours refuses it).
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import type { ResponseHook } from '../types.js'
import { bearerRefusal, jsonObject, tokenError } from './envelope.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'

const KAUTH = 'https://kauth.kakao.com'
const KAPI = 'https://kapi.kakao.com'

/** `GET https://kapi.kakao.com/v2/user/me` (the fields oauthkit reads). @group Social and consumer presets */
export interface KakaoProfile {
  /** The service user id: a number. */
  id: number
  connected_at?: string
  properties?: { nickname?: string; profile_image?: string; thumbnail_image?: string }
  kakao_account?: {
    profile_needs_agreement?: boolean
    profile?: {
      nickname?: string
      profile_image_url?: string
      thumbnail_image_url?: string
      is_default_image?: boolean
    }
    email_needs_agreement?: boolean
    /** False when the address no longer reaches the user (another account took it). */
    is_email_valid?: boolean
    is_email_verified?: boolean
    email?: string
    [field: string]: unknown
  }
  [field: string]: unknown
}

/** Options of {@link kakao}. @group Social and consumer presets */
export interface KakaoOptions extends PresetOptions {
  /** The app's REST API key. */
  clientId: string
}

/** Kakao's API error codes (`{ code, msg }`) that mean the token, not the request, is at fault. */
const TOKEN_CODES = new Set([-401])
/** …and those that mean the user did not consent to what the call needs. */
const SCOPE_CODES = new Set([-402])

/**
 * Kakao's API answers errors as `{ code: -401, msg }` (HTTP 401) without the RFC 6750 challenge, so
 * a standard client neither refreshes an expired token nor says why: give it the challenge
 * (`invalid_token` for -401, `insufficient_scope` for -402, consent missing).
 * @group Social and consumer presets
 */
export const kakaoApiResponse: ResponseHook = async (response) => {
  if (response.ok || response.headers.has('www-authenticate')) return response
  const body = await jsonObject(response)
  const code = body?.code
  if (typeof code !== 'number') return response
  const msg = typeof body?.msg === 'string' ? body.msg : `Kakao error ${code}`
  if (TOKEN_CODES.has(code)) return bearerRefusal('invalid_token', msg)
  if (SCOPE_CODES.has(code)) return bearerRefusal('insufficient_scope', msg)
  return response
}

/**
 * The token endpoint answers `{ error, error_description, error_code: "KOE…" }`, or for some failures
 * the API's `{ code, msg }` without `error`: give the second an RFC 6749 §5.2 `error` too
 * (`invalid_client` for -401, else `invalid_request`), Kakao's message as its description.
 * @group Social and consumer presets
 */
export const kakaoTokenResponse: ResponseHook = async (response) => {
  if (response.ok) return response
  const body = await jsonObject(response)
  if (!body || typeof body.error === 'string' || typeof body.code !== 'number') return response
  return tokenError(
    body.code === -401 ? 'invalid_client' : 'invalid_request',
    typeof body.msg === 'string' ? body.msg : undefined,
  )
}

/**
 * Kakao Login with OpenID Connect (discovery at kauth.kakao.com; turn OpenID Connect on in the app's
 * Kakao Login settings, or give a `scope` without `openid`). The REST API key is the client id; the
 * client secret, when the app has one enabled, goes in the body. The ID token carries the login's
 * nonce, which the core checks. The profile is `/v2/user/me`; the email counts as verified only
 * when Kakao says it is both verified and still valid.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { kakao } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'kakao',
 *   kakao({ clientId: process.env.KAKAO_REST_API_KEY!, clientSecret: process.env.KAKAO_CLIENT_SECRET }),
 * )
 * const token = await oauth.create('kakao').authorizeAccessToken({ cookies, request })
 * const { sub, name, email, raw } = await oauth.create('kakao').profile(token) // raw.kakao_account
 * ```
 * @group Social and consumer presets
 */
export function kakao(
  options: KakaoOptions,
): OAuth2AppConfig & { profile: ProfileLoader<KakaoProfile> } {
  checkPresetKeys('kakao', options, [])
  return definePreset(options, {
    serverMetadataUrl: `${KAUTH}/.well-known/openid-configuration`,
    authorizeUrl: `${KAUTH}/oauth/authorize`,
    accessTokenUrl: `${KAUTH}/oauth/token`,
    apiBaseUrl: KAPI,
    scope: 'openid profile_nickname profile_image account_email',
    // Kakao documents client_secret as a body parameter; without a secret the app is a public client.
    tokenEndpointAuthMethod: options.clientSecret
      ? ('client_secret_post' as const)
      : ('none' as const),
    hooks: {
      accessTokenResponse: kakaoTokenResponse,
      refreshTokenResponse: kakaoTokenResponse,
      protectedResponse: kakaoApiResponse,
      userinfoResponse: kakaoApiResponse,
    },
    profile: kakaoProfile,
  })
}

const kakaoProfile: ProfileLoader<KakaoProfile> = async (
  api,
  token,
): Promise<NormalizedProfile<KakaoProfile>> => {
  const user = await api.getJson<KakaoProfile>('v2/user/me', token)
  const account = user.kakao_account ?? {}
  const profile: NormalizedProfile<KakaoProfile> = { sub: String(user.id), raw: user }
  const name = account.profile?.nickname ?? user.properties?.nickname
  if (name) profile.name = name
  const picture = account.profile?.is_default_image
    ? undefined
    : (account.profile?.profile_image_url ?? user.properties?.profile_image)
  if (picture) profile.picture = picture
  if (typeof account.email === 'string') {
    profile.email = account.email
    // An address Kakao verified once but that now belongs to another account is not the user's.
    profile.email_verified = account.is_email_verified === true && account.is_email_valid === true
  }
  return profile
}
