/**
 * Twitch — OAuth 2.0 authorization code grant and the Helix API. (Twitch also speaks OpenID Connect;
 * this preset uses plain OAuth 2 and reads the user from Helix, which carries more than the ID token.)
 *
 * Followed, as of 2026-11: "Getting OAuth Access Tokens" (dev.twitch.tv/docs/authentication/
 * getting-tokens-oauth/#authorization-code-grant-flow), "Refreshing Access Tokens"
 * (dev.twitch.tv/docs/authentication/refresh-tokens), "Scopes" (dev.twitch.tv/docs/authentication/
 * scopes) and "Get Users" (dev.twitch.tv/docs/api/reference/#get-users). Twitch documents client_id
 * and client_secret as body parameters (client_secret_post); I am not sure it accepts HTTP Basic.
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader, TokenEndpointAuthMethod } from '../oauth2/config.js'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import { rewriteJson } from '../http/client.js'
import type { RequestHook, ResponseHook } from '../types.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'

/** One user of Helix `GET /users` (inside its `data` array). @group Social and consumer presets */
export interface TwitchProfile {
  id: string
  login: string
  display_name: string
  type: string
  broadcaster_type: string
  description: string
  profile_image_url: string
  offline_image_url: string
  /** Only with the `user:read:email` scope; Twitch returns verified addresses only. */
  email?: string
  created_at: string
  [field: string]: unknown
}

/** Options of {@link twitch}. @group Social and consumer presets */
export interface TwitchOptions extends PresetOptions {
  /** Make the user re-approve the app even when already authorized (`force_verify=true`). */
  forceVerify?: boolean
}

/**
 * Twitch returns `scope` in token responses as a JSON array; RFC 6749 §5.1 (and oauth4webapi) want a
 * space-separated string.
 * @group Social and consumer presets
 */
export const twitchScopeResponse: ResponseHook = (response) => {
  if (!response.ok) return response
  return rewriteJson(response, (body) =>
    Array.isArray(body.scope)
      ? { ...body, scope: body.scope.filter((s) => typeof s === 'string').join(' ') }
      : body,
  )
}

/**
 * Helix refuses calls without a `Client-Id` header naming the app the token was issued to.
 * @group Social and consumer presets
 */
export function twitchClientIdHeader(clientId: string): RequestHook {
  return (request) => {
    if (new URL(request.url).hostname === 'api.twitch.tv' && !request.headers.has('client-id'))
      request.headers.set('client-id', clientId)
  }
}

/** Helix `/users` (the token's user), wrapped in `{ data: [user] }`. */
const twitchProfile: ProfileLoader<TwitchProfile> = async (api, token) => {
  const { data } = await api.getJson<{ data: TwitchProfile[] }>('users', token)
  const user = data[0]
  if (!user)
    throw new OAuthKitError(
      ErrorCode.INVALID_RESPONSE,
      `${api.name}: Helix /users returned no user for this token`,
      { app: api.name },
    )
  const profile: NormalizedProfile<TwitchProfile> = {
    sub: user.id,
    raw: user,
    name: user.display_name || user.login,
  }
  if (user.profile_image_url) profile.picture = user.profile_image_url
  // Helix documents `email` as the user's verified email address.
  if (user.email) {
    profile.email = user.email
    profile.email_verified = true
  }
  return profile
}

/**
 * Sign in with Twitch and call Helix.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { twitch, type TwitchProfile } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret }).register('twitch', twitch({ clientId, clientSecret }))
 * const profile = await oauth.create('twitch').profile(token)
 * const login = (profile.raw as TwitchProfile).login
 * const follows = await oauth.create('twitch').get(`channels/followed?user_id=${profile.sub}`, { token }).json()
 * ```
 * @group Social and consumer presets
 */
export function twitch(
  options: TwitchOptions,
): OAuth2AppConfig & { profile: ProfileLoader<TwitchProfile> } {
  checkPresetKeys('twitch', options, ['forceVerify'])
  const { forceVerify, ...rest } = options
  const authMethod: TokenEndpointAuthMethod =
    rest.clientSecret === undefined ? 'none' : 'client_secret_post'
  return definePreset(rest, {
    authorizeUrl: 'https://id.twitch.tv/oauth2/authorize',
    accessTokenUrl: 'https://id.twitch.tv/oauth2/token',
    revocationEndpoint: 'https://id.twitch.tv/oauth2/revoke',
    apiBaseUrl: 'https://api.twitch.tv/helix',
    scope: 'user:read:email',
    // Twitch's docs send client_id and client_secret in the body.
    tokenEndpointAuthMethod: authMethod,
    ...(forceVerify !== undefined && { authorizeParams: { force_verify: String(forceVerify) } }),
    hooks: {
      accessTokenResponse: twitchScopeResponse,
      refreshTokenResponse: twitchScopeResponse,
      protectedRequest: twitchClientIdHeader(rest.clientId),
    },
    profile: twitchProfile,
  })
}
