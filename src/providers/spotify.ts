/**
 * Spotify — OAuth 2.0 (Authorization Code, with PKCE), Web API.
 *
 * Followed, as of 2026-11: "Authorization Code Flow"
 * (developer.spotify.com/documentation/web-api/tutorials/code-flow), "Refreshing tokens"
 * (…/tutorials/refreshing-tokens), "Scopes" (…/concepts/scopes) and "Get Current User's Profile"
 * (developer.spotify.com/documentation/web-api/reference/get-current-users-profile), whose `email`
 * is documented as unverified. A refresh may or may not return a new refresh_token (oauthkit keeps
 * the old one when it does not). Spotify no longer accepts `localhost` redirect URIs: use
 * `http://127.0.0.1:PORT/…` in development.
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'

/** One image of a Spotify profile. @group Social and consumer presets */
export interface SpotifyImage {
  url: string
  height: number | null
  width: number | null
}

/** The user as `GET /v1/me` returns it (the fields oauthkit reads). @group Social and consumer presets */
export interface SpotifyProfile {
  id: string
  display_name: string | null
  /** With `user-read-email`. Spotify documents it as unverified. */
  email?: string
  /** Profile pictures, in several sizes. */
  images?: SpotifyImage[]
  /** With `user-read-private`. */
  country?: string
  product?: string
  [field: string]: unknown
}

/** Options of {@link spotify}. @group Social and consumer presets */
export interface SpotifyOptions extends PresetOptions {
  /** Show the consent dialog even when the user already approved the app (`show_dialog=true`). */
  showDialog?: boolean
}

/** `/v1/me`: the email is unverified; the picture is the widest image. */
const spotifyProfile: ProfileLoader<SpotifyProfile> = async (api, token) => {
  const me = await api.getJson<SpotifyProfile>('me', token)
  const profile: NormalizedProfile<SpotifyProfile> = { sub: me.id, raw: me }
  if (me.display_name) profile.name = me.display_name
  if (me.email) {
    profile.email = me.email
    // Spotify's reference: "This email address is unverified; there is no proof that it actually belongs to the user."
    profile.email_verified = false
  }
  const widest = [...(me.images ?? [])].sort((a, b) => (b.width ?? 0) - (a.width ?? 0))[0]
  if (widest) profile.picture = widest.url
  return profile
}

/**
 * Sign in with Spotify.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { spotify, type SpotifyProfile } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret }).register('spotify', spotify({ clientId, clientSecret, scope: 'user-read-email user-top-read' }))
 * const profile = await oauth.create('spotify').profile(token)
 * const plan = (profile.raw as SpotifyProfile).product
 * ```
 * @group Social and consumer presets
 */
export function spotify(
  options: SpotifyOptions,
): OAuth2AppConfig & { profile: ProfileLoader<SpotifyProfile> } {
  checkPresetKeys('spotify', options, ['showDialog'])
  const { showDialog, ...rest } = options
  return definePreset(rest, {
    authorizeUrl: 'https://accounts.spotify.com/authorize',
    accessTokenUrl: 'https://accounts.spotify.com/api/token',
    apiBaseUrl: 'https://api.spotify.com/v1',
    scope: 'user-read-email user-read-private',
    ...(showDialog !== undefined && { authorizeParams: { show_dialog: String(showDialog) } }),
    profile: spotifyProfile,
  })
}
