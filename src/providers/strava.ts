/**
 * Strava — OAuth 2.0, API v3.
 *
 * Followed, as of 2026-11: "Authentication" (developers.strava.com/docs/authentication) and the API
 * reference for `GET /athlete` (developers.strava.com/docs/reference/#api-Athletes-getLoggedInAthlete).
 * Strava's quirks: `scope` is comma-separated; `approval_prompt` (`auto`/`force`); client_id and
 * client_secret as token request parameters; the token response carries `expires_at` and a summary
 * `athlete`; refresh tokens may change on refresh. No email is available through the API. The user
 * may untick scopes on the consent screen — the granted ones come only in the callback's `scope`
 * parameter, which oauthkit does not surface today. Unsure: the exact error body (the
 * `{ message, errors: [{ resource, field, code }] }` shape is Strava's API-wide fault format; I
 * assume the token endpoint uses it too).
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader, TokenEndpointAuthMethod } from '../oauth2/config.js'
import type { ResponseHook } from '../types.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'

/** The athlete as `GET /api/v3/athlete` returns it (the fields oauthkit reads). @group Social and consumer presets */
export interface StravaProfile {
  id: number
  username: string | null
  firstname: string
  lastname: string
  /** 124×124 picture URL, or the relative placeholder `avatar/athlete/large.png`. */
  profile: string
  profile_medium: string
  city?: string | null
  country?: string | null
  [field: string]: unknown
}

/** Options of {@link strava}. @group Social and consumer presets */
export interface StravaOptions extends PresetOptions {
  /** `force` shows the consent screen every time; `auto` (default) only when needed. */
  approvalPrompt?: 'auto' | 'force'
}

/**
 * Strava's scope list: comma-separated (`read,activity:read`), whatever form it was given in. The
 * preset applies it to `scope`; use it for a per-call `params.scope` too.
 * @group Social and consumer presets
 */
export function stravaScope(scope: string | string[]): string {
  return (Array.isArray(scope) ? scope : scope.split(/[\s,]+/)).filter(Boolean).join(',')
}

/**
 * Strava reports token errors as `{ message, errors: [{ resource, field, code }] }` without an OAuth
 * `error`: map them to RFC 6749 §5.2 (`Application` → `invalid_client`, the code or refresh token →
 * `invalid_grant`).
 * @group Social and consumer presets
 */
export const stravaTokenResponse: ResponseHook = async (response) => {
  if (response.ok) return response
  const body = (await response
    .clone()
    .json()
    .catch(() => null)) as {
    error?: unknown
    message?: string
    errors?: Array<{ resource?: string; field?: string; code?: string }>
  } | null
  if (!body || typeof body.error === 'string' || !Array.isArray(body.errors)) return response
  const first = body.errors[0]
  const error =
    first?.resource === 'Application'
      ? 'invalid_client'
      : first?.resource === 'AuthorizationCode' || first?.resource === 'RefreshToken'
        ? 'invalid_grant'
        : 'invalid_request'
  const description = [
    body.message,
    first && `${first.resource ?? ''} ${first.field ?? ''} ${first.code ?? ''}`.trim(),
  ]
    .filter(Boolean)
    .join(': ')
  return Response.json({ error, error_description: description }, { status: response.status })
}

/** `/athlete`: no email; the placeholder picture is a relative path, not a picture. */
const stravaProfile: ProfileLoader<StravaProfile> = async (api, token) => {
  const athlete = await api.getJson<StravaProfile>('athlete', token)
  const profile: NormalizedProfile<StravaProfile> = { sub: String(athlete.id), raw: athlete }
  const name = `${athlete.firstname ?? ''} ${athlete.lastname ?? ''}`.trim() || athlete.username
  if (name) profile.name = name
  if (/^https:\/\//.test(athlete.profile ?? '')) profile.picture = athlete.profile
  return profile
}

/**
 * Sign in with Strava. The token keeps Strava's `athlete` summary; its `expires_at` is oauthkit's,
 * computed from `expires_in` on the local clock (the same instant as Strava's `expires_at`).
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { strava, type StravaProfile } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret }).register('strava', strava({ clientId, clientSecret, scope: ['read', 'activity:read'] }))
 * const profile = await oauth.create('strava').profile(token)
 * const city = (profile.raw as StravaProfile).city
 * ```
 * @group Social and consumer presets
 */
export function strava(
  options: StravaOptions,
): OAuth2AppConfig & { profile: ProfileLoader<StravaProfile> } {
  checkPresetKeys('strava', options, ['approvalPrompt'])
  const { approvalPrompt = 'auto', ...rest } = options
  const authMethod: TokenEndpointAuthMethod =
    rest.clientSecret === undefined ? 'none' : 'client_secret_post'
  return definePreset(
    // Strava separates scopes with commas; oauthkit sends a scope string as is.
    { ...rest, ...(rest.scope !== undefined && { scope: stravaScope(rest.scope) }) },
    {
      authorizeUrl: 'https://www.strava.com/oauth/authorize',
      accessTokenUrl: 'https://www.strava.com/oauth/token',
      apiBaseUrl: 'https://www.strava.com/api/v3',
      scope: 'read',
      authorizeParams: { approval_prompt: approvalPrompt },
      // Strava's docs send client_id and client_secret as parameters.
      tokenEndpointAuthMethod: authMethod,
      hooks: {
        accessTokenResponse: stravaTokenResponse,
        refreshTokenResponse: stravaTokenResponse,
      },
      profile: stravaProfile,
    },
  )
}
