/**
 * Google — OpenID Connect (Google Identity, "Sign in with Google" on the server side).
 *
 * Followed, as of 2026-11: "OpenID Connect" (https://developers.google.com/identity/openid-connect/openid-connect)
 * and "Using OAuth 2.0 for Web Server Applications" (https://developers.google.com/identity/protocols/oauth2/web-server).
 * Written from knowledge of those pages, not from a fresh reading: the discovery document is the
 * source of every endpoint, so only the issuer rule, `hd` and `access_type`/`prompt` come from the text.
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import type { IdTokenClaims } from '../types.js'
import { hasOpenId } from '../oauth2/config.js'
import { definePreset, withOpenId, type PresetOptions, checkPresetKeys } from './preset.js'
import { claimsProfile, refusedIssuer } from './oidc-profile.js'

const GOOGLE_ISSUER = 'https://accounts.google.com'
/** The issuer without scheme that Google's documentation says an ID token may also carry. */
const GOOGLE_BARE_ISSUER = 'accounts.google.com'

/** Google's userinfo claims (`https://openidconnect.googleapis.com/v1/userinfo`). @group Social and consumer presets */
export interface GoogleProfile {
  /** The Google account id: stable, never reused; use it, not the email, as the key. */
  sub: string
  name?: string
  given_name?: string
  family_name?: string
  picture?: string
  email?: string
  email_verified?: boolean
  locale?: string
  /** The Google Workspace domain of the account; absent for consumer (gmail) accounts. */
  hd?: string
  [claim: string]: unknown
}

/** Options of {@link google}. @group Social and consumer presets */
export interface GoogleOptions extends PresetOptions {
  /**
   * `offline` asks for a refresh token, for calling Google APIs while the user is away. Not the
   * default because a sign-in needs none (Google's own default is `online`), and Google returns a
   * refresh token only on the user's first consent for the client: later logins get none unless the
   * consent screen is shown again (`prompt: 'consent'`).
   */
  accessType?: 'online' | 'offline'
  /**
   * Google's `prompt`: `consent` forces the consent screen (and so a new refresh token with
   * `accessType: 'offline'`), `select_account` the account chooser, `none` no UI at all. Not set by
   * default: `consent` on every login is a worse experience and each new refresh token counts
   * against Google's per-user limit (the oldest are revoked); use it only to recover a lost refresh
   * token, per call with `authorizeRedirect(ctx, uri, { params: { prompt: 'consent' } })`.
   */
  prompt?: 'none' | 'consent' | 'select_account' | 'consent select_account' | (string & {})
  /**
   * Only accept accounts of this Google Workspace domain (`'*'`: any Workspace account). Sent as
   * `hd`, which Google treats as a UI hint only, so the ID token's `hd` claim is checked too (and
   * `openid` is always added to `scope`, since without an ID token there is no claim to check).
   */
  hostedDomain?: string
}

/**
 * Sign in with Google (OpenID Connect, discovery at accounts.google.com). The profile comes from
 * Google's userinfo endpoint.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { google } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'google',
 *   google({ clientId: process.env.GOOGLE_CLIENT_ID!, clientSecret: process.env.GOOGLE_CLIENT_SECRET, hostedDomain: 'example.com' }),
 * )
 * // on the callback route:
 * const token = await oauth.create('google').authorizeAccessToken({ cookies, request })
 * const { sub, email, email_verified } = await oauth.create('google').profile(token)
 * ```
 * @group Social and consumer presets
 */
export function google(
  options: GoogleOptions,
): OAuth2AppConfig & { profile: ProfileLoader<GoogleProfile> } {
  checkPresetKeys('google', options, ['accessType', 'prompt', 'hostedDomain'])
  const { accessType, prompt, hostedDomain, ...rest } = options
  const authorizeParams: Record<string, string> = {}
  if (accessType) authorizeParams.access_type = accessType
  if (prompt) authorizeParams.prompt = prompt
  if (hostedDomain) authorizeParams.hd = hostedDomain
  const config = definePreset(rest, {
    serverMetadataUrl: `${GOOGLE_ISSUER}/.well-known/openid-configuration`,
    scope: 'openid email profile',
    authorizeParams,
    idTokenIssuer: (claims: IdTokenClaims, metadataIssuer: string) => {
      // `hd` in the request is only a hint to Google's UI: the token's own `hd` decides (Google's docs).
      if (hostedDomain && !inHostedDomain(claims.hd, hostedDomain))
        return refusedIssuer('google', 'hd')
      // Google's docs: an ID token's iss is "https://accounts.google.com" or "accounts.google.com".
      return claims.iss === GOOGLE_BARE_ISSUER ? GOOGLE_BARE_ISSUER : metadataIssuer
    },
    profile: googleProfile,
  })
  // The hosted domain is checked on the ID token: a scope without openid would let any account in.
  if (hostedDomain) return { ...config, scope: withOpenId(config.scope) }
  // Without openid (API access only) there is no ID token, and no issuer to resolve.
  if (!hasOpenId(config.authorizeParams.scope ?? config.scope))
    return { ...config, idTokenIssuer: undefined }
  return config
}

function inHostedDomain(hd: unknown, wanted: string): boolean {
  if (typeof hd !== 'string' || hd === '') return false
  return wanted === '*' || hd.toLowerCase() === wanted.toLowerCase()
}

/** The userinfo claims, standard OpenID Connect. */
const googleProfile: ProfileLoader<GoogleProfile> = async (
  api,
  token,
): Promise<NormalizedProfile<GoogleProfile>> => {
  const claims = (await api.userinfo(token)) as GoogleProfile
  return claimsProfile(claims)
}
