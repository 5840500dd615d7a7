/**
 * Okta — OpenID Connect against an Okta org authorization server or a custom authorization server.
 *
 * Followed, as of 2026-11: "OpenID Connect & OAuth 2.0 API" (https://developer.okta.com/docs/api/openapi/okta-oauth/guides/overview/)
 * and "Authorization servers" (https://developer.okta.com/docs/concepts/auth-servers/). Written from
 * knowledge of those pages, not from a fresh reading; every endpoint comes from discovery.
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'
import { claimsProfile, presetError, trimSlash } from './oidc-profile.js'

/** Okta's userinfo claims (with the `profile` and `email` scopes). @group Identity platform presets */
export interface OktaProfile {
  /** The Okta user id (`00u…`). */
  sub: string
  name?: string
  given_name?: string
  family_name?: string
  /** The Okta login, often an email address. */
  preferred_username?: string
  email?: string
  email_verified?: boolean
  locale?: string
  zoneinfo?: string
  updated_at?: number
  [claim: string]: unknown
}

/** Options of {@link okta}. @group Identity platform presets */
export interface OktaOptions extends PresetOptions {
  /**
   * The authorization server's issuer: the org authorization server (`https://dev-123456.okta.com`)
   * or a custom one (`https://dev-123456.okta.com/oauth2/default`, `…/oauth2/{authorizationServerId}`).
   * Access tokens of the org server are only for Okta's own APIs; use a custom server for yours.
   */
  issuer: string
}

/**
 * Okta (OpenID Connect, discovery at `${issuer}/.well-known/openid-configuration`); the profile comes
 * from the userinfo endpoint. Refresh tokens need the `offline_access` scope (and the refresh token
 * grant enabled for the app), not requested by default: a sign-in needs none.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { okta } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'okta',
 *   okta({ issuer: 'https://dev-123456.okta.com/oauth2/default', clientId: process.env.OKTA_CLIENT_ID!, clientSecret: process.env.OKTA_CLIENT_SECRET }),
 * )
 * const token = await oauth.create('okta').authorizeAccessToken({ cookies, request })
 * const { sub, email } = await oauth.create('okta').profile(token)
 * ```
 * @group Identity platform presets
 */
export function okta(
  options: OktaOptions,
): OAuth2AppConfig & { profile: ProfileLoader<OktaProfile> } {
  checkPresetKeys('okta', options, [])
  if (typeof options.issuer !== 'string' || !URL.canParse(options.issuer))
    throw presetError(
      'okta',
      'issuer',
      'must be the authorization server URL, e.g. https://dev-123456.okta.com/oauth2/default',
    )
  const issuer = trimSlash(options.issuer)
  return definePreset(
    { ...options, issuer },
    {
      serverMetadataUrl: `${issuer}/.well-known/openid-configuration`,
      scope: 'openid profile email',
      profile: oktaProfile,
    },
  )
}

const oktaProfile: ProfileLoader<OktaProfile> = async (
  api,
  token,
): Promise<NormalizedProfile<OktaProfile>> =>
  claimsProfile((await api.userinfo(token)) as OktaProfile)
