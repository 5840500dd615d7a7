/**
 * GitHub (github.com and GitHub Enterprise Server) — OAuth 2.0, no OpenID Connect.
 *
 * Followed: "Authorizing OAuth apps" (docs.github.com/en/apps/oauth-apps/building-oauth-apps/
 * authorizing-oauth-apps) and "REST API: Users / Emails" (docs.github.com/en/rest/users), as of
 * 2026-11.
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import type { ResponseHook } from '../types.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'

const GITHUB = 'https://github.com'
const GITHUB_API = 'https://api.github.com'

/** The user as `GET /user` returns it (the fields oauthkit reads). @group Social and consumer presets */
export interface GitHubProfile {
  id: number
  login: string
  name: string | null
  /** The public email; null when the user keeps it private (then `/user/emails` is read). */
  email: string | null
  avatar_url: string
  html_url?: string
  [field: string]: unknown
}

/** One entry of `GET /user/emails`. @group Social and consumer presets */
export interface GitHubEmail {
  email: string
  primary: boolean
  verified: boolean
  visibility: string | null
}

/** Options of {@link github}. @group Social and consumer presets */
export interface GitHubOptions extends PresetOptions {
  /** GitHub Enterprise Server base URL, e.g. `https://github.example.com`. Default: github.com. */
  enterpriseUrl?: string
}

/**
 * GitHub answers the token request with HTTP 200 even for errors, and form-encoded unless asked for
 * JSON: turn both back into RFC 6749 §5.1/§5.2 (JSON; errors with 400).
 * @group Social and consumer presets
 */
export const githubTokenResponse: ResponseHook = async (response) => {
  const type = response.headers.get('content-type') ?? ''
  const text = await response.clone().text()
  let body: Record<string, unknown>
  if (type.includes('application/x-www-form-urlencoded'))
    body = Object.fromEntries(new URLSearchParams(text))
  else if (type.includes('json')) {
    try {
      body = JSON.parse(text) as Record<string, unknown>
    } catch {
      return response
    }
  } else return response
  return Response.json(body, { status: typeof body.error === 'string' ? 400 : response.status })
}

/** `/user`, then the primary verified address of `/user/emails` when the email is private. */
const githubProfile: ProfileLoader<GitHubProfile> = async (api, token) => {
  const user = await api.getJson<GitHubProfile>('user', token)
  const profile: NormalizedProfile<GitHubProfile> = {
    sub: String(user.id),
    raw: user,
    picture: user.avatar_url,
  }
  if (user.name ?? user.login) profile.name = user.name ?? user.login
  // A null email means private: the primary verified one is at /user/emails (needs user:email).
  const emails = await api.getJson<GitHubEmail[]>('user/emails', token).catch(() => [])
  const primary =
    emails.find((e) => e.primary && e.verified) ?? emails.find((e) => e.email === user.email)
  if (primary) {
    profile.email = primary.email
    profile.email_verified = primary.verified
  } else if (user.email) {
    profile.email = user.email
  }
  return profile
}

/**
 * GitHub sign-in (OAuth app or GitHub App user tokens).
 *
 * @example
 * ```ts
 * oauth.register('github', github({ clientId, clientSecret }))
 * const profile = await oauth.create('github').profile(token)
 * ```
 * @group Social and consumer presets
 */
export function github(
  options: GitHubOptions,
): OAuth2AppConfig & { profile: ProfileLoader<GitHubProfile> } {
  checkPresetKeys('github', options, ['enterpriseUrl'])
  // enterpriseUrl is the preset's own option, not an app config key: it must not reach register.
  const { enterpriseUrl, ...rest } = options
  const base = (enterpriseUrl ?? GITHUB).replace(/\/+$/, '')
  const api = enterpriseUrl ? `${base}/api/v3` : GITHUB_API
  return definePreset(rest, {
    authorizeUrl: `${base}/login/oauth/authorize`,
    accessTokenUrl: `${base}/login/oauth/access_token`,
    apiBaseUrl: api,
    scope: 'read:user user:email',
    // The REST API refuses requests without a User-Agent.
    userAgent: 'oauthkit',
    hooks: {
      accessTokenResponse: githubTokenResponse,
      refreshTokenResponse: githubTokenResponse,
      protectedRequest: (request: Request) => {
        if (!request.headers.has('accept'))
          request.headers.set('accept', 'application/vnd.github+json')
      },
    },
    profile: githubProfile,
  })
}
