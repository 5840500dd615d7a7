/**
 * LINE — LINE Login v2.1 (OpenID Connect).
 *
 * Followed, as of 2026-11: "Integrating LINE Login with your web app"
 * (https://developers.line.biz/en/docs/line-login/integrate-line-login/), "LINE Login v2.1 API
 * reference" (https://developers.line.biz/en/reference/line-login/) and "Add a LINE Official Account as
 * a friend when logged in (bot link)" (https://developers.line.biz/en/docs/line-login/link-a-bot/).
 * Written from knowledge of those pages, not from a fresh reading. Unsure: whether LINE's discovery
 * document (which advertises ES256, the algorithm of its native SDKs' ID tokens) will ever list HS256;
 * the preset therefore configures its endpoints and algorithms explicitly instead of discovering them.
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import type { OAuth2Token } from '../types.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'
import { presetError } from './oidc-profile.js'

const ACCESS = 'https://access.line.me'
const API = 'https://api.line.me'

/** `GET https://api.line.me/v2/profile`, with the ID token's `email` added when there is one. @group Social and consumer presets */
export interface LineProfile {
  /** The user id (`U` and 32 hex digits), per provider (channel owner). */
  userId: string
  displayName: string
  pictureUrl?: string
  statusMessage?: string
  /** From the ID token (scope `email`, and only once the channel was granted email permission). */
  email?: string
  [field: string]: unknown
}

/** Options of {@link line}. @group Social and consumer presets */
export interface LineOptions extends PresetOptions {
  /** The channel secret: the token endpoint's credential and the key of the HS256 ID tokens. */
  clientSecret: string
  /**
   * Offer to add the channel's linked LINE Official Account as a friend: `normal` (an option on the
   * consent screen) or `aggressive` (a separate screen after it). The callback then carries
   * `friendship_status_changed`.
   */
  botPrompt?: 'normal' | 'aggressive'
}

/**
 * LINE Login v2.1. Its ID tokens for web logins are signed with HS256 keyed by the channel secret (not
 * with a key from a JWKS), which the core verifies when the algorithm is allowed: the preset allows
 * HS256 (and ES256, what LINE's SDKs get). The channel secret is sent in the token request's body, as
 * LINE documents. The profile is `/v2/profile`; the email is only in the ID token.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { line } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'line',
 *   line({ clientId: process.env.LINE_CHANNEL_ID!, clientSecret: process.env.LINE_CHANNEL_SECRET!, botPrompt: 'normal' }),
 * )
 * const token = await oauth.create('line').authorizeAccessToken({ cookies, request })
 * const { sub, name, email, raw } = await oauth.create('line').profile(token) // raw.statusMessage
 * ```
 * @group Social and consumer presets
 */
export function line(
  options: LineOptions,
): OAuth2AppConfig & { profile: ProfileLoader<LineProfile> } {
  checkPresetKeys('line', options, ['botPrompt'])
  const { botPrompt, ...rest } = options
  if (botPrompt !== undefined && botPrompt !== 'normal' && botPrompt !== 'aggressive')
    throw presetError('line', 'botPrompt', 'must be "normal" or "aggressive"')
  if (typeof rest.clientSecret !== 'string' || rest.clientSecret === '')
    throw presetError(
      'line',
      'clientSecret',
      "is required: it is the channel secret, the key of LINE's HS256 ID tokens",
    )
  const authorizeParams: Record<string, string> = botPrompt ? { bot_prompt: botPrompt } : {}
  return definePreset(rest, {
    issuer: ACCESS,
    authorizeUrl: `${ACCESS}/oauth2/v2.1/authorize`,
    accessTokenUrl: `${API}/oauth2/v2.1/token`,
    revocationEndpoint: `${API}/oauth2/v2.1/revoke`,
    jwksUri: `${API}/oauth2/v2.1/certs`,
    userinfoEndpoint: `${API}/oauth2/v2.1/userinfo`,
    apiBaseUrl: API,
    // Web logins get HS256 ID tokens keyed by the channel secret; LINE's SDKs get ES256 ones (JWKS).
    serverMetadata: { id_token_signing_alg_values_supported: ['HS256', 'ES256'] },
    scope: 'openid profile email',
    authorizeParams,
    // LINE documents client_id and client_secret as body parameters of the token request.
    tokenEndpointAuthMethod: 'client_secret_post' as const,
    profile: lineProfile,
  })
}

const lineProfile: ProfileLoader<LineProfile> = async (
  api,
  token: OAuth2Token,
): Promise<NormalizedProfile<LineProfile>> => {
  const user = await api.getJson<LineProfile>('v2/profile', token)
  // The email is a claim of the (verified) ID token only; /v2/profile never has it.
  const email = typeof token.userinfo?.email === 'string' ? token.userinfo.email : undefined
  const raw: LineProfile = email === undefined ? user : { ...user, email }
  const profile: NormalizedProfile<LineProfile> = { sub: user.userId, raw }
  if (user.displayName) profile.name = user.displayName
  if (user.pictureUrl) profile.picture = user.pictureUrl
  // LINE says nothing about whether the address was verified: email_verified stays unset.
  if (email !== undefined) profile.email = email
  return profile
}
