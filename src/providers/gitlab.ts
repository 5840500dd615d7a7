/**
 * GitLab — OpenID Connect on GitLab.com or a self-managed GitLab, plus its REST API (v4).
 *
 * Followed, as of 2026-11: "GitLab as an OpenID Connect identity provider"
 * (https://docs.gitlab.com/integration/openid_connect_provider/) and "OAuth 2.0 identity provider
 * API" (https://docs.gitlab.com/api/oauth2/). Written from knowledge of those pages, not from a fresh
 * reading; every endpoint comes from discovery.
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'
import { claimsProfile, presetError, trimSlash } from './oidc-profile.js'

/** GitLab's userinfo claims. @group Work and developer presets */
export interface GitLabProfile {
  /** The user id, as a string. */
  sub: string
  name?: string
  nickname?: string
  preferred_username?: string
  email?: string
  email_verified?: boolean
  website?: string
  /** The profile page URL. */
  profile?: string
  picture?: string
  /** Paths of the groups the user is a member of. */
  groups?: string[]
  [claim: string]: unknown
}

/** Options of {@link gitlab}. @group Work and developer presets */
export interface GitLabOptions extends PresetOptions {
  /** A self-managed GitLab's URL (with its relative root, if any). Default `https://gitlab.com`. */
  baseUrl?: string
}

/**
 * GitLab sign-in (OpenID Connect, discovery at `${baseUrl}/.well-known/openid-configuration`) with
 * `read_user` for the REST API at `${baseUrl}/api/v4`; the profile comes from the userinfo endpoint.
 * GitLab access tokens expire after two hours; the token comes with a refresh token.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { gitlab } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'gitlab',
 *   gitlab({ clientId: process.env.GITLAB_CLIENT_ID!, clientSecret: process.env.GITLAB_CLIENT_SECRET }),
 * )
 * const token = await oauth.create('gitlab').authorizeAccessToken({ cookies, request })
 * const me = await oauth.create('gitlab').get('user', { token }).json<{ username: string }>()
 * ```
 * @group Work and developer presets
 */
export function gitlab(
  options: GitLabOptions,
): OAuth2AppConfig & { profile: ProfileLoader<GitLabProfile> } {
  checkPresetKeys('gitlab', options, ['baseUrl'])
  const { baseUrl, ...rest } = options
  if (baseUrl !== undefined && (typeof baseUrl !== 'string' || !URL.canParse(baseUrl)))
    throw presetError(
      'gitlab',
      'baseUrl',
      'must be the GitLab URL, e.g. https://gitlab.example.com',
    )
  const base = trimSlash(baseUrl ?? 'https://gitlab.com')
  return definePreset(rest, {
    serverMetadataUrl: `${base}/.well-known/openid-configuration`,
    apiBaseUrl: `${base}/api/v4`,
    scope: 'read_user openid profile email',
    profile: gitlabProfile,
  })
}

const gitlabProfile: ProfileLoader<GitLabProfile> = async (
  api,
  token,
): Promise<NormalizedProfile<GitLabProfile>> =>
  claimsProfile((await api.userinfo(token)) as GitLabProfile)
