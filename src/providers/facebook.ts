/**
 * Facebook Login (Meta) — OAuth 2.0 "manual flow" and the Graph API; no OpenID Connect here
 * (Facebook's OIDC is the Limited Login ID token of its mobile SDKs).
 *
 * Followed, as of 2026-11: "Manually Build a Login Flow"
 * (developers.facebook.com/docs/facebook-login/guides/advanced/manual-flow), "Graph API: User"
 * (developers.facebook.com/docs/graph-api/reference/user), "Securing Graph API Requests"
 * (developers.facebook.com/docs/graph-api/securing-requests) and the Graph API changelog.
 * Unsure: the newest Graph version. v26.0 is the newest I can vouch for being served (Meta ships a
 * version every few months and retires each about two years later): pin `graphVersion` to the
 * version your app is configured for. The mapping of Graph error codes to OAuth error codes below is
 * mine (Facebook documents the error object, not an OAuth mapping).
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

/** The Graph API version the preset uses unless told otherwise. @group Social and consumer presets */
export const FACEBOOK_GRAPH_VERSION = 'v26.0'

/** The user as `GET /me?fields=id,name,email,picture` returns it. @group Social and consumer presets */
export interface FacebookProfile {
  /** App-scoped user id (differs per app for the same person). */
  id: string
  name?: string
  /** Absent when the user has no usable email or did not grant `email`. */
  email?: string
  picture?: { data: { url: string; width?: number; height?: number; is_silhouette?: boolean } }
  [field: string]: unknown
}

/** Options of {@link facebook}. @group Social and consumer presets */
export interface FacebookOptions extends PresetOptions {
  /** Graph API version in the paths, e.g. `'v26.0'`. Default {@link FACEBOOK_GRAPH_VERSION}. */
  graphVersion?: string
  /**
   * Sign every Graph call with `appsecret_proof` (HMAC-SHA256 of the access token keyed with the app
   * secret), which an app with "Require App Secret" enabled demands. Default: on when there is a
   * `clientSecret`.
   */
  appsecretProof?: boolean
  /** The `/me` fields the profile reads. Default `['id', 'name', 'email', 'picture']`. */
  fields?: string[]
}

/** A Graph API error body: `{ error: { message, type, code, error_subcode, fbtrace_id } }`. */
interface GraphError {
  message?: string
  type?: string
  code?: number
  error_subcode?: number
}

/**
 * The token endpoint reports errors as a Graph error object (`{ error: { message, type, code } }`),
 * not RFC 6749 §5.2's `{ error: "<code>" }`: rewrite it so the caller gets `token_error` with an
 * OAuth error code (101/"client secret" → `invalid_client`, 100 → `invalid_grant`).
 * @group Social and consumer presets
 */
export const facebookTokenResponse: ResponseHook = async (response) => {
  if (response.ok) return response
  const body = (await response
    .clone()
    .json()
    .catch(() => null)) as { error?: unknown } | null
  const graph = body?.error
  if (typeof graph !== 'object' || graph === null) return response
  const { message = '', code } = graph as GraphError
  const error =
    code === 101 || /client[ _]secret|application/i.test(message)
      ? 'invalid_client'
      : code === 100 || code === 190
        ? 'invalid_grant'
        : 'invalid_request'
  return Response.json(
    { error, error_description: message },
    { status: response.status >= 400 ? response.status : 400 },
  )
}

async function hmacSha256Hex(key: string, data: string): Promise<string> {
  const encoder = new TextEncoder()
  const cryptoKey = await crypto.subtle.importKey(
    'raw',
    encoder.encode(key),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', cryptoKey, encoder.encode(data)))
  return Array.from(mac, (b) => b.toString(16).padStart(2, '0')).join('')
}

/**
 * A `protectedRequest` hook adding `appsecret_proof` to Graph API calls (not to other hosts), from the
 * access token the request carries.
 * @group Social and consumer presets
 */
export function facebookAppsecretProof(
  clientSecret: NonNullable<OAuth2AppConfig['clientSecret']>,
): RequestHook {
  return async (request) => {
    const url = new URL(request.url)
    if (url.hostname !== 'graph.facebook.com' || url.searchParams.has('appsecret_proof')) return
    const token =
      /^Bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1] ??
      url.searchParams.get('access_token')
    if (!token) return
    const secret = typeof clientSecret === 'function' ? await clientSecret() : clientSecret
    url.searchParams.set('appsecret_proof', await hmacSha256Hex(secret, token))
    return new Request(url, request)
  }
}

/** `/me` with explicit fields (the Graph API returns only `id` and `name` unless asked). */
function facebookProfile(fields: string[]): ProfileLoader<FacebookProfile> {
  return async (api, token) => {
    const me = await api.getJson<FacebookProfile>(
      `me?fields=${encodeURIComponent(fields.join(','))}`,
      token,
    )
    const profile: NormalizedProfile<FacebookProfile> = { sub: me.id, raw: me }
    if (me.name) profile.name = me.name
    // No email when the user has none usable or declined `email`; Facebook does not say whether it is verified.
    if (me.email) profile.email = me.email
    // The grey silhouette is Facebook's placeholder, not the user's picture.
    const picture = me.picture?.data
    if (picture?.url && !picture.is_silhouette) profile.picture = picture.url
    return profile
  }
}

/**
 * Facebook Login through the Graph API.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { facebook, type FacebookProfile } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret }).register('facebook', facebook({ clientId: appId, clientSecret: appSecret, graphVersion: 'v26.0' }))
 * const profile = await oauth.create('facebook').profile(token)
 * const raw = profile.raw as FacebookProfile // the /me fields as sent
 * ```
 * @group Social and consumer presets
 */
export function facebook(
  options: FacebookOptions,
): OAuth2AppConfig & { profile: ProfileLoader<FacebookProfile> } {
  checkPresetKeys('facebook', options, ['graphVersion', 'appsecretProof', 'fields'])
  const {
    graphVersion = FACEBOOK_GRAPH_VERSION,
    appsecretProof,
    fields = ['id', 'name', 'email', 'picture'],
    ...rest
  } = options
  const version = graphVersion.startsWith('v') ? graphVersion : `v${graphVersion}`
  const graph = `https://graph.facebook.com/${version}`
  const sign = appsecretProof ?? rest.clientSecret !== undefined
  if (sign && rest.clientSecret === undefined)
    throw configError(
      'facebook',
      'appsecretProof',
      'needs clientSecret (the proof is keyed with the app secret)',
    )
  const authMethod: TokenEndpointAuthMethod =
    rest.clientSecret === undefined ? 'none' : 'client_secret_post'
  return definePreset(rest, {
    authorizeUrl: `https://www.facebook.com/${version}/dialog/oauth`,
    accessTokenUrl: `${graph}/oauth/access_token`,
    apiBaseUrl: graph,
    scope: 'public_profile email',
    // The manual flow documents client_id and client_secret as request parameters, not HTTP Basic.
    tokenEndpointAuthMethod: authMethod,
    hooks: {
      accessTokenResponse: facebookTokenResponse,
      refreshTokenResponse: facebookTokenResponse,
      ...(sign && { protectedRequest: facebookAppsecretProof(rest.clientSecret!) }),
    },
    profile: facebookProfile(fields),
  })
}
