/**
 * Atlassian — OAuth 2.0 (3LO) apps for Jira and Confluence Cloud; no OpenID Connect.
 *
 * Followed, as of 2026-11: "OAuth 2.0 (3LO) apps"
 * (https://developer.atlassian.com/cloud/jira/platform/oauth-2-3lo-apps/) and "User Identity API:
 * Get profile" (https://developer.atlassian.com/cloud/admin/user-management/rest/api-group-users/ and
 * `GET https://api.atlassian.com/me`). Written from knowledge of those pages, not from a fresh reading.
 * Unsure: whether the token endpoint still also accepts a form body (the docs show JSON, which the
 * preset sends), whether `code_challenge` is honoured or ignored (PKCE is sent: unknown parameters are
 * ignored, RFC 6749 §3.1), and whether `/me` ever says an email is verified (the preset never does).
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import type { OAuth2Token } from '../types.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'
import { notionJsonTokenRequest } from './notion.js'
import { presetError } from './oidc-profile.js'

const API = 'https://api.atlassian.com'

/** `GET https://api.atlassian.com/me` (scope `read:me`). @group Work and developer presets */
export interface AtlassianProfile {
  account_id: string
  account_type?: string
  account_status?: string
  email?: string
  name?: string
  nickname?: string
  picture?: string
  zoneinfo?: string
  locale?: string
  extended_profile?: Record<string, unknown>
  [field: string]: unknown
}

/** One site the token reaches, from `GET /oauth/token/accessible-resources`. @group Work and developer presets */
export interface AtlassianSite {
  /** The cloud id: the site's segment in `https://api.atlassian.com/ex/{product}/{id}/…`. */
  id: string
  /** The site's own URL, e.g. `https://acme.atlassian.net`. */
  url: string
  name: string
  /** The scopes granted on this site. */
  scopes: string[]
  avatarUrl?: string
}

/** Options of {@link atlassian}. @group Work and developer presets */
export interface AtlassianOptions extends PresetOptions {
  clientSecret: string
}

/** What {@link atlassianSites} calls: an app made from the preset (or a bound one). @group Work and developer presets */
export interface AtlassianApi {
  get(url: string, options: { token?: OAuth2Token }): { json<T>(): Promise<T> }
}

/**
 * The sites (cloud ids) the token was granted, from `accessible-resources`: a 3LO token is not tied
 * to a site URL, so product APIs are called through `api.atlassian.com/ex/{product}/{cloudId}`. Use
 * {@link atlassianSiteUrl} to build those URLs.
 * @group Work and developer presets
 */
export async function atlassianSites(
  app: AtlassianApi,
  token?: OAuth2Token,
): Promise<AtlassianSite[]> {
  const sites = await app.get('oauth/token/accessible-resources', { token }).json<unknown>()
  if (!Array.isArray(sites)) return []
  return sites.filter(
    (s): s is AtlassianSite =>
      typeof s === 'object' && s !== null && typeof (s as AtlassianSite).id === 'string',
  )
}

/**
 * A product API path on a site, relative to the app's `apiBaseUrl`:
 * `atlassianSiteUrl(site, 'jira', 'rest/api/3/myself')` is `ex/jira/{cloudId}/rest/api/3/myself`.
 * @group Work and developer presets
 */
export function atlassianSiteUrl(
  site: Pick<AtlassianSite, 'id'>,
  product: 'jira' | 'confluence' | (string & {}),
  path: string,
): string {
  return `ex/${encodeURIComponent(product)}/${encodeURIComponent(site.id)}/${path.replace(/^\/+/, '')}`
}

/**
 * Atlassian 3LO. The authorization request carries `audience=api.atlassian.com` and `prompt=consent`,
 * both required; `offline_access` gets a (rotating) refresh token; the token request is JSON with the
 * credentials in the body, as documented. The profile is `/me`; the sites come from
 * {@link atlassianSites}.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { atlassian, atlassianSites, atlassianSiteUrl } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'atlassian',
 *   atlassian({ clientId: process.env.ATLASSIAN_CLIENT_ID!, clientSecret: process.env.ATLASSIAN_CLIENT_SECRET!, scope: 'read:me read:jira-user offline_access' }),
 * )
 * const app = oauth.create('atlassian')
 * const [site] = await atlassianSites(app, token)
 * const me = await app.get(atlassianSiteUrl(site!, 'jira', 'rest/api/3/myself'), { token }).json()
 * ```
 * @group Work and developer presets
 */
export function atlassian(
  options: AtlassianOptions,
): OAuth2AppConfig & { profile: ProfileLoader<AtlassianProfile> } {
  checkPresetKeys('atlassian', options, [])
  if (typeof options.clientSecret !== 'string' || options.clientSecret === '')
    throw presetError('atlassian', 'clientSecret', 'is required')
  return definePreset(options, {
    authorizeUrl: 'https://auth.atlassian.com/authorize',
    accessTokenUrl: 'https://auth.atlassian.com/oauth/token',
    apiBaseUrl: API,
    scope: 'read:me offline_access',
    // Both required by Atlassian: the API the token is for, and the consent screen every time.
    authorizeParams: { audience: 'api.atlassian.com', prompt: 'consent' },
    // The documented token request: JSON, client_id and client_secret in it.
    tokenEndpointAuthMethod: 'client_secret_post' as const,
    hooks: {
      accessTokenRequest: notionJsonTokenRequest,
      refreshTokenRequest: notionJsonTokenRequest,
    },
    profile: atlassianProfile,
  })
}

const atlassianProfile: ProfileLoader<AtlassianProfile> = async (
  api,
  token,
): Promise<NormalizedProfile<AtlassianProfile>> => {
  const me = await api.getJson<AtlassianProfile>('me', token)
  const profile: NormalizedProfile<AtlassianProfile> = { sub: me.account_id, raw: me }
  if (me.name ?? me.nickname) profile.name = me.name ?? me.nickname
  // Atlassian does not say whether the address was verified: email_verified stays unset.
  if (me.email) profile.email = me.email
  if (me.picture) profile.picture = me.picture
  return profile
}
