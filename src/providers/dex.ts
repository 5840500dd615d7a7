/**
 * Dex — OpenID Connect against a Dex server (a federating provider in front of LDAP, GitHub, SAML, …).
 *
 * Followed, as of 2026-11: "Using Dex" and "Custom scopes" (https://dexidp.io/docs/using-dex/,
 * https://dexidp.io/docs/custom-scopes-claims-clients/). Written from knowledge of those pages, not
 * from a fresh reading. Unsure: whether current Dex releases advertise an `end_session_endpoint` (they
 * did not; `logoutRedirect` is then `metadata_invalid`, and signing out means ending the app's session).
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'
import { claimsProfile, presetError, trimSlash } from './oidc-profile.js'

/** Dex's claims (scopes `openid profile email`, and `groups`, `federated:id` when asked for). @group Identity platform presets */
export interface DexProfile {
  /** Opaque: an encoding of the upstream user id and the connector id. */
  sub: string
  name?: string
  preferred_username?: string
  email?: string
  email_verified?: boolean
  groups?: string[]
  /** With scope `federated:id`: the connector and the user's id there. */
  federated_claims?: { connector_id: string; user_id: string }
  [claim: string]: unknown
}

/** Options of {@link dex}. @group Identity platform presets */
export interface DexOptions extends Omit<PresetOptions, 'issuer'> {
  /** Dex's issuer, exactly as configured (often with a path: `https://auth.example.com/dex`). */
  issuer: string
  /** Skip Dex's connector chooser and go straight to this connector (`connector_id`). */
  connectorId?: string
}

/**
 * Dex (OpenID Connect by discovery at its issuer). Refresh tokens need `offline_access`, which the
 * default scope asks for; `connectorId` sends `connector_id` to skip the chooser; the ID token's
 * `sub` is opaque, so `federated:id` is asked for and `federated_claims` lands in `raw`. Dex has no
 * RP-initiated logout.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { dex } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'dex',
 *   dex({ issuer: 'https://auth.example.com/dex', connectorId: 'ldap', clientId: 'portal', clientSecret: process.env.DEX_CLIENT_SECRET }),
 * )
 * ```
 * @group Identity platform presets
 */
export function dex(options: DexOptions): OAuth2AppConfig & { profile: ProfileLoader<DexProfile> } {
  checkPresetKeys('dex', options, ['connectorId'])
  const { issuer, connectorId, ...rest } = options
  if (typeof issuer !== 'string' || !URL.canParse(issuer))
    throw presetError('dex', 'issuer', 'must be the issuer URL, e.g. https://auth.example.com/dex')
  if (connectorId !== undefined && (typeof connectorId !== 'string' || connectorId === ''))
    throw presetError('dex', 'connectorId', 'must be a connector id')
  const authorizeParams: Record<string, string> = connectorId ? { connector_id: connectorId } : {}
  return definePreset(rest, {
    serverMetadataUrl: `${trimSlash(issuer)}/.well-known/openid-configuration`,
    scope: 'openid profile email groups federated:id offline_access',
    authorizeParams,
    profile: dexProfile,
  })
}

const dexProfile: ProfileLoader<DexProfile> = async (
  api,
  token,
): Promise<NormalizedProfile<DexProfile>> => {
  const claims = (await api.userinfo(token)) as DexProfile
  // Dex's userinfo repeats the ID token's claims but not always federated_claims: keep the ID token's.
  const federated = token.userinfo?.federated_claims
  return claimsProfile(
    claims.federated_claims === undefined && federated !== undefined
      ? { ...claims, federated_claims: federated as DexProfile['federated_claims'] }
      : claims,
  )
}
