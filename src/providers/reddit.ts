/**
 * Reddit — OAuth 2.0 (no OpenID Connect), API at oauth.reddit.com.
 *
 * Followed, as of 2026-11: "OAuth2" (github.com/reddit-archive/reddit/wiki/OAuth2 — still the page
 * reddit.com/dev/api links to), "API rules" (github.com/reddit-archive/reddit/wiki/API: a unique,
 * descriptive User-Agent such as `<platform>:<app ID>:<version> (by /u/<username>)`), "JSON"
 * (…/wiki/JSON: `raw_json=1` turns off HTML-escaping) and reddit.com/dev/api#GET_api_v1_me.
 * Unsure: token errors — Reddit answers a bad code with HTTP 200 `{"error": "invalid_grant"}` and bad
 * client credentials with 401 `{"message": "Unauthorized", "error": 401}` in my experience; the wiki
 * does not specify the bodies. `/api/v1/me` has no email: Reddit does not expose one.
 *
 * @module
 */
import { configError, type NormalizedProfile } from '../app/config.js'
import {
  type OAuth2AppConfig,
  type ProfileLoader,
  type TokenEndpointAuthMethod,
} from '../oauth2/config.js'
import type { RequestHook, ResponseHook } from '../types.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'

/** The user as `GET /api/v1/me` returns it (the fields oauthkit reads). @group Social and consumer presets */
export interface RedditProfile {
  /** The account id in base 36, without the `t2_` kind prefix. */
  id: string
  /** The username (`u/<name>`). */
  name: string
  icon_img?: string
  snoovatar_img?: string
  has_verified_email?: boolean
  verified?: boolean
  created_utc?: number
  [field: string]: unknown
}

/** Options of {@link reddit}. @group Social and consumer presets */
export interface RedditOptions extends PresetOptions {
  /**
   * Required: Reddit blocks or rate-limits generic User-Agents, and a shared default would make every
   * oauthkit app look like one client. Use `<platform>:<app ID>:<version> (by /u/<your username>)`.
   * Sent on every request, the token requests included.
   */
  userAgent: string
  /**
   * `permanent` (default here) returns a refresh token; `temporary` tokens die after an hour and the
   * user has to sign in again. Reddit requires the parameter and documents no default.
   */
  duration?: 'temporary' | 'permanent'
}

/**
 * Reddit reports a bad code with HTTP 200 `{ "error": "invalid_grant" }`, and bad client credentials
 * with 401 `{ "error": 401 }` (a number): make both RFC 6749 §5.2 errors. Other numeric errors (429
 * when throttled) are left as HTTP errors.
 * @group Social and consumer presets
 */
export const redditTokenResponse: ResponseHook = async (response) => {
  const body = (await response
    .clone()
    .json()
    .catch(() => null)) as { error?: unknown; message?: unknown } | null
  if (body === null || body.error === undefined) return response
  if (typeof body.error === 'number') {
    // 401 is the client's credentials; others (429: throttled) stay HTTP errors with their status.
    return body.error === 401
      ? Response.json(
          { error: 'invalid_client', error_description: String(body.message ?? '') },
          { status: 401 },
        )
      : response
  }
  return Response.json(body, { status: response.ok ? 400 : response.status })
}

/**
 * Reddit HTML-escapes `&`, `<` and `>` in every JSON string (so URLs arrive with `&amp;`) unless the
 * request has `raw_json=1`: add it to API calls.
 * @group Social and consumer presets
 */
export const redditRawJson: RequestHook = (request) => {
  const url = new URL(request.url)
  if (url.hostname !== 'oauth.reddit.com' || url.searchParams.has('raw_json')) return
  url.searchParams.set('raw_json', '1')
  return new Request(url, request)
}

/**
 * Installed apps have no secret but still authenticate with HTTP Basic, the password empty
 * (`client_id:`); oauth4webapi's `none` sends client_id in the body only.
 * @group Social and consumer presets
 */
export function redditInstalledAppAuth(clientId: string): RequestHook {
  return (request) => {
    if (!request.headers.has('authorization'))
      request.headers.set('authorization', `Basic ${btoa(`${encodeURIComponent(clientId)}:`)}`)
  }
}

/** `/api/v1/me`: the snoovatar when set, else the icon; no email (Reddit exposes none). */
const redditProfile: ProfileLoader<RedditProfile> = async (api, token) => {
  const me = await api.getJson<RedditProfile>('api/v1/me', token)
  const profile: NormalizedProfile<RedditProfile> = { sub: me.id, name: me.name, raw: me }
  const picture = me.snoovatar_img || me.icon_img
  if (picture) profile.picture = picture
  return profile
}

/**
 * Sign in with Reddit.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { reddit, type RedditProfile } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret }).register(
 *   'reddit',
 *   reddit({ clientId, clientSecret, userAgent: 'web:com.example.myapp:v1.2.0 (by /u/example_dev)' }),
 * )
 * const profile = await oauth.create('reddit').profile(token)
 * const username = (profile.raw as RedditProfile).name
 * ```
 * @group Social and consumer presets
 */
export function reddit(
  options: RedditOptions,
): OAuth2AppConfig & { profile: ProfileLoader<RedditProfile> } {
  checkPresetKeys('reddit', options, ['duration'])
  const { duration = 'permanent', ...rest } = options
  if (typeof rest.userAgent !== 'string' || rest.userAgent.trim() === '') {
    throw configError(
      'reddit',
      'userAgent',
      'is required: Reddit wants a unique, descriptive User-Agent such as "web:com.example.app:v1.0 (by /u/you)"',
    )
  }
  // oauthkit puts `userAgent` on every request, token requests included.
  const installed =
    rest.clientSecret === undefined ? redditInstalledAppAuth(rest.clientId) : undefined
  const tokenRequest = installed ? [installed] : []
  const authMethod: TokenEndpointAuthMethod = installed ? 'none' : 'client_secret_basic'
  return definePreset(rest, {
    authorizeUrl: 'https://www.reddit.com/api/v1/authorize',
    accessTokenUrl: 'https://www.reddit.com/api/v1/access_token',
    revocationEndpoint: 'https://www.reddit.com/api/v1/revoke_token',
    apiBaseUrl: 'https://oauth.reddit.com',
    scope: 'identity',
    // Reddit requires `duration`; permanent is what yields a refresh token.
    authorizeParams: { duration },
    // Web apps authenticate with HTTP Basic (oauthkit's default with a secret).
    tokenEndpointAuthMethod: authMethod,
    hooks: {
      accessTokenRequest: tokenRequest,
      refreshTokenRequest: tokenRequest,
      revokeTokenRequest: tokenRequest,
      accessTokenResponse: redditTokenResponse,
      refreshTokenResponse: redditTokenResponse,
      protectedRequest: redditRawJson,
    },
    profile: redditProfile,
  })
}
