/**
 * Microsoft Entra ID (formerly Azure AD) — OpenID Connect on the Microsoft identity platform (v2.0
 * endpoints), for work/school accounts, personal Microsoft accounts, or both.
 *
 * Followed, as of 2026-11: "OpenID Connect on the Microsoft identity platform"
 * (https://learn.microsoft.com/en-us/entra/identity-platform/v2-protocols-oidc), "ID token claims
 * reference" (https://learn.microsoft.com/en-us/entra/identity-platform/id-token-claims-reference) and
 * "Microsoft identity platform and OAuth 2.0 authorization code flow"
 * (https://learn.microsoft.com/en-us/entra/identity-platform/v2-oauth2-auth-code-flow). Written from
 * knowledge of those pages, not from a fresh reading. Unsure: whether `xms_edov` (email domain owner
 * verified, an optional claim) is always a JSON boolean; only `true` is read as verified.
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import { rewriteJson } from '../http/client.js'
import type { IdTokenClaims, ResponseHook } from '../types.js'
import { definePreset, withOpenId, type PresetOptions, checkPresetKeys } from './preset.js'
import { claimsProfile, presetError, refusedIssuer, trimSlash } from './oidc-profile.js'

/** The tenant id of personal Microsoft accounts (MSA). @group Work and developer presets */
export const ENTRA_CONSUMER_TENANT_ID = '9188040d-6c67-4c5b-b112-36a304b66dad'

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/**
 * Who may sign in: `common` (any work/school or personal account), `organizations` (work/school
 * only), `consumers` (personal only), or one tenant by id (GUID) or verified domain.
 * @group Work and developer presets
 */
export type EntraTenant = 'common' | 'organizations' | 'consumers' | (string & {})

/** The ID token claims the preset reads (v2.0 tokens). @group Work and developer presets */
export interface EntraIdTokenClaims extends IdTokenClaims {
  /** Pairwise: the same user has a different `sub` in each app. */
  sub: string
  /** The user's object id, the same in every app of the tenant. */
  oid?: string
  /** The tenant the user signed in through. */
  tid?: string
  name?: string
  /** The sign-in name (often an email or phone); mutable, not verified: never use it as a key. */
  preferred_username?: string
  /** Present with the `email` scope when the account has one; not verified by itself. */
  email?: string
  /** Optional claim: the email's domain owner has been verified. */
  xms_edov?: boolean
  ver?: string
}

/** Options of {@link microsoftEntraId}. @group Work and developer presets */
export interface MicrosoftEntraIdOptions extends PresetOptions {
  /** The authority's tenant segment, as chosen by the app registration's "supported account types". */
  tenant: EntraTenant
  /**
   * Only these tenant ids may sign in (checked against each ID token's `tid`). Every tenant policy is
   * checked on the ID token, so the preset always adds `openid` to `scope`.
   */
  allowedTenants?: string[]
  /** Sign-in host (national clouds: `https://login.microsoftonline.us`, …). Default `https://login.microsoftonline.com`. */
  authority?: string
}

/**
 * Sign in with Microsoft Entra ID. The discovery document of `common` and `organizations` names an
 * issuer template (`…/{tenantid}/v2.0`) and each ID token is issued by the user's own tenant, so every
 * token is checked against the issuer of its `tid` and the tenant policy: `organizations` refuses the
 * personal-account tenant, `consumers` accepts only it, a single tenant accepts only itself, and
 * `allowedTenants` narrows any of them. The profile comes from the ID token claims (Microsoft Graph's
 * userinfo adds nothing to them and its `picture` is an API URL that needs a token).
 *
 * Refresh tokens need the `offline_access` scope, not requested by default: a sign-in needs none.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { microsoftEntraId } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'entra',
 *   microsoftEntraId({
 *     tenant: 'organizations',
 *     allowedTenants: [process.env.ENTRA_TENANT_ID!],
 *     clientId: process.env.ENTRA_CLIENT_ID!,
 *     clientSecret: process.env.ENTRA_CLIENT_SECRET,
 *   }),
 * )
 * const token = await oauth.create('entra').authorizeAccessToken({ cookies, request })
 * const { sub, name, raw } = await oauth.create('entra').profile(token) // raw.oid, raw.tid
 * ```
 * @group Work and developer presets
 */
export function microsoftEntraId(
  options: MicrosoftEntraIdOptions,
): OAuth2AppConfig & { profile: ProfileLoader<EntraIdTokenClaims> } {
  checkPresetKeys('microsoftEntraId', options, ['tenant', 'allowedTenants', 'authority'])
  const { tenant: rawTenant, allowedTenants, authority: rawAuthority, ...rest } = options
  if (typeof rawTenant !== 'string' || !/^[A-Za-z0-9.-]+$/.test(rawTenant)) {
    throw presetError(
      'microsoftEntraId',
      'tenant',
      'must be common, organizations, consumers, a tenant id or a verified domain',
    )
  }
  const authority = trimSlash(rawAuthority ?? 'https://login.microsoftonline.com')
  const tenant = GUID.test(rawTenant) ? rawTenant.toLowerCase() : rawTenant
  const multiTenant = tenant === 'common' || tenant === 'organizations'
  const allowed = allowedTenants ? new Set(allowedTenants.map((t) => t.toLowerCase())) : undefined
  // The issuer the core expects of the discovery document: the one its URL names.
  const expectedIssuer = `${authority}/${tenant}/v2.0`
  const templateIssuer = `${authority}/{tenantid}/v2.0`
  const tenantIssuer = new RegExp(`^${escapeRegExp(authority)}/([0-9a-f-]{36})/v2\\.0$`, 'i')
  // The one tenant id a single-tenant app accepts: given, or read from discovery (consumers, domains).
  let pinned: string | undefined = GUID.test(tenant)
    ? tenant
    : tenant === 'consumers'
      ? ENTRA_CONSUMER_TENANT_ID
      : undefined

  const metadataResponse: ResponseHook = (response) =>
    rewriteJson(response, (doc) => {
      const issuer = typeof doc.issuer === 'string' ? doc.issuer : ''
      // Multi-tenant discovery names the template `…/{tenantid}/v2.0`, which is no issuer: stand in
      // the authority's own; each ID token is then held to its tenant's issuer by idTokenIssuer.
      if (multiTenant && issuer === templateIssuer) return { ...doc, issuer: expectedIssuer }
      // Domain (and `consumers`) discovery names the tenant's GUID issuer, not the URL's: pin that tenant.
      const guid = tenantIssuer.exec(issuer)?.[1]?.toLowerCase()
      if (!multiTenant && guid !== undefined && (pinned === undefined || pinned === guid)) {
        pinned = guid
        return { ...doc, issuer: expectedIssuer }
      }
      return doc
    })

  const idTokenIssuer = (claims: IdTokenClaims): string => {
    const tid = typeof claims.tid === 'string' ? claims.tid.toLowerCase() : ''
    if (!GUID.test(tid)) return refusedIssuer('entra', 'no tid')
    if (!multiTenant && tid !== pinned) return refusedIssuer('entra', `tenant ${tid}`)
    // `organizations` means work or school accounts: the personal-account tenant is refused.
    if (tenant === 'organizations' && tid === ENTRA_CONSUMER_TENANT_ID)
      return refusedIssuer('entra', 'personal account')
    if (allowed && !allowed.has(tid)) return refusedIssuer('entra', `tenant ${tid}`)
    // Each token is issued by its own tenant: https://login.microsoftonline.com/{tid}/v2.0.
    return `${authority}/${tid}/v2.0`
  }

  const config = definePreset(rest, {
    serverMetadataUrl: `${authority}/${tenant}/v2.0/.well-known/openid-configuration`,
    scope: 'openid profile email',
    hooks: { metadataResponse },
    idTokenIssuer,
    profile: entraProfile,
  })
  // The tenant policy is checked on the ID token: a scope without openid would let any tenant in.
  return { ...config, scope: withOpenId(config.scope) }
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}

/** The validated ID token claims; Graph's userinfo only when the token has none. */
const entraProfile: ProfileLoader<EntraIdTokenClaims> = async (
  api,
  token,
): Promise<NormalizedProfile<EntraIdTokenClaims>> => {
  const claims = (token.userinfo ?? (await api.userinfo(token))) as EntraIdTokenClaims
  const profile = claimsProfile(claims)
  // Entra's email claim is not verified by itself (Microsoft: do not use it for authorization); it
  // counts as verified only with the optional xms_edov claim (domain owner verified).
  delete profile.email_verified
  if (claims.xms_edov === true && profile.email !== undefined) profile.email_verified = true
  // Graph userinfo's picture is an API URL that needs a token: not an image URL.
  delete profile.picture
  return profile
}
