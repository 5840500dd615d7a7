/**
 * Dropbox — OAuth 2.0 (authorization code with PKCE, scoped apps), API v2.
 *
 * Followed, as of 2026-11: "OAuth Guide" (developers.dropbox.com/oauth-guide), the HTTP API
 * reference for `/oauth2/authorize`, `/oauth2/token` and `users/get_current_account`
 * (dropbox.com/developers/documentation/http/documentation), whose RPC endpoints are all `POST`; an
 * endpoint without arguments takes no body (or the JSON `null`). Short-lived access tokens (4 h) only
 * come with a refresh token when the authorization asked `token_access_type=offline`.
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import type { RequestHook } from '../types.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'

const DROPBOX_API = 'https://api.dropboxapi.com/2'

/** The account as `POST /2/users/get_current_account` returns it (the fields oauthkit reads). @group Work and developer presets */
export interface DropboxProfile {
  /** `dbid:…`, stable. */
  account_id: string
  name: {
    given_name: string
    surname: string
    familiar_name: string
    display_name: string
    abbreviated_name: string
  }
  email: string
  email_verified: boolean
  profile_photo_url?: string
  disabled: boolean
  country?: string
  locale?: string
  [field: string]: unknown
}

/** Options of {@link dropbox}. @group Work and developer presets */
export interface DropboxOptions extends PresetOptions {
  /**
   * `offline` (default) returns a refresh token alongside the short-lived access token; `online` only
   * the access token. (`legacy` long-lived tokens are being retired by Dropbox.)
   */
  tokenAccessType?: 'offline' | 'online' | 'legacy'
}

/**
 * Dropbox's RPC endpoints are all `POST` (no `GET` is ever valid at api.dropboxapi.com/2), and the
 * profile loader and `app.get()` send `GET`: turn such a call into a bodiless `POST`, which Dropbox
 * takes as "no arguments".
 * @group Work and developer presets
 */
export const dropboxRpcPost: RequestHook = (request) => {
  if (request.method !== 'GET' || !request.url.startsWith(`${DROPBOX_API}/`)) return
  const headers = new Headers(request.headers)
  headers.delete('content-type')
  return new Request(request.url, { method: 'POST', headers, signal: request.signal })
}

/** `users/get_current_account` (an RPC call: POST, no body). */
const dropboxProfile: ProfileLoader<DropboxProfile> = async (api, token) => {
  const account = await api.getJson<DropboxProfile>('users/get_current_account', token)
  const profile: NormalizedProfile<DropboxProfile> = {
    sub: account.account_id,
    raw: account,
    name: account.name.display_name,
  }
  if (account.email) {
    profile.email = account.email
    profile.email_verified = account.email_verified === true
  }
  if (account.profile_photo_url) profile.picture = account.profile_photo_url
  return profile
}

/**
 * Sign in with Dropbox (scoped app).
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { dropbox, type DropboxProfile } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret }).register('dropbox', dropbox({ clientId: appKey, clientSecret: appSecret, scope: 'account_info.read files.metadata.read' }))
 * const profile = await oauth.create('dropbox').profile(token)
 * const country = (profile.raw as DropboxProfile).country
 * const files = await oauth.create('dropbox').post('files/list_folder', { token, json: { path: '' } }).json()
 * ```
 * @group Work and developer presets
 */
export function dropbox(
  options: DropboxOptions,
): OAuth2AppConfig & { profile: ProfileLoader<DropboxProfile> } {
  checkPresetKeys('dropbox', options, ['tokenAccessType'])
  const { tokenAccessType = 'offline', ...rest } = options
  return definePreset(rest, {
    authorizeUrl: 'https://www.dropbox.com/oauth2/authorize',
    accessTokenUrl: 'https://api.dropboxapi.com/oauth2/token',
    apiBaseUrl: DROPBOX_API,
    // What the profile needs; without `scope` Dropbox grants every scope the app is configured with.
    scope: 'account_info.read',
    // Only `offline` yields a refresh token for the 4-hour access tokens.
    authorizeParams: { token_access_type: tokenAccessType },
    hooks: { protectedRequest: dropboxRpcPost },
    profile: dropboxProfile,
  })
}
