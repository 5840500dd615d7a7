/**
 * Slack — "Sign in with Slack" (OpenID Connect).
 *
 * Followed, as of 2026-11: "Sign in with Slack" (https://api.slack.com/authentication/sign-in-with-slack,
 * now docs.slack.dev/authentication/sign-in-with-slack) and the method pages
 * `openid.connect.token` and `openid.connect.userInfo` (https://api.slack.com/methods/openid.connect.token,
 * https://api.slack.com/methods/openid.connect.userInfo). Written from knowledge of those pages, not
 * from a fresh reading. Unsure: whether the token response currently carries `token_type` (older
 * responses did not; the hook adds it only when missing) and whether Slack accepts HTTP Basic client
 * authentication there (the method documents `client_id`/`client_secret` arguments, so they go in the
 * body).
 *
 * @module
 */
import * as jose from 'jose'
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import { rewriteJson } from '../http/client.js'
import type { ComplianceHooks, ResponseHook } from '../types.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'
import { claimsProfile } from './oidc-profile.js'

const SLACK = 'https://slack.com'

/** The claims of `openid.connect.userInfo` (and of the ID token). @group Work and developer presets */
export interface SlackProfile {
  /** The user id (`U…`), unique within the workspace. */
  sub: string
  'https://slack.com/user_id'?: string
  'https://slack.com/team_id'?: string
  'https://slack.com/team_name'?: string
  'https://slack.com/team_domain'?: string
  email?: string
  email_verified?: boolean
  date_email_verified?: number
  name?: string
  given_name?: string
  family_name?: string
  picture?: string
  locale?: string
  /** `true` on success; the Web API's envelope. */
  ok?: boolean
  [claim: string]: unknown
}

/** Options of {@link slack}. @group Work and developer presets */
export interface SlackOptions extends PresetOptions {
  /** A workspace id (`T…`) to sign in to directly, skipping the workspace picker. */
  team?: string
}

/** Slack's Web API answers errors with HTTP 200 and `{ ok: false, error }`. */
function slackError(body: Record<string, unknown>): string | undefined {
  return body.ok === false
    ? typeof body.error === 'string'
      ? body.error
      : 'unknown_error'
    : undefined
}

/**
 * The token endpoint's quirks, back to RFC 6749: `{ ok: false, error }` with HTTP 200 becomes an
 * error with HTTP 400 (kept as Slack named it, e.g. `invalid_code`), and a missing `token_type`
 * becomes `Bearer`.
 * @group Work and developer presets
 */
export const slackTokenResponse: ResponseHook = async (response) => {
  const body = await jsonObject(response)
  if (!body) return response
  const error = slackError(body)
  // Slack reports token errors with HTTP 200 and ok: false; RFC 6749 §5.2 says 400 with `error`.
  if (error) return Response.json({ error }, { status: 400 })
  // RFC 6749 §5.1 requires token_type; Slack has answered without it.
  if (body.token_type === undefined)
    return rewriteJson(response, (b) => ({ token_type: 'Bearer', ...b }))
  return response
}

/**
 * An ID token with `nonce: ""` where no nonce was sent fails OpenID Connect's nonce check, and its
 * signed claims cannot be fixed: drop it. Only when no nonce was sent can a login go on without the
 * ID token; when one was sent, oauthkit requires the ID token, so the login still fails.
 * @group Work and developer presets
 */
export const slackEmptyNonce: ResponseHook = (response) =>
  rewriteJson(response, (body) => {
    if (typeof body.id_token !== 'string') return body
    let nonce: unknown
    try {
      nonce = jose.decodeJwt(body.id_token).nonce
    } catch {
      return body
    }
    if (nonce !== '') return body
    const { id_token: _dropped, ...rest } = body
    return rest
  })

/**
 * `openid.connect.userInfo` answers a bad or revoked token with HTTP 200 `{ ok: false, error }`: make
 * it the RFC 6750 401 `invalid_token` challenge, Slack's code as the description.
 * @group Work and developer presets
 */
export const slackUserinfoResponse: ResponseHook = async (response) => {
  const body = await jsonObject(response)
  const error = body && slackError(body)
  if (!error) return response
  // Slack answers a bad token with HTTP 200 and ok: false; RFC 6750 §3.1 says 401 with a challenge.
  const code = error === 'missing_scope' ? 'insufficient_scope' : 'invalid_token'
  return new Response(null, {
    status: 401,
    headers: {
      'www-authenticate': `Bearer error="${code}", error_description="${error.replace(/["\\]/g, '')}"`,
    },
  })
}

/** The response's JSON object body (read from a copy), or undefined. */
async function jsonObject(response: Response): Promise<Record<string, unknown> | undefined> {
  try {
    const body: unknown = JSON.parse(await response.clone().text())
    return typeof body === 'object' && body !== null && !Array.isArray(body)
      ? (body as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Sign in with Slack (OpenID Connect, discovery at slack.com). Slack's Web API envelope
 * (`{ ok: false, error }` with HTTP 200) becomes typed errors, a token response without `token_type`
 * is read as Bearer, and the profile comes from `openid.connect.userInfo`.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { slack } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'slack',
 *   slack({ clientId: process.env.SLACK_CLIENT_ID!, clientSecret: process.env.SLACK_CLIENT_SECRET, team: 'T0123456' }),
 * )
 * const token = await oauth.create('slack').authorizeAccessToken({ cookies, request })
 * const { sub, email, raw } = await oauth.create('slack').profile(token) // raw['https://slack.com/team_id']
 * ```
 * @group Work and developer presets
 */
export function slack(
  options: SlackOptions,
): OAuth2AppConfig & { profile: ProfileLoader<SlackProfile> } {
  checkPresetKeys('slack', options, ['team'])
  const { team, ...rest } = options
  const authorizeParams: Record<string, string> = team ? { team } : {}
  const hooks: ComplianceHooks = {
    accessTokenResponse: [slackTokenResponse, slackEmptyNonce],
    refreshTokenResponse: slackTokenResponse,
    userinfoResponse: slackUserinfoResponse,
  }
  return definePreset(rest, {
    serverMetadataUrl: `${SLACK}/.well-known/openid-configuration`,
    // Explicit, as Slack documents them (discovery says the same).
    authorizeUrl: `${SLACK}/openid/connect/authorize`,
    accessTokenUrl: `${SLACK}/api/openid.connect.token`,
    userinfoEndpoint: `${SLACK}/api/openid.connect.userInfo`,
    apiBaseUrl: `${SLACK}/api`,
    scope: 'openid profile email',
    authorizeParams,
    // openid.connect.token documents client_id and client_secret as body arguments.
    tokenEndpointAuthMethod: 'client_secret_post' as const,
    hooks,
    profile: slackProfile,
  })
}

const slackProfile: ProfileLoader<SlackProfile> = async (
  api,
  token,
): Promise<NormalizedProfile<SlackProfile>> => {
  const claims = (await api.userinfo(token)) as SlackProfile
  return claimsProfile(claims)
}
