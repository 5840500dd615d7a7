/**
 * X (formerly Twitter) — OAuth 2.0 Authorization Code with PKCE, API v2. (OAuth 1.0a is the
 * `OAuth1App` side of oauthkit.)
 *
 * Followed, as of 2026-11: "OAuth 2.0 Authorization Code Flow with PKCE"
 * (docs.x.com/resources/fundamentals/authentication/oauth-2-0/authorization-code), "User access
 * token" (…/oauth-2-0/user-access-token) and "GET /2/users/me" (docs.x.com/x-api/users/
 * user-lookup-me). Email: X returns none by default; a `confirmed_email` user field exists behind the
 * `users.email` scope, which the app must be allowed to request (in the developer portal) — I am not
 * sure of every condition X attaches to it, so it is opt-in (`email: true`).
 *
 * @module
 */
import { configError, type NormalizedProfile } from '../app/config.js'
import {
  type OAuth2AppConfig,
  type ProfileLoader,
  type TokenEndpointAuthMethod,
} from '../oauth2/config.js'
import { checkPresetKeys, definePreset, type PresetOptions } from './preset.js'

/** The user object of `GET /2/users/me` (inside its `data`). @group Social and consumer presets */
export interface TwitterProfile {
  id: string
  name: string
  username: string
  /** With `user.fields=profile_image_url` (the preset asks for it). */
  profile_image_url?: string
  /** With the `users.email` scope and `user.fields=confirmed_email` (`email: true`). */
  confirmed_email?: string
  [field: string]: unknown
}

/** Options of {@link twitter}. @group Social and consumer presets */
export interface TwitterOptions extends PresetOptions {
  /** Ask for the user's confirmed email (`users.email` scope, `confirmed_email` field). Default false. */
  email?: boolean
  /** `user.fields` to ask `/2/users/me` for. Default `['profile_image_url']` (plus `confirmed_email` with `email`). */
  userFields?: string[]
}

/** `/2/users/me`, whose user is wrapped in `{ data: … }`. */
function twitterProfile(fields: string[]): ProfileLoader<TwitterProfile> {
  return async (api, token) => {
    const { data: user } = await api.getJson<{ data: TwitterProfile }>(
      `users/me?user.fields=${encodeURIComponent(fields.join(','))}`,
      token,
    )
    const profile: NormalizedProfile<TwitterProfile> = {
      sub: user.id,
      raw: user,
      name: user.name || user.username,
    }
    if (user.profile_image_url) profile.picture = user.profile_image_url
    // "Confirmed" is X's word: the address was verified by X.
    if (user.confirmed_email) {
      profile.email = user.confirmed_email
      profile.email_verified = true
    }
    return profile
  }
}

/**
 * Sign in with X (OAuth 2.0). Confidential clients (with a `clientSecret`) authenticate with HTTP
 * Basic, public ones send only `client_id`; both use PKCE S256, which X requires.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { twitter, type TwitterProfile } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret }).register('x', twitter({ clientId, clientSecret, email: true }))
 * const profile = await oauth.create('x').profile(token)
 * const handle = (profile.raw as TwitterProfile).username
 * ```
 * @group Social and consumer presets
 */
export function twitter(
  options: TwitterOptions,
): OAuth2AppConfig & { profile: ProfileLoader<TwitterProfile> } {
  checkPresetKeys('twitter', options, ['email', 'userFields'])
  const { email = false, userFields = ['profile_image_url'], ...rest } = options
  // X rejects authorization requests without a code_challenge.
  if (rest.pkce === false) throw configError('x', 'pkce', 'cannot be turned off: X requires PKCE')
  const fields =
    email && !userFields.includes('confirmed_email')
      ? [...userFields, 'confirmed_email']
      : userFields
  const authMethod: TokenEndpointAuthMethod =
    rest.clientSecret === undefined ? 'none' : 'client_secret_basic'
  return definePreset(rest, {
    authorizeUrl: 'https://x.com/i/oauth2/authorize',
    accessTokenUrl: 'https://api.x.com/2/oauth2/token',
    revocationEndpoint: 'https://api.x.com/2/oauth2/revoke',
    apiBaseUrl: 'https://api.x.com/2',
    // tweet.read is needed alongside users.read to read users; offline.access yields a refresh token.
    scope: `users.read tweet.read offline.access${email ? ' users.email' : ''}`,
    pkce: true,
    // Confidential clients must use HTTP Basic (oauthkit's default with a secret); public ones send client_id ('none').
    tokenEndpointAuthMethod: authMethod,
    profile: twitterProfile(fields),
  })
}
