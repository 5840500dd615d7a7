/**
 * Auth0 — OpenID Connect against an Auth0 tenant (its `*.auth0.com` domain or a custom domain).
 *
 * Followed, as of 2026-11: "Authorization Code Flow" / "Add Login Using the Authorization Code Flow"
 * (https://auth0.com/docs/get-started/authentication-and-authorization-flow/authorization-code-flow/add-login-auth-code-flow),
 * "Get Access Tokens" (https://auth0.com/docs/secure/tokens/access-tokens/get-access-tokens) and "Work
 * with Tokens and Organizations" (https://auth0.com/docs/manage-users/organizations/using-tokens).
 * Written from knowledge of those pages, not from a fresh reading.
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import type { IdTokenClaims } from '../types.js'
import { definePreset, withOpenId, type PresetOptions, checkPresetKeys } from './preset.js'
import { claimsProfile, presetError, refusedIssuer } from './oidc-profile.js'

/** Auth0's userinfo claims. @group Identity platform presets */
export interface Auth0Profile {
  /** `connection|id`, e.g. `auth0|64f…` or `google-oauth2|1082…`. */
  sub: string
  name?: string
  nickname?: string
  picture?: string
  email?: string
  email_verified?: boolean
  updated_at?: string
  /** With Organizations: the organization the user logged in to. */
  org_id?: string
  org_name?: string
  [claim: string]: unknown
}

/** Options of {@link auth0}. @group Identity platform presets */
export interface Auth0Options extends PresetOptions {
  /** The tenant's domain (`dev-abc123.us.auth0.com`) or its custom domain; `https://` optional. */
  domain: string
  /**
   * The API identifier to get an access token for (a JWT for that API). Without it the access token is
   * only good for Auth0's userinfo endpoint.
   */
  audience?: string
  /**
   * Auth0 Organizations: log in to this organization, by id (`org_…`) or name. The ID token's
   * `org_id` (or `org_name`) is then checked, as Auth0 requires of apps that send `organization`;
   * `openid` is always added to `scope` then, since without an ID token there is no claim to check.
   */
  organization?: string
}

/**
 * Auth0 (OpenID Connect, discovery at `https://{domain}/.well-known/openid-configuration`); the
 * profile comes from the userinfo endpoint. Refresh tokens need the `offline_access` scope (and
 * "Allow Offline Access" on the API), not requested by default.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { auth0 } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'auth0',
 *   // The access token is for your API: apiBaseUrl (or trustedOrigins) lets API calls send it there.
 *   auth0({ domain: 'dev-abc123.us.auth0.com', audience: 'https://api.example.com', apiBaseUrl: 'https://api.example.com', clientId: process.env.AUTH0_CLIENT_ID!, clientSecret: process.env.AUTH0_CLIENT_SECRET }),
 * )
 * const token = await oauth.create('auth0').authorizeAccessToken({ cookies, request })
 * const orders = await oauth.create('auth0').get('orders', { token }).json()
 * ```
 * @group Identity platform presets
 */
export function auth0(
  options: Auth0Options,
): OAuth2AppConfig & { profile: ProfileLoader<Auth0Profile> } {
  checkPresetKeys('auth0', options, ['domain', 'audience', 'organization'])
  const { domain, audience, organization, ...rest } = options
  const host =
    typeof domain === 'string' ? domain.replace(/^https:\/\//, '').replace(/\/+$/, '') : ''
  if (!/^[A-Za-z0-9.-]+(:\d+)?$/.test(host))
    throw presetError('auth0', 'domain', 'must be the tenant domain, e.g. dev-abc123.us.auth0.com')
  const authorizeParams: Record<string, string> = {}
  if (audience) authorizeParams.audience = audience
  if (organization) authorizeParams.organization = organization
  const config = definePreset(rest, {
    serverMetadataUrl: `https://${host}/.well-known/openid-configuration`,
    scope: 'openid profile email',
    authorizeParams,
    ...(organization && {
      // Auth0: an app that sends `organization` must check the ID token's org_id (or org_name).
      idTokenIssuer: (claims: IdTokenClaims, metadataIssuer: string) =>
        inOrganization(claims, organization)
          ? metadataIssuer
          : refusedIssuer('auth0', 'organization'),
    }),
    profile: auth0Profile,
  })
  // The organization is checked on the ID token: a scope without openid would let any organization in.
  return organization ? { ...config, scope: withOpenId(config.scope) } : config
}

function inOrganization(claims: IdTokenClaims, organization: string): boolean {
  if (organization.startsWith('org_')) return claims.org_id === organization
  return typeof claims.org_name === 'string' && claims.org_name === organization.toLowerCase()
}

const auth0Profile: ProfileLoader<Auth0Profile> = async (
  api,
  token,
): Promise<NormalizedProfile<Auth0Profile>> =>
  claimsProfile((await api.userinfo(token)) as Auth0Profile)
