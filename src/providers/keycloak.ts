/**
 * Keycloak — OpenID Connect against a Keycloak realm.
 *
 * Followed, as of 2026-11: Keycloak "Securing applications and services guide", section "OpenID
 * Connect" / "Available endpoints" (https://www.keycloak.org/securing-apps/oidc-layers). Written from
 * knowledge of that page, not from a fresh reading; every endpoint comes from discovery.
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'
import { claimsProfile, presetError, trimSlash } from './oidc-profile.js'

/** Keycloak's userinfo claims (default client scopes `profile` and `email`). @group Identity platform presets */
export interface KeycloakProfile {
  /** The user id (a UUID). */
  sub: string
  name?: string
  preferred_username?: string
  given_name?: string
  family_name?: string
  email?: string
  email_verified?: boolean
  [claim: string]: unknown
}

/** Options of {@link keycloak}. @group Identity platform presets */
export interface KeycloakOptions extends PresetOptions {
  /**
   * The server's base URL, e.g. `https://sso.example.com`. Keycloak before version 17 (and servers
   * configured with `--http-relative-path=/auth`) serve under `/auth`: include it then.
   */
  baseUrl: string
  /** The realm's name. */
  realm: string
}

/**
 * Keycloak (OpenID Connect, discovery at `${baseUrl}/realms/${realm}/.well-known/openid-configuration`);
 * the profile comes from the userinfo endpoint. Keycloak sends RFC 9207 `iss` in authorization
 * responses and says so in discovery, so oauthkit checks it.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { keycloak } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'keycloak',
 *   keycloak({ baseUrl: 'https://sso.example.com', realm: 'staff', clientId: 'portal', clientSecret: process.env.KEYCLOAK_CLIENT_SECRET }),
 * )
 * const token = await oauth.create('keycloak').authorizeAccessToken({ cookies, request })
 * const { sub, name, raw } = await oauth.create('keycloak').profile(token) // raw.preferred_username
 * ```
 * @group Identity platform presets
 */
export function keycloak(
  options: KeycloakOptions,
): OAuth2AppConfig & { profile: ProfileLoader<KeycloakProfile> } {
  checkPresetKeys('keycloak', options, ['baseUrl', 'realm'])
  const { baseUrl, realm, ...rest } = options
  if (typeof baseUrl !== 'string' || !URL.canParse(baseUrl))
    throw presetError('keycloak', 'baseUrl', 'must be the server URL, e.g. https://sso.example.com')
  if (typeof realm !== 'string' || realm === '')
    throw presetError('keycloak', 'realm', 'is required')
  const issuer = `${trimSlash(baseUrl)}/realms/${encodeURIComponent(realm)}`
  return definePreset(rest, {
    serverMetadataUrl: `${issuer}/.well-known/openid-configuration`,
    scope: 'openid profile email',
    profile: keycloakProfile,
  })
}

const keycloakProfile: ProfileLoader<KeycloakProfile> = async (
  api,
  token,
): Promise<NormalizedProfile<KeycloakProfile>> =>
  claimsProfile((await api.userinfo(token)) as KeycloakProfile)
