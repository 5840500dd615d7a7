/**
 * Patreon — OAuth 2.0 with the API v2 (JSON:API), no OpenID Connect.
 *
 * Followed, as of 2026-11: "Patreon API: OAuth" and "API v2: /identity"
 * (https://docs.patreon.com/#oauth, https://docs.patreon.com/#get-api-oauth2-v2-identity). Written
 * from knowledge of that page, not from a fresh reading. Unsure: whether Patreon honours PKCE (sent;
 * unknown parameters are ignored, RFC 6749 §3.1).
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'

/** The user resource of `/api/oauth2/v2/identity` (the attributes the preset asks for). @group Social and consumer presets */
export interface PatreonProfile {
  id: string
  type: 'user'
  attributes: {
    full_name?: string
    vanity?: string | null
    /** With scope `identity[email]`. */
    email?: string
    is_email_verified?: boolean
    image_url?: string
    url?: string
    [attribute: string]: unknown
  }
  [field: string]: unknown
}

/** Options of {@link patreon}. @group Social and consumer presets */
export type PatreonOptions = PresetOptions

/** The user attributes read: API v2 returns only the fields asked for (JSON:API sparse fieldsets). */
const USER_FIELDS = ['full_name', 'vanity', 'email', 'is_email_verified', 'image_url', 'url']

/**
 * Patreon. API v2 sends no attribute unless asked for (`fields[user]=…`, JSON:API sparse fieldsets),
 * so the profile names the ones it reads; it is a JSON:API document (`{ data: { id, type, attributes } }`),
 * unwrapped here. The client secret goes in the body, as documented.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { patreon } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'patreon',
 *   patreon({ clientId: process.env.PATREON_CLIENT_ID!, clientSecret: process.env.PATREON_CLIENT_SECRET }),
 * )
 * const { sub, name, email, email_verified } = await oauth.create('patreon').profile(token)
 * ```
 * @group Social and consumer presets
 */
export function patreon(
  options: PatreonOptions,
): OAuth2AppConfig & { profile: ProfileLoader<PatreonProfile> } {
  checkPresetKeys('patreon', options, [])
  return definePreset(options, {
    authorizeUrl: 'https://www.patreon.com/oauth2/authorize',
    accessTokenUrl: 'https://www.patreon.com/api/oauth2/token',
    apiBaseUrl: 'https://www.patreon.com/api/oauth2/v2',
    scope: 'identity identity[email]',
    // Patreon documents client_id and client_secret as body parameters.
    tokenEndpointAuthMethod: 'client_secret_post' as const,
    profile: patreonProfile,
  })
}

const patreonProfile: ProfileLoader<PatreonProfile> = async (
  api,
  token,
): Promise<NormalizedProfile<PatreonProfile>> => {
  const query = new URLSearchParams({ 'fields[user]': USER_FIELDS.join(',') })
  const doc = await api.getJson<{ data?: PatreonProfile }>(`identity?${query}`, token)
  const user = doc?.data
  if (
    typeof user?.id !== 'string' ||
    typeof user.attributes !== 'object' ||
    user.attributes === null
  )
    throw new OAuthKitError(
      ErrorCode.INVALID_RESPONSE,
      `${api.name}: Patreon's identity document has no user resource`,
      { app: api.name },
    )
  const a = user.attributes
  const profile: NormalizedProfile<PatreonProfile> = { sub: user.id, raw: user }
  if (a.full_name) profile.name = a.full_name
  if (a.email) {
    profile.email = a.email
    profile.email_verified = a.is_email_verified === true
  }
  if (a.image_url) profile.picture = a.image_url
  return profile
}
