/**
 * Bitbucket Cloud — OAuth 2.0 (OAuth consumers), REST API 2.0.
 *
 * Followed, as of 2026-11: "Use OAuth on Bitbucket Cloud" (support.atlassian.com/bitbucket-cloud/
 * docs/use-oauth-on-bitbucket-cloud), "Bitbucket Cloud REST API: Users" (developer.atlassian.com/
 * cloud/bitbucket/rest/api-group-users: `GET /user`, `GET /user/emails`) and "Pagination"
 * (developer.atlassian.com/cloud/bitbucket/rest/intro/#pagination). Scopes are chiefly the
 * consumer's permissions; the `scope` parameter can only narrow them. The token response names its
 * scopes `scopes` (not `scope`) — what I have seen; the page does not show a full response.
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import { rewriteJson } from '../http/client.js'
import type { ResponseHook } from '../types.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'

/** The user as `GET /2.0/user` returns it (the fields oauthkit reads). @group Work and developer presets */
export interface BitbucketProfile {
  /** `{…}`-wrapped UUID, stable. */
  uuid: string
  /** Atlassian account id (shared across Atlassian products). */
  account_id: string
  /** Deprecated by Atlassian for privacy, may be absent. */
  username?: string
  display_name: string
  nickname?: string
  links: {
    avatar?: { href: string }
    html?: { href: string }
    [link: string]: { href: string } | undefined
  }
  [field: string]: unknown
}

/** One entry of `GET /2.0/user/emails`. @group Work and developer presets */
export interface BitbucketEmail {
  email: string
  is_primary: boolean
  is_confirmed: boolean
  type: string
}

/** A page of a paginated collection. */
interface Page<T> {
  values: T[]
  next?: string
}

/** Options of {@link bitbucket}. @group Work and developer presets */
export type BitbucketOptions = PresetOptions

/**
 * Bitbucket names the granted scopes `scopes`; RFC 6749 §5.1 calls them `scope`: copy them over.
 * @group Work and developer presets
 */
export const bitbucketTokenResponse: ResponseHook = (response) => {
  if (!response.ok) return response
  return rewriteJson(response, (body) =>
    body.scope === undefined && typeof body.scopes === 'string'
      ? { ...body, scope: body.scopes }
      : body,
  )
}

const MAX_EMAIL_PAGES = 5
const BITBUCKET_API = 'https://api.bitbucket.org/2.0'

/** A `next` link only when it stays on the API: a page must not send the token to another host. */
function nextPage(next: unknown): string | undefined {
  return typeof next === 'string' && next.startsWith(`${BITBUCKET_API}/`) ? next : undefined
}

/** `/user`, then the primary confirmed address of `/user/emails` (which `/user` never shows). */
const bitbucketProfile: ProfileLoader<BitbucketProfile> = async (api, token) => {
  const user = await api.getJson<BitbucketProfile>('user', token)
  const profile: NormalizedProfile<BitbucketProfile> = { sub: user.uuid, raw: user }
  const name = user.display_name || user.nickname || user.username
  if (name) profile.name = name
  if (user.links.avatar?.href) profile.picture = user.links.avatar.href
  // The collection is paginated: follow `next` a few pages (needs the `email` scope; skipped without).
  const emails: BitbucketEmail[] = []
  let url: string | undefined = 'user/emails'
  for (let page = 0; url && page < MAX_EMAIL_PAGES; page++) {
    const result: Page<BitbucketEmail> | undefined = await api
      .getJson<Page<BitbucketEmail>>(url, token)
      .catch(() => undefined)
    if (!result) break
    emails.push(...result.values)
    url = nextPage(result.next)
  }
  const primary =
    emails.find((e) => e.is_primary && e.is_confirmed) ?? emails.find((e) => e.is_primary)
  if (primary) {
    profile.email = primary.email
    profile.email_verified = primary.is_confirmed
  }
  return profile
}

/**
 * Sign in with Bitbucket Cloud (an OAuth consumer with the Account: Email and Read permissions).
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { bitbucket, type BitbucketProfile } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret }).register('bitbucket', bitbucket({ clientId: consumerKey, clientSecret: consumerSecret }))
 * const profile = await oauth.create('bitbucket').profile(token)
 * const accountId = (profile.raw as BitbucketProfile).account_id
 * ```
 * @group Work and developer presets
 */
export function bitbucket(
  options: BitbucketOptions,
): OAuth2AppConfig & { profile: ProfileLoader<BitbucketProfile> } {
  checkPresetKeys('bitbucket', options, [])
  return definePreset(options, {
    authorizeUrl: 'https://bitbucket.org/site/oauth2/authorize',
    accessTokenUrl: 'https://bitbucket.org/site/oauth2/access_token',
    apiBaseUrl: BITBUCKET_API,
    scope: 'account email',
    hooks: {
      accessTokenResponse: bitbucketTokenResponse,
      refreshTokenResponse: bitbucketTokenResponse,
    },
    profile: bitbucketProfile,
  })
}
