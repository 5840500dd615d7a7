/**
 * ZITADEL — OpenID Connect against a ZITADEL instance (ZITADEL Cloud or self-hosted).
 *
 * Followed, as of 2026-11: "OpenID Connect endpoints" and "Reserved scopes and claims"
 * (https://zitadel.com/docs/apis/openidoauth/endpoints, https://zitadel.com/docs/apis/openidoauth/scopes,
 * https://zitadel.com/docs/apis/openidoauth/claims). Written from knowledge of those pages, not from a
 * fresh reading. Unsure: whether every ZITADEL version puts
 * `urn:zitadel:iam:user:resourceowner:id` in the ID token (not only in userinfo) when its scope is
 * asked for; the preset asks for it and, with `organizationId`, refuses an ID token without it.
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import type { IdTokenClaims } from '../types.js'
import { definePreset, type PresetOptions, checkPresetKeys, withOpenId } from './preset.js'
import { claimsProfile, presetError, refusedIssuer, trimSlash } from './oidc-profile.js'

/** The claim naming the organization a user belongs to. */
const RESOURCE_OWNER = 'urn:zitadel:iam:user:resourceowner:id'
/** The claim holding the project roles: `{ role: { orgId: orgDomain } }`. */
const PROJECT_ROLES = 'urn:zitadel:iam:org:project:roles'

/** ZITADEL's userinfo claims (the ones oauthkit reads, and its reserved ones). @group Identity platform presets */
export interface ZitadelProfile {
  sub: string
  name?: string
  preferred_username?: string
  email?: string
  email_verified?: boolean
  picture?: string
  'urn:zitadel:iam:user:resourceowner:id'?: string
  'urn:zitadel:iam:user:resourceowner:name'?: string
  /** With `projectRoles`: each role granted, mapped to the organizations (id → domain) granting it. */
  'urn:zitadel:iam:org:project:roles'?: Record<string, Record<string, string>>
  [claim: string]: unknown
}

/** Options of {@link zitadel}. @group Identity platform presets */
export interface ZitadelOptions extends Omit<PresetOptions, 'issuer'> {
  /** The instance's issuer, e.g. `https://acme-abc123.zitadel.cloud` or `https://auth.example.com`. */
  issuer: string
  /**
   * Only users of this organization may sign in: ZITADEL's login is scoped to it
   * (`urn:zitadel:iam:org:id:{id}`), and each ID token's resource owner is checked against it.
   */
  organizationId?: string
  /** Ask for the project's roles (`urn:zitadel:iam:org:project:roles`), found in the profile's `raw`. */
  projectRoles?: boolean
}

/**
 * ZITADEL (OpenID Connect by discovery at the issuer). ZITADEL's own behaviour lives in reserved
 * scopes: `organizationId` adds the organization scope (ZITADEL then shows only that organization's
 * login) and the resource owner scope, and the preset refuses an ID token of another organization,
 * since a scope is a request, not a guarantee; `projectRoles` adds the roles scope. RP-initiated
 * logout is discovered.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { zitadel } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'zitadel',
 *   zitadel({ issuer: 'https://acme-abc123.zitadel.cloud', organizationId: '2139873498572', projectRoles: true, clientId: process.env.ZITADEL_CLIENT_ID!, clientSecret: process.env.ZITADEL_CLIENT_SECRET }),
 * )
 * const { sub, raw } = await oauth.create('zitadel').profile(token) // raw['urn:zitadel:iam:org:project:roles']
 * ```
 * @group Identity platform presets
 */
export function zitadel(
  options: ZitadelOptions,
): OAuth2AppConfig & { profile: ProfileLoader<ZitadelProfile> } {
  checkPresetKeys('zitadel', options, ['organizationId', 'projectRoles'])
  const { issuer, organizationId, projectRoles, ...rest } = options
  if (typeof issuer !== 'string' || !URL.canParse(issuer))
    throw presetError(
      'zitadel',
      'issuer',
      'must be the instance URL, e.g. https://acme.zitadel.cloud',
    )
  if (organizationId !== undefined && !/^\d+$/.test(organizationId))
    throw presetError('zitadel', 'organizationId', 'must be the numeric organization id')
  const base = trimSlash(issuer)
  const scopes = [
    rest.scope === undefined ? 'openid profile email' : withOpenId(rest.scope),
    ...(organizationId
      ? [`urn:zitadel:iam:org:id:${organizationId}`, 'urn:zitadel:iam:user:resourceowner']
      : []),
    ...(projectRoles ? [PROJECT_ROLES] : []),
  ]
  return definePreset(
    { ...rest, scope: scopes.join(' ') },
    {
      serverMetadataUrl: `${base}/.well-known/openid-configuration`,
      ...(organizationId && {
        // The organization scope only steers ZITADEL's login page: the token's resource owner decides.
        idTokenIssuer: (claims: IdTokenClaims, metadataIssuer: string) =>
          claims[RESOURCE_OWNER] === organizationId
            ? metadataIssuer
            : refusedIssuer('zitadel', 'organization'),
      }),
      profile: zitadelProfile,
    },
  )
}

const zitadelProfile: ProfileLoader<ZitadelProfile> = async (
  api,
  token,
): Promise<NormalizedProfile<ZitadelProfile>> =>
  claimsProfile((await api.userinfo(token)) as ZitadelProfile)
