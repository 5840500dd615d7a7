/**
 * Salesforce — OpenID Connect on Salesforce orgs (production, sandbox, My Domain, Experience Cloud).
 *
 * Followed, as of 2026-11: "OAuth 2.0 Web Server Flow for Web App Integration"
 * (https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm), "OpenID
 * Connect Token Introspection / Discovery Endpoints" (…id=sf.remoteaccess_using_openid_discovery_endpoint.htm)
 * and "User Info Endpoint" (…id=sf.remoteaccess_using_userinfo_endpoint.htm). Written from knowledge of
 * those pages, not from a fresh reading. Unsure: whether an ID token obtained through
 * login.salesforce.com names a My Domain as its `iss` for orgs that enforce My Domain logins (the
 * preset expects the `loginUrl`'s issuer; point `loginUrl` at the My Domain then), and whether the
 * token response's `signature` is still sent on every refresh (it is checked whenever it is there).
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import type { ResponseHook } from '../types.js'
import { jsonObject } from './envelope.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'
import { claimsProfile, presetError, trimSlash } from './oidc-profile.js'

/** Salesforce's production login host. @group Work and developer presets */
export const SALESFORCE_LOGIN_URL = 'https://login.salesforce.com'
/** Salesforce's sandbox login host. @group Work and developer presets */
export const SALESFORCE_SANDBOX_URL = 'https://test.salesforce.com'

/** The claims of `/services/oauth2/userinfo` (the fields oauthkit reads). @group Work and developer presets */
export interface SalesforceProfile {
  /** The identity URL: `https://login.salesforce.com/id/{orgId}/{userId}`. */
  sub: string
  user_id?: string
  organization_id?: string
  preferred_username?: string
  nickname?: string
  name?: string
  email?: string
  email_verified?: boolean
  picture?: string
  /** The org's API URLs (`urls.rest`, `urls.custom_domain`, …). */
  urls?: Record<string, string>
  [claim: string]: unknown
}

/** Options of {@link salesforce}. @group Work and developer presets */
export interface SalesforceOptions extends PresetOptions {
  /** The consumer secret: also the key of the token response's `signature`. */
  clientSecret: string
  /**
   * The login host: {@link SALESFORCE_LOGIN_URL} (default), {@link SALESFORCE_SANDBOX_URL}, an org's
   * My Domain (`https://acme.my.salesforce.com`) or an Experience Cloud site URL. Its discovery document
   * names the endpoints and the issuer.
   */
  loginUrl?: string
}

/**
 * Check the token response's `signature`: Base64 HMAC-SHA256 of `id` + `issued_at` keyed by the consumer
 * secret, which Salesforce adds so a client can tell the identity URL came from it. A response whose
 * signature does not match is refused (`invalid_response`); one without a signature passes.
 * @group Work and developer presets
 */
export function salesforceSignature(clientSecret: string): ResponseHook {
  return async (response) => {
    if (!response.ok) return response
    const body = await jsonObject(response)
    if (typeof body?.signature !== 'string') return response
    const key = await crypto.subtle.importKey(
      'raw',
      new TextEncoder().encode(clientSecret),
      { name: 'HMAC', hash: 'SHA-256' },
      false,
      ['verify'],
    )
    const given = Uint8Array.from(atob(body.signature.replace(/\s/g, '')), (c) => c.charCodeAt(0))
    const signed = `${String(body.id ?? '')}${String(body.issued_at ?? '')}`
    const valid = await crypto.subtle
      .verify('HMAC', key, given, new TextEncoder().encode(signed))
      .catch(() => false)
    if (!valid)
      throw new OAuthKitError(
        ErrorCode.INVALID_RESPONSE,
        'salesforce: the token response signature does not match its id and issued_at (not signed with this consumer secret)',
      )
    return response
  }
}

/**
 * Salesforce (OpenID Connect, discovery at `loginUrl`). Each token names its org's API host in
 * `instance_url`: API calls with a relative URL go there (`apiBaseUrlFromToken`), so
 * `app.get('services/data/v62.0/sobjects/Account', { token })` reaches the user's org. The token
 * response's `signature` is checked with the consumer secret; the profile is the userinfo endpoint's.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { salesforce, SALESFORCE_SANDBOX_URL } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'salesforce',
 *   salesforce({ clientId: process.env.SF_CONSUMER_KEY!, clientSecret: process.env.SF_CONSUMER_SECRET!, loginUrl: SALESFORCE_SANDBOX_URL }),
 * )
 * const token = await oauth.create('salesforce').authorizeAccessToken({ cookies, request })
 * const accounts = await oauth.create('salesforce').get('services/data/v62.0/query?q=SELECT+Name+FROM+Account', { token }).json()
 * ```
 * @group Work and developer presets
 */
export function salesforce(
  options: SalesforceOptions,
): OAuth2AppConfig & { profile: ProfileLoader<SalesforceProfile> } {
  checkPresetKeys('salesforce', options, ['loginUrl'])
  const { loginUrl = SALESFORCE_LOGIN_URL, ...rest } = options
  if (typeof loginUrl !== 'string' || !URL.canParse(loginUrl))
    throw presetError(
      'salesforce',
      'loginUrl',
      'must be the login host, e.g. https://login.salesforce.com',
    )
  if (typeof rest.clientSecret !== 'string' || rest.clientSecret === '')
    throw presetError('salesforce', 'clientSecret', 'is required (the consumer secret)')
  const base = trimSlash(loginUrl)
  const signature = salesforceSignature(rest.clientSecret)
  return definePreset(rest, {
    serverMetadataUrl: `${base}/.well-known/openid-configuration`,
    scope: 'openid profile email api refresh_token',
    apiBaseUrlFromToken: 'instance_url',
    hooks: { accessTokenResponse: signature, refreshTokenResponse: signature },
    profile: salesforceProfile,
  })
}

const salesforceProfile: ProfileLoader<SalesforceProfile> = async (
  api,
  token,
): Promise<NormalizedProfile<SalesforceProfile>> =>
  claimsProfile((await api.userinfo(token)) as SalesforceProfile)
