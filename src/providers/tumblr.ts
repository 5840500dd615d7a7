/**
 * Tumblr — OAuth 1.0a and the API v2 `user/info` profile. (Tumblr also offers OAuth 2.0; this preset
 * is the OAuth 1.0a one every Tumblr API client key supports.)
 *
 * Followed, as of 2026-11 (written without a browser, from Tumblr's API v2 documentation as stored
 * copies show it: tumblr.com/docs/en/api/v2, sections "Authentication" and "/user/info"):
 * - OAuth 1.0a endpoints `https://www.tumblr.com/oauth/request_token`, `…/oauth/authorize`,
 *   `…/oauth/access_token`, HMAC-SHA1;
 * - `GET https://api.tumblr.com/v2/user/info`, signed: every answer is an envelope
 *   `{ "meta": { "status", "msg" }, "response": … }`, errors add `"errors": [{ "title", "code", "detail" }]`;
 * - the user has no id of its own: `response.user.name` is the name of the user's primary blog and
 *   changes when the blog is renamed; each blog of `response.user.blogs` has a `uuid` (`t:…`) that does not.
 *
 * Not sure, and so not relied on: whether `blogs[].uuid` is always present in `user/info` (when it is
 * missing `sub` falls back to the user name, which a rename changes); whether `blogs[].avatar` (an
 * array of sizes) is sent there (without it there is no `picture`). Tumblr never gives the email.
 *
 * @module
 */
import { HTTPError } from 'ky'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import { providerText } from '../errors/provider-text.js'
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth1AppConfig, OAuth1ProfileLoader } from '../oauth1/config.js'
import { checkPresetKeys } from './preset.js'

const TUMBLR_OAUTH = 'https://www.tumblr.com/oauth'
const TUMBLR_API = 'https://api.tumblr.com/v2'

/** One blog of a Tumblr user (the fields oauthkit reads; Tumblr sends more). @group Social and consumer presets */
export interface TumblrBlog {
  name: string
  /** The blog's stable id (`t:…`). */
  uuid?: string
  /** True for the user's primary blog. */
  primary?: boolean
  title?: string
  url?: string
  /** The avatar in several sizes. */
  avatar?: Array<{ width: number; height: number; url: string }>
  [field: string]: unknown
}

/** `response.user` of `GET /v2/user/info`. @group Social and consumer presets */
export interface TumblrProfile {
  /** The primary blog's name: Tumblr's name for the user, which a rename changes. */
  name: string
  likes?: number
  following?: number
  default_post_format?: string
  blogs: TumblrBlog[]
  [field: string]: unknown
}

/** Options of {@link tumblr}. @group Social and consumer presets */
export interface TumblrOptions extends Partial<
  Omit<OAuth1AppConfig, 'clientId' | 'clientSecret' | 'signatureMethod' | 'rsaKey' | 'profile'>
> {
  /** The app's OAuth consumer key. */
  clientId: string
  /** The app's secret key. */
  clientSecret: string
}

/** Tumblr's error envelope: `{ meta: { status, msg }, errors: [{ title, detail, code }] }`. */
async function tumblrError(name: string, error: HTTPError): Promise<OAuthKitError> {
  const status = error.response.status
  let text: string | undefined
  let code: string | undefined
  try {
    const body = (await error.response.clone().json()) as {
      meta?: { msg?: unknown }
      errors?: Array<{ title?: unknown; detail?: unknown; code?: unknown }>
    }
    const first = Array.isArray(body.errors) ? body.errors[0] : undefined
    if (typeof first?.code === 'number' || typeof first?.code === 'string')
      code = String(first.code)
    text = providerText(first?.detail ?? first?.title ?? body.meta?.msg)
  } catch {
    // Not Tumblr's JSON: the status alone.
  }
  const said = [code, text].filter(Boolean).join(': ')
  // No `cause`: ky's error holds the signed request.
  return new OAuthKitError(
    ErrorCode.HTTP_ERROR,
    `${name}: user/info failed with HTTP ${status}${said ? `: ${said}` : ''}`,
    {
      app: name,
      status,
      ...(code === undefined ? {} : { error: code }),
      ...(text === undefined ? {} : { errorDescription: text }),
    },
  )
}

/**
 * `user/info` → the normalised profile. Quirks: the answer is wrapped in `{ meta, response }`; the
 * user has no id, so `sub` is the primary blog's `uuid` (stable across renames), else its name.
 */
const tumblrProfile: OAuth1ProfileLoader<TumblrProfile> = async (api, token) => {
  let body: { response?: { user?: TumblrProfile } }
  try {
    body = await api.getJson<{ response?: { user?: TumblrProfile } }>('user/info', token)
  } catch (error) {
    if (error instanceof HTTPError) throw await tumblrError(api.name, error)
    throw error
  }
  const user = body?.response?.user
  if (typeof user !== 'object' || user === null || typeof user.name !== 'string' || !user.name)
    throw new OAuthKitError(
      ErrorCode.INVALID_RESPONSE,
      `${api.name}: user/info answered without response.user.name`,
      { app: api.name },
    )
  const blogs = Array.isArray(user.blogs) ? user.blogs : []
  const primary = blogs.find((b) => b?.primary === true) ?? blogs.find((b) => b?.name === user.name)
  // The user name is the primary blog's, renamed with it: the blog's uuid is the stable id.
  const sub = typeof primary?.uuid === 'string' && primary.uuid ? primary.uuid : user.name
  const profile: NormalizedProfile<TumblrProfile> = { sub, name: user.name, raw: user }
  const avatars = Array.isArray(primary?.avatar) ? primary.avatar : []
  const largest = [...avatars].sort((a, b) => (b?.width ?? 0) - (a?.width ?? 0))[0]
  if (typeof largest?.url === 'string' && largest.url) profile.picture = largest.url
  return profile
}

/**
 * Tumblr over OAuth 1.0a: an {@link OAuth1AppConfig} for Tumblr's endpoints (HMAC-SHA1), `apiBaseUrl`
 * `https://api.tumblr.com/v2`, and a `profile` loader reading `user/info`. Quirks and how they are handled:
 * - API answers are wrapped in `{ meta, response }`: the loader unwraps `response.user`;
 * - the user has no id: `sub` is the primary blog's `uuid`, which survives a rename (see the module docs);
 * - errors are `{ meta, errors: [{ title, detail, code }] }`: `profile()` makes them `http_error`
 *   with the code in `error` and the detail in `errorDescription`;
 * - no email is ever given.
 *
 * @example
 * ```ts
 * const oauth = new OAuth({ secret }).register('tumblr', tumblr({ clientId, clientSecret }))
 * const blog = (await oauth.create('tumblr').profile(token)).sub // "t:…"
 * ```
 * @group Social and consumer presets
 */
export function tumblr(
  options: TumblrOptions,
): OAuth1AppConfig & { profile: OAuth1ProfileLoader<TumblrProfile> } {
  checkPresetKeys('tumblr', options, [], 'oauth1')
  const overrides = Object.fromEntries(
    Object.entries(options).filter(([, value]) => value !== undefined),
  ) as TumblrOptions
  return {
    requestTokenUrl: `${TUMBLR_OAUTH}/request_token`,
    authorizeUrl: `${TUMBLR_OAUTH}/authorize`,
    accessTokenUrl: `${TUMBLR_OAUTH}/access_token`,
    apiBaseUrl: TUMBLR_API,
    ...overrides,
    // Tumblr verifies HMAC-SHA1 only.
    signatureMethod: 'HMAC-SHA1',
    profile: tumblrProfile,
  }
}
