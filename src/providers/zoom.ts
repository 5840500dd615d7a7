/**
 * Zoom — OAuth 2.0 (user-authorized apps), REST API v2.
 *
 * Followed, as of 2026-11: "OAuth 2.0 for Zoom" / "Using OAuth 2.0"
 * (developers.zoom.us/docs/integrations/oauth/), "PKCE" (same page), "Granular scopes"
 * (developers.zoom.us/docs/integrations/oauth-scopes-granular/) and "Get a user" with `me`
 * (developers.zoom.us/docs/api/users/#tag/users/GET/users/{userId}). Scopes are configured on the app
 * in the Zoom App Marketplace; the authorization URL needs none (the profile needs
 * `user:read:user`, or classic `user:read`). The token endpoint takes HTTP Basic; refresh tokens
 * rotate. Unsure: token errors carry `reason` where RFC 6749 has `error_description` (seen in
 * practice; the docs do not show the body), and `verified` (1/0) is about the user's email.
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader, TokenEndpointAuthMethod } from '../oauth2/config.js'
import type { ResponseHook } from '../types.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'

/** The user as `GET /v2/users/me` returns it (the fields oauthkit reads). @group Work and developer presets */
export interface ZoomProfile {
  id: string
  first_name?: string
  last_name?: string
  display_name?: string
  email: string
  /** 1 when the user's email is verified, 0 when not. */
  verified?: number
  pic_url?: string
  account_id?: string
  type?: number
  status?: string
  [field: string]: unknown
}

/** Options of {@link zoom}. @group Work and developer presets */
export type ZoomOptions = PresetOptions

/**
 * Zoom's token errors put the explanation in `reason`; RFC 6749 §5.2 calls it `error_description`.
 * @group Work and developer presets
 */
export const zoomTokenResponse: ResponseHook = async (response) => {
  if (response.ok) return response
  const body = (await response
    .clone()
    .json()
    .catch(() => null)) as Record<string, unknown> | null
  if (!body || typeof body.reason !== 'string' || body.error_description !== undefined)
    return response
  return Response.json(
    {
      ...body,
      error: typeof body.error === 'string' ? body.error : 'invalid_request',
      error_description: body.reason,
    },
    { status: response.status },
  )
}

/** `/users/me`: `verified` is a number; the name may be split. */
const zoomProfile: ProfileLoader<ZoomProfile> = async (api, token) => {
  const user = await api.getJson<ZoomProfile>('users/me', token)
  const profile: NormalizedProfile<ZoomProfile> = { sub: user.id, raw: user }
  const name = user.display_name || `${user.first_name ?? ''} ${user.last_name ?? ''}`.trim()
  if (name) profile.name = name
  if (user.email) {
    profile.email = user.email
    profile.email_verified = user.verified === 1
  }
  if (user.pic_url) profile.picture = user.pic_url
  return profile
}

/**
 * Sign in with Zoom (a user-managed OAuth app).
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { zoom, type ZoomProfile } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret }).register('zoom', zoom({ clientId, clientSecret }))
 * const profile = await oauth.create('zoom').profile(token)
 * const accountId = (profile.raw as ZoomProfile).account_id
 * const meetings = await oauth.create('zoom').get('users/me/meetings', { token }).json()
 * ```
 * @group Work and developer presets
 */
export function zoom(
  options: ZoomOptions,
): OAuth2AppConfig & { profile: ProfileLoader<ZoomProfile> } {
  checkPresetKeys('zoom', options, [])
  const authMethod: TokenEndpointAuthMethod = 'client_secret_basic'
  return definePreset(options, {
    authorizeUrl: 'https://zoom.us/oauth/authorize',
    accessTokenUrl: 'https://zoom.us/oauth/token',
    apiBaseUrl: 'https://api.zoom.us/v2',
    // Zoom requires HTTP Basic at the token endpoint (oauthkit's default with a secret).
    tokenEndpointAuthMethod: authMethod,
    hooks: { accessTokenResponse: zoomTokenResponse, refreshTokenResponse: zoomTokenResponse },
    profile: zoomProfile,
  })
}
