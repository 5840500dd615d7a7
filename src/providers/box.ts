/**
 * Box — OAuth 2.0 user authentication (no OpenID Connect), API 2.0.
 *
 * Followed, as of 2026-11: "OAuth 2.0 Auth" and "Refresh a token"
 * (https://developer.box.com/guides/authentication/oauth2/, https://developer.box.com/guides/authentication/tokens/refresh/)
 * and "Get current user" (https://developer.box.com/reference/get-users-me/). Written from knowledge of
 * those pages, not from a fresh reading. Unsure: whether Box honours PKCE (sent; unknown parameters
 * are ignored, RFC 6749 §3.1).
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'

/** `GET https://api.box.com/2.0/users/me` (the fields oauthkit reads). @group Work and developer presets */
export interface BoxProfile {
  type: 'user'
  id: string
  name?: string
  /** The primary login email. */
  login?: string
  avatar_url?: string
  enterprise?: { id: string; name?: string; type: 'enterprise' } | null
  [field: string]: unknown
}

/** Options of {@link box}. @group Work and developer presets */
export type BoxOptions = PresetOptions

/**
 * Box. Refresh tokens are single-use — every refresh returns a new one and the old stops working —
 * which the core's single-flight refresh and `updateToken` handle; the client secret goes in the body,
 * as documented. The profile is `/users/me`; `login` is the email, whose verification Box does not
 * state.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { box } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'box',
 *   box({ clientId: process.env.BOX_CLIENT_ID!, clientSecret: process.env.BOX_CLIENT_SECRET }),
 * )
 * const folder = await oauth.create('box').get('folders/0', { token }).json()
 * ```
 * @group Work and developer presets
 */
export function box(options: BoxOptions): OAuth2AppConfig & { profile: ProfileLoader<BoxProfile> } {
  checkPresetKeys('box', options, [])
  return definePreset(options, {
    authorizeUrl: 'https://account.box.com/api/oauth2/authorize',
    accessTokenUrl: 'https://api.box.com/oauth2/token',
    revocationEndpoint: 'https://api.box.com/oauth2/revoke',
    apiBaseUrl: 'https://api.box.com/2.0',
    // Box documents client_id and client_secret as body parameters.
    tokenEndpointAuthMethod: 'client_secret_post' as const,
    profile: boxProfile,
  })
}

const boxProfile: ProfileLoader<BoxProfile> = async (
  api,
  token,
): Promise<NormalizedProfile<BoxProfile>> => {
  const user = await api.getJson<BoxProfile>('users/me', token)
  const profile: NormalizedProfile<BoxProfile> = { sub: user.id, raw: user }
  if (user.name) profile.name = user.name
  if (user.login) profile.email = user.login
  if (user.avatar_url) profile.picture = user.avatar_url
  return profile
}
