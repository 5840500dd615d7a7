/**
 * Trello — OAuth 1.0a and the REST API's `members/me` profile.
 *
 * Followed, as of 2026-11 (written without a browser, from Atlassian's Trello developer pages as
 * stored copies show them: developer.atlassian.com/cloud/trello/guides/rest-api/authorization/, the
 * "OAuth1.0" section, and …/cloud/trello/rest/api-group-members/ for `GET /1/members/{id}`):
 * - OAuth 1.0a endpoints `https://trello.com/1/OAuthGetRequestToken`, `…/1/OAuthAuthorizeToken`,
 *   `…/1/OAuthGetAccessToken`, HMAC-SHA1;
 * - the authorize URL takes `name` (the app's name on the consent page), `scope` (`read`, `write`,
 *   `account`, comma-separated) and `expiration` (`1hour`, `1day`, `30days`, `never`);
 * - a token made with `expiration=never` lasts until the user revokes it; the others stop working
 *   after that time, and there is no refresh: the user signs in again;
 * - `GET https://api.trello.com/1/members/me`: `id`, `username`, `fullName`, `avatarUrl` (a base URL:
 *   add `/170.png` or `/50.png`), `email` only with the `account` scope;
 * - API errors are plain text (`invalid token`, `unauthorized permission requested`) with a 401.
 *
 * Not sure, and so not relied on: Trello's default `expiration` when none is sent (the page said
 * `30days`; the preset always sends one); whether Trello always sends `oauth_callback_confirmed=true`
 * (oauthkit refuses temporary credentials without it, as OAuth 1.0a requires); whether the email of
 * `members/me` is one Trello verified (so `email_verified` is not set).
 *
 * @module
 */
import { HTTPError } from 'ky'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import { providerText } from '../errors/provider-text.js'
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth1AppConfig, OAuth1ProfileLoader } from '../oauth1/config.js'
import { checkPresetKeys } from './preset.js'

const TRELLO_OAUTH = 'https://trello.com/1'
const TRELLO_API = 'https://api.trello.com/1'
const MEMBER_FIELDS = 'id,username,fullName,email,avatarUrl,url'

/** A Trello permission: `read`, `write`, `account` (the email). @group Work and developer presets */
export type TrelloScope = 'read' | 'write' | 'account'
/** How long a Trello token works. @group Work and developer presets */
export type TrelloExpiration = '1hour' | '1day' | '30days' | 'never'
const EXPIRATIONS: readonly string[] = ['1hour', '1day', '30days', 'never']
const SCOPES: readonly string[] = ['read', 'write', 'account']

/** `GET /1/members/me` (the fields oauthkit asks for). @group Work and developer presets */
export interface TrelloProfile {
  id: string
  username: string
  fullName?: string
  /** Only with the `account` scope. */
  email?: string | null
  /** A base URL: add `/170.png` (or `/30.png`, `/50.png`) for an image; null without an avatar. */
  avatarUrl?: string | null
  url?: string
  [field: string]: unknown
}

/** Options of {@link trello}. @group Work and developer presets */
export interface TrelloOptions extends Partial<
  Omit<OAuth1AppConfig, 'clientId' | 'clientSecret' | 'signatureMethod' | 'rsaKey' | 'profile'>
> {
  /** The app's API key. */
  clientId: string
  /** The app's OAuth secret. */
  clientSecret: string
  /** The app's name on Trello's consent page (`name`). */
  appName?: string
  /** Permissions asked for (`scope`). Default `['read']`; `account` adds the email. */
  scope?: TrelloScope[]
  /**
   * How long the token works (`expiration`). Default `'30days'`; `'never'` keeps it until the user
   * revokes it. An expired token is refused by the API (401 `invalid token`): sign the user in again.
   */
  expiration?: TrelloExpiration
}

/** Trello's errors are plain text: keep it (cleaned) in a typed error. */
async function trelloError(name: string, error: HTTPError): Promise<OAuthKitError> {
  const status = error.response.status
  const text = providerText(
    await error.response
      .clone()
      .text()
      .catch(() => undefined),
  )
  // No `cause`: ky's error holds the signed request.
  return new OAuthKitError(
    ErrorCode.HTTP_ERROR,
    `${name}: members/me failed with HTTP ${status}${text ? `: ${text}` : ''}`,
    { app: name, status, ...(text === undefined ? {} : { errorDescription: text }) },
  )
}

/** `members/me` → the normalised profile; `avatarUrl` is a base URL, so `picture` adds a size. */
const trelloProfile: OAuth1ProfileLoader<TrelloProfile> = async (api, token) => {
  let member: TrelloProfile
  try {
    member = await api.getJson<TrelloProfile>(`members/me?fields=${MEMBER_FIELDS}`, token)
  } catch (error) {
    if (error instanceof HTTPError) throw await trelloError(api.name, error)
    throw error
  }
  if (typeof member !== 'object' || member === null || typeof member.id !== 'string' || !member.id)
    throw new OAuthKitError(
      ErrorCode.INVALID_RESPONSE,
      `${api.name}: members/me answered without an id`,
      { app: api.name },
    )
  const profile: NormalizedProfile<TrelloProfile> = { sub: member.id, raw: member }
  const name = member.fullName || member.username
  if (name) profile.name = name
  if (typeof member.email === 'string' && member.email) profile.email = member.email
  // The avatar URL names no image until a size is added.
  if (typeof member.avatarUrl === 'string' && member.avatarUrl)
    profile.picture = `${member.avatarUrl.replace(/\/$/, '')}/170.png`
  return profile
}

/**
 * Trello over OAuth 1.0a: an {@link OAuth1AppConfig} for Trello's endpoints (HMAC-SHA1), `apiBaseUrl`
 * `https://api.trello.com/1`, and a `profile` loader reading `members/me`. Quirks and how they are handled:
 * - the authorize URL takes `name`, `scope` and `expiration` (the options `appName`, `scope`,
 *   `expiration`), never the request-token request;
 * - a token lasts for its `expiration` (`never`: until revoked) and cannot be refreshed;
 * - `avatarUrl` is a base URL: `picture` is its 170 px image;
 * - API errors are plain text: `profile()` makes them `http_error` with the text in `errorDescription`.
 *
 * @example
 * ```ts
 * const oauth = new OAuth({ secret }).register(
 *   'trello',
 *   trello({ clientId, clientSecret, appName: 'My board tool', scope: ['read', 'account'], expiration: 'never' }),
 * )
 * ```
 * @group Work and developer presets
 */
export function trello(
  options: TrelloOptions,
): OAuth1AppConfig & { profile: OAuth1ProfileLoader<TrelloProfile> } {
  // `scope` is an OAuth 2 key too (so not "own" to the type), but no OAuth 1 app has it: this preset's.
  checkPresetKeys('trello', options, ['appName', 'expiration', 'scope' as never], 'oauth1')
  const { appName, scope = ['read'], expiration = '30days', authorizeParams, ...rest } = options
  if (!Array.isArray(scope) || scope.length === 0 || scope.some((s) => !SCOPES.includes(s)))
    throw new OAuthKitError(
      ErrorCode.CONFIG_INVALID,
      `trello(): scope must be a non-empty array of ${SCOPES.join(', ')}`,
    )
  if (!EXPIRATIONS.includes(expiration))
    throw new OAuthKitError(
      ErrorCode.CONFIG_INVALID,
      `trello(): expiration must be one of ${EXPIRATIONS.join(', ')}`,
    )
  const overrides = Object.fromEntries(
    Object.entries(rest).filter(([, value]) => value !== undefined),
  ) as typeof rest
  return {
    requestTokenUrl: `${TRELLO_OAUTH}/OAuthGetRequestToken`,
    authorizeUrl: `${TRELLO_OAUTH}/OAuthAuthorizeToken`,
    accessTokenUrl: `${TRELLO_OAUTH}/OAuthGetAccessToken`,
    apiBaseUrl: TRELLO_API,
    ...overrides,
    // Trello reads these on its consent page (the authorize URL), not at the request-token endpoint.
    authorizeParams: {
      ...(appName === undefined ? {} : { name: appName }),
      scope: scope.join(','),
      expiration,
      ...authorizeParams,
    },
    signatureMethod: 'HMAC-SHA1',
    profile: trelloProfile,
  }
}
