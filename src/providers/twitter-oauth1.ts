/**
 * X (formerly Twitter) — OAuth 1.0a ("3-legged OAuth", Sign in with X) and the v1.1
 * `account/verify_credentials` profile. For X's OAuth 2.0 see the `twitter` preset.
 *
 * Followed, as of 2026-11 (written without a browser, from X's reference pages as stored copies show
 * them; X has moved these pages between developer.twitter.com, developer.x.com and docs.x.com, so the
 * addresses may have changed again):
 * - "POST oauth/request_token" (developer.x.com/en/docs/authentication/api-reference/request_token):
 *   `oauth_callback` required (and registered in the app's settings), `x_auth_access_type` optional;
 * - "GET oauth/authenticate" and "GET oauth/authorize" (…/api-reference/authenticate, …/authorize):
 *   `force_login`, `screen_name`; `authenticate` skips the consent screen once the user has approved;
 * - "POST oauth/access_token" (…/api-reference/access_token): answers `user_id` and `screen_name`
 *   beside the token credentials;
 * - "GET account/verify_credentials" (developer.x.com/en/docs/twitter-api/v1/accounts-and-users/
 *   manage-account-settings/api-reference/get-account-verify_credentials): `include_email` needs the
 *   app's "Request email from users" permission, and "if the user does not have an email address on
 *   their account, or if the email address is un-verified, null will be returned";
 * - "Response codes" (…/docs/basics/response-codes) for the JSON errors (32, 89, 135, 215, 415, 416).
 *
 * Not certain, and so not relied on: which X API access tiers still serve v1.1 `verify_credentials`
 * (the preset calls nothing else on v1.1); whether a user who presses Cancel is always sent back with
 * `denied` (older behaviour sometimes left them on X — then there is no callback at all); and
 * whether X omits `email` or sends `null` without the permission (both are read as "no email").
 *
 * @module
 */
import { HTTPError } from 'ky'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth1AppConfig, OAuth1ProfileLoader } from '../oauth1/config.js'
import { checkPresetKeys } from './preset.js'

const X_OAUTH = 'https://api.x.com/oauth'
const X_API = 'https://api.x.com/1.1'
/** verify_credentials with the email (when the app may see it) and without the latest post. */
const VERIFY_CREDENTIALS = 'account/verify_credentials.json?include_email=true&skip_status=true'
/** Longest provider error text kept in an error. */
const MAX_TEXT = 300

/**
 * The user as `GET account/verify_credentials.json` returns it (the fields oauthkit reads; X sends
 * many more, all kept).
 * @group Social and consumer presets
 */
export interface TwitterOAuth1Profile {
  /** The user id as a number: above 2^53 it is rounded by `JSON.parse`, so never use it — use `id_str`. */
  id: number
  /** The user id, exact. */
  id_str: string
  /** The display name. */
  name: string
  /** The handle, without `@`. */
  screen_name: string
  /**
   * Only with the app's "Request email from users" permission (and tokens issued after it was
   * granted); `null` when the user has no email or has not verified it.
   */
  email?: string | null
  /** The avatar, 48×48 (`_normal`); drop `_normal` from the name for the original size. */
  profile_image_url_https?: string
  [field: string]: unknown
}

/** Options of {@link twitterOAuth1}. @group Social and consumer presets */
export interface TwitterOAuth1Options extends Partial<
  Omit<OAuth1AppConfig, 'clientId' | 'clientSecret' | 'signatureMethod' | 'rsaKey' | 'profile'>
> {
  /** The app's API key (consumer key). */
  clientId: string
  /** The app's API key secret (consumer secret). */
  clientSecret: string
  /**
   * Send the user to `oauth/authorize`, which shows the consent screen on every login, instead of
   * `oauth/authenticate` (Sign in with X), which sends a user who already approved the app straight
   * back. Default false.
   */
  alwaysAsk?: boolean
  /**
   * `x_auth_access_type`: ask for less than the app's permission level for this login (`read` for a
   * read/write app). X cannot raise the level above the app's. Default: the app's level.
   */
  accessType?: 'read' | 'write'
}

/** X's JSON error body: `{"errors":[{"code":32,"message":"Could not authenticate you."}]}`. */
async function xApiError(name: string, error: HTTPError, what: string): Promise<OAuthKitError> {
  const status = error.response.status
  let code: string | undefined
  let text: string | undefined
  try {
    const body = (await error.response.clone().json()) as {
      errors?: Array<{ code?: unknown; message?: unknown }>
    }
    const errors = Array.isArray(body.errors)
      ? body.errors.filter((e) => typeof e === 'object' && e !== null)
      : []
    if (typeof errors[0]?.code === 'number' || typeof errors[0]?.code === 'string')
      code = String(errors[0].code)
    const messages = errors.map((e) => e.message).filter((m): m is string => typeof m === 'string')
    if (messages.length > 0)
      text = messages
        .join(' ')
        .replace(/\p{Cc}+/gu, ' ')
        .trim()
        .slice(0, MAX_TEXT)
  } catch {
    // Not X's JSON (an HTML error page, an empty 503): the status alone.
  }
  const said = [code, text].filter(Boolean).join(': ')
  // No `cause`: ky's error holds the signed request, whose Authorization header names the token.
  return new OAuthKitError(
    ErrorCode.HTTP_ERROR,
    `${name}: ${what} failed with HTTP ${status}${said ? `: ${said}` : ''}`,
    {
      app: name,
      status,
      ...(code === undefined ? {} : { error: code }),
      ...(text === undefined ? {} : { errorDescription: text }),
    },
  )
}

/**
 * `verify_credentials` → the normalised profile. `sub` is `id_str`; `email` only when X sends one,
 * marked verified because X sends `null` rather than an unverified address (see the module docs).
 */
const twitterOAuth1Profile: OAuth1ProfileLoader<TwitterOAuth1Profile> = async (api, token) => {
  let user: TwitterOAuth1Profile
  try {
    user = await api.getJson<TwitterOAuth1Profile>(VERIFY_CREDENTIALS, token)
  } catch (error) {
    // X's API errors are JSON `errors` arrays with a 401/403: keep its code and text in a typed error.
    if (error instanceof HTTPError)
      throw await xApiError(api.name, error, 'account/verify_credentials')
    throw error
  }
  if (
    typeof user !== 'object' ||
    user === null ||
    typeof user.id_str !== 'string' ||
    user.id_str === ''
  ) {
    throw new OAuthKitError(
      ErrorCode.INVALID_RESPONSE,
      `${api.name}: account/verify_credentials answered without an id_str`,
      { app: api.name },
    )
  }
  // `id` is a JSON number that loses digits above 2^53 (X's ids are 64-bit): the string is the id.
  const profile: NormalizedProfile<TwitterOAuth1Profile> = { sub: user.id_str, raw: user }
  const name = user.name || user.screen_name
  if (name) profile.name = name
  // Present only with the email permission; null (no address, or not verified) is no email.
  if (typeof user.email === 'string' && user.email !== '') {
    profile.email = user.email
    // X returns null for an unverified address, so an address it returns is one it verified.
    profile.email_verified = true
  }
  if (typeof user.profile_image_url_https === 'string' && user.profile_image_url_https !== '')
    profile.picture = user.profile_image_url_https
  return profile
}

/**
 * Sign in with X over OAuth 1.0a: an {@link OAuth1AppConfig} for X's endpoints, HMAC-SHA1 (the only
 * method X accepts), and a `profile` loader reading `account/verify_credentials`. X's quirks and
 * how they are handled:
 * - token endpoints answer form bodies labelled `text/html`: `OAuth1App` reads the body, not the label;
 * - errors are JSON `{"errors":[{"code":32,"message":"Could not authenticate you."}]}`: at the token
 *   endpoints `OAuth1App` makes them `token_error` (`error: '32'`); from `profile()` they are
 *   `http_error` with the same `error` and `errorDescription`;
 * - `oauth_callback_confirmed=true` is always sent (X speaks 1.0a): a request token without it is
 *   refused as `oauth1_error`, since the callback could then be forged;
 * - Cancel sends the user back with `?denied=<request token>` and no verifier: `access_denied`;
 * - `x_auth_access_type` is the `accessType` option, sent (signed) with the request-token request;
 * - the callback URL must be registered in the app's settings, or request_token fails with code 415.
 *
 * @example
 * ```ts
 * import { OAuth, type OAuth1Token } from 'oauthkit'
 * import { twitterOAuth1, type TwitterOAuth1Profile } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'x',
 *   twitterOAuth1({ clientId: process.env.X_API_KEY ?? 'api-key', clientSecret: process.env.X_API_SECRET ?? 'api-secret', accessType: 'read' }),
 * )
 * export async function whoIs(token: OAuth1Token): Promise<string> {
 *   const profile = await oauth.create('x').profile(token) // { sub: id_str, name, email?, picture? }
 *   return `@${(profile.raw as TwitterOAuth1Profile).screen_name} (${profile.sub})`
 * }
 * ```
 * @group Social and consumer presets
 */
export function twitterOAuth1(
  options: TwitterOAuth1Options,
): OAuth1AppConfig & { profile: OAuth1ProfileLoader<TwitterOAuth1Profile> } {
  checkPresetKeys('twitterOAuth1', options, ['alwaysAsk', 'accessType'], 'oauth1')
  const { alwaysAsk = false, accessType, requestTokenParams, ...rest } = options
  const params: Record<string, string> = { ...requestTokenParams }
  // x_auth_access_type is a parameter of the request-token request (X ignores it elsewhere); oauthkit signs it there.
  if (accessType !== undefined) params.x_auth_access_type = accessType
  // An option given as undefined keeps the preset's default rather than erasing it.
  const overrides = Object.fromEntries(
    Object.entries(rest).filter(([, value]) => value !== undefined),
  ) as typeof rest
  return {
    requestTokenUrl: `${X_OAUTH}/request_token`,
    // authenticate: Sign in with X, no consent screen for a returning user; authorize: always asks.
    authorizeUrl: `${X_OAUTH}/${alwaysAsk ? 'authorize' : 'authenticate'}`,
    accessTokenUrl: `${X_OAUTH}/access_token`,
    apiBaseUrl: X_API,
    ...overrides,
    // X verifies HMAC-SHA1 only.
    signatureMethod: 'HMAC-SHA1',
    ...(Object.keys(params).length > 0 && { requestTokenParams: params }),
    profile: twitterOAuth1Profile,
  }
}
