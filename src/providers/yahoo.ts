/**
 * Yahoo — OpenID Connect ("Sign in with Yahoo").
 *
 * Followed, as of 2026-11: "OpenID Connect" and "OAuth 2.0 Guide" on the Yahoo developer network
 * (https://developer.yahoo.com/oauth2/guide/openid_connect/, https://developer.yahoo.com/oauth2/guide/flows_authcode/).
 * Written from knowledge of those pages, not from a fresh reading. Unsure: whether Yahoo honours PKCE
 * for confidential web clients (it is sent; an unknown parameter is ignored, RFC 6749 §3.1) and which
 * algorithms its discovery lists today (ES256 when last seen; the core accepts what it advertises).
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'
import { claimsProfile } from './oidc-profile.js'

/** Yahoo's userinfo claims (scopes `openid profile email`). @group Social and consumer presets */
export interface YahooProfile {
  sub: string
  name?: string
  given_name?: string
  family_name?: string
  nickname?: string
  email?: string
  email_verified?: boolean
  picture?: string
  locale?: string
  [claim: string]: unknown
}

/** Options of {@link yahoo}. @group Social and consumer presets */
export type YahooOptions = PresetOptions

/**
 * Sign in with Yahoo (OpenID Connect, discovery at api.login.yahoo.com). The token response also
 * carries `xoauth_yahoo_guid`, the user's GUID for Yahoo's older APIs, which the token keeps. The
 * profile is the userinfo endpoint's.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { yahoo } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'yahoo',
 *   yahoo({ clientId: process.env.YAHOO_CLIENT_ID!, clientSecret: process.env.YAHOO_CLIENT_SECRET }),
 * )
 * const token = await oauth.create('yahoo').authorizeAccessToken({ cookies, request }) // token.xoauth_yahoo_guid
 * ```
 * @group Social and consumer presets
 */
export function yahoo(
  options: YahooOptions,
): OAuth2AppConfig & { profile: ProfileLoader<YahooProfile> } {
  checkPresetKeys('yahoo', options, [])
  return definePreset(options, {
    serverMetadataUrl: 'https://api.login.yahoo.com/.well-known/openid-configuration',
    scope: 'openid profile email',
    profile: yahooProfile,
  })
}

const yahooProfile: ProfileLoader<YahooProfile> = async (
  api,
  token,
): Promise<NormalizedProfile<YahooProfile>> =>
  claimsProfile((await api.userinfo(token)) as YahooProfile)
