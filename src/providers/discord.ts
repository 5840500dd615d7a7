/**
 * Discord — OAuth 2.0 (no OpenID Connect), API v10.
 *
 * Followed, as of 2026-11: "OAuth2" (discord.com/developers/docs/topics/oauth2), "Users resource:
 * Get Current User" (discord.com/developers/docs/resources/user#get-current-user) and "Image
 * Formatting" (discord.com/developers/docs/reference#image-formatting). The default-avatar rule for
 * migrated (discriminator "0") users is `(id >> 22) % 6`, legacy users `discriminator % 5`.
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'

const CDN = 'https://cdn.discordapp.com'

/** The user as `GET /users/@me` returns it (the fields oauthkit reads). @group Social and consumer presets */
export interface DiscordProfile {
  /** A snowflake, as a string. */
  id: string
  username: string
  /** `"0"` for users on the new username system; a 4-digit tag for legacy ones. */
  discriminator: string
  /** The display name, when the user set one. */
  global_name: string | null
  /** An avatar hash (`a_…` when animated), or null for the default avatar. */
  avatar: string | null
  /** With the `email` scope; null when the account has none (phone-only). */
  email?: string | null
  /** With the `email` scope: whether the email is verified. */
  verified?: boolean
  [field: string]: unknown
}

/** Options of {@link discord}. @group Social and consumer presets */
export interface DiscordOptions extends PresetOptions {
  /** `consent` asks the user again even when they authorized before; `none` skips the screen when possible. */
  prompt?: 'consent' | 'none'
}

/** The avatar URL Discord's CDN serves for a user: the custom avatar (GIF when animated), else the default one. @group Social and consumer presets */
export function discordAvatarUrl(
  user: Pick<DiscordProfile, 'id' | 'avatar' | 'discriminator'>,
): string {
  if (user.avatar)
    return `${CDN}/avatars/${user.id}/${user.avatar}.${user.avatar.startsWith('a_') ? 'gif' : 'png'}`
  const index =
    user.discriminator === '0' || !user.discriminator
      ? Number((BigInt(user.id) >> 22n) % 6n)
      : Number(user.discriminator) % 5
  return `${CDN}/embed/avatars/${index}.png`
}

/** `/users/@me`: the avatar is a hash to build a CDN URL from; `verified` says whether the email is. */
const discordProfile: ProfileLoader<DiscordProfile> = async (api, token) => {
  const user = await api.getJson<DiscordProfile>('users/@me', token)
  const profile: NormalizedProfile<DiscordProfile> = {
    sub: user.id,
    raw: user,
    name: user.global_name ?? user.username,
    picture: discordAvatarUrl(user),
  }
  if (user.email) {
    profile.email = user.email
    profile.email_verified = user.verified === true
  }
  return profile
}

/**
 * Sign in with Discord.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { discord, type DiscordProfile } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret }).register('discord', discord({ clientId, clientSecret }))
 * const profile = await oauth.create('discord').profile(token)
 * const tag = (profile.raw as DiscordProfile).username
 * ```
 * @group Social and consumer presets
 */
export function discord(
  options: DiscordOptions,
): OAuth2AppConfig & { profile: ProfileLoader<DiscordProfile> } {
  checkPresetKeys('discord', options, ['prompt'])
  const { prompt, ...rest } = options
  return definePreset(rest, {
    authorizeUrl: 'https://discord.com/oauth2/authorize',
    accessTokenUrl: 'https://discord.com/api/oauth2/token',
    revocationEndpoint: 'https://discord.com/api/oauth2/token/revoke',
    apiBaseUrl: 'https://discord.com/api/v10',
    scope: 'identify email',
    ...(prompt && { authorizeParams: { prompt } }),
    profile: discordProfile,
  })
}
