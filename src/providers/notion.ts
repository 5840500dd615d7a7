/**
 * Notion public integrations — OAuth 2.0 (no scopes, no OpenID Connect), API v1.
 *
 * Followed, as of 2026-11: "Authorization" (developers.notion.com/docs/authorization), "Create a
 * token" and "Refresh a token" (developers.notion.com/reference/create-a-token,
 * …/reference/refresh-a-token) and "Versioning" (developers.notion.com/reference/versioning).
 * The token endpoint is documented with HTTP Basic and a JSON body; Auth.js and others send the RFC
 * 6749 form body and it is accepted, but this preset sends what the docs show. The token response
 * carries the authorizing user (`owner.user`, with `person.email` when the integration may read
 * emails), `bot_id` and `workspace_*`; newer integrations also get a `refresh_token`, older
 * responses had `refresh_token: null`. Unsure: the newest `Notion-Version` — 2026-03-11 is the newest
 * I can vouch for; pin `notionVersion` to the one your code is written against.
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader, TokenEndpointAuthMethod } from '../oauth2/config.js'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import { rewriteJson } from '../http/client.js'
import type { OAuth2Token, RequestHook, ResponseHook } from '../types.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'

/** The `Notion-Version` the preset sends unless told otherwise. @group Work and developer presets */
export const NOTION_VERSION = '2026-03-11'

/** A Notion person user (the token's `owner.user`). @group Work and developer presets */
export interface NotionUser {
  object: 'user'
  id: string
  type?: 'person' | 'bot'
  name?: string | null
  avatar_url?: string | null
  /** With the "Read user information including email addresses" capability. */
  person?: { email?: string }
  [field: string]: unknown
}

/** What the profile is read from: the authorizing user, with the bot and workspace of the token. @group Work and developer presets */
export interface NotionProfile {
  user: NotionUser
  bot_id?: string
  workspace_id?: string
  workspace_name?: string | null
  workspace_icon?: string | null
}

/** Options of {@link notion}. @group Work and developer presets */
export interface NotionOptions extends PresetOptions {
  /** The `Notion-Version` header for API calls. Default {@link NOTION_VERSION}. */
  notionVersion?: string
}

/**
 * Notion documents its token endpoint with a JSON body (`{ grant_type, code, redirect_uri }` /
 * `{ grant_type, refresh_token }`): re-encode oauth4webapi's form body as JSON (client
 * authentication stays in the Basic header).
 * @group Work and developer presets
 */
export const notionJsonTokenRequest: RequestHook = async (request) => {
  if (!/application\/x-www-form-urlencoded/i.test(request.headers.get('content-type') ?? '')) return
  const params = new URLSearchParams(await request.clone().text())
  const headers = new Headers(request.headers)
  headers.set('content-type', 'application/json')
  headers.delete('content-length')
  return new Request(request.url, {
    method: request.method,
    headers,
    body: JSON.stringify(Object.fromEntries(params)),
    signal: request.signal,
  })
}

/**
 * Notion has answered `refresh_token: null` for integrations without refresh tokens; RFC 6749 wants
 * the member absent (oauth4webapi refuses a non-string).
 * @group Work and developer presets
 */
export const notionTokenResponse: ResponseHook = (response) => {
  if (!response.ok) return response
  return rewriteJson(response, (body) => {
    if (typeof body.refresh_token === 'string' || body.refresh_token === undefined) return body
    const { refresh_token: _dropped, ...rest } = body
    return rest
  })
}

/** Every API call needs a `Notion-Version` header. @group Work and developer presets */
export function notionVersionHeader(version: string): RequestHook {
  return (request) => {
    if (
      new URL(request.url).hostname === 'api.notion.com' &&
      !request.headers.has('notion-version')
    )
      request.headers.set('notion-version', version)
  }
}

type NotionOwner = { type?: string; user?: NotionUser; workspace?: boolean }

/** The owner from the token (no API call), else from `GET /v1/users/me` (the bot, whose owner is the user). */
const notionProfile: ProfileLoader<NotionProfile> = async (api, token: OAuth2Token) => {
  let owner = token.owner as NotionOwner | undefined
  if (!owner?.user)
    owner = (await api.getJson<{ bot?: { owner?: NotionOwner } }>('users/me', token)).bot?.owner
  const user = owner?.user
  if (!user?.id) {
    throw new OAuthKitError(
      ErrorCode.UNSUPPORTED_OPERATION,
      `${api.name}: the token is owned by a workspace, not a user (authorize with owner=user)`,
      { app: api.name },
    )
  }
  const raw: NotionProfile = { user }
  if (typeof token.bot_id === 'string') raw.bot_id = token.bot_id
  if (typeof token.workspace_id === 'string') raw.workspace_id = token.workspace_id
  if (token.workspace_name !== undefined) raw.workspace_name = token.workspace_name as string | null
  if (token.workspace_icon !== undefined) raw.workspace_icon = token.workspace_icon as string | null
  const profile: NormalizedProfile<NotionProfile> = { sub: user.id, raw }
  if (user.name) profile.name = user.name
  // Notion does not say whether the email is verified.
  if (user.person?.email) profile.email = user.person.email
  if (user.avatar_url) profile.picture = user.avatar_url
  return profile
}

/**
 * Connect a Notion public integration (and sign its user in).
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { notion, type NotionProfile } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret }).register('notion', notion({ clientId, clientSecret }))
 * const profile = await oauth.create('notion').profile(token)
 * const workspace = (profile.raw as NotionProfile).workspace_name
 * const pages = await oauth.create('notion').post('search', { token, json: { page_size: 10 } }).json()
 * ```
 * @group Work and developer presets
 */
export function notion(
  options: NotionOptions,
): OAuth2AppConfig & { profile: ProfileLoader<NotionProfile> } {
  checkPresetKeys('notion', options, ['notionVersion'])
  const { notionVersion = NOTION_VERSION, ...rest } = options
  const authMethod: TokenEndpointAuthMethod = 'client_secret_basic'
  return definePreset(rest, {
    authorizeUrl: 'https://api.notion.com/v1/oauth/authorize',
    accessTokenUrl: 'https://api.notion.com/v1/oauth/token',
    apiBaseUrl: 'https://api.notion.com/v1',
    // Public integrations are installed by a user.
    authorizeParams: { owner: 'user' },
    // The token endpoint takes HTTP Basic (oauthkit's default with a secret).
    tokenEndpointAuthMethod: authMethod,
    hooks: {
      accessTokenRequest: notionJsonTokenRequest,
      refreshTokenRequest: notionJsonTokenRequest,
      accessTokenResponse: notionTokenResponse,
      refreshTokenResponse: notionTokenResponse,
      protectedRequest: notionVersionHeader(notionVersion),
    },
    profile: notionProfile,
  })
}
