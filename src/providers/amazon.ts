/**
 * Login with Amazon — OAuth 2.0 (no OpenID Connect), per region.
 *
 * Followed, as of 2026-11: "Login with Amazon: Authorization Code Grant"
 * (https://developer.amazon.com/docs/login-with-amazon/authorization-code-grant.html) and "Obtain
 * Customer Profile Information" (https://developer.amazon.com/docs/login-with-amazon/obtain-customer-profile.html).
 * Written from knowledge of those pages, not from a fresh reading. Unsure: whether the profile endpoint's
 * 401 carries an RFC 6750 challenge (the core refreshes only on one), and whether the regional hosts
 * below are still all three (NA, EU, FE).
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'
import { presetError } from './oidc-profile.js'

/** `GET https://api.amazon.com/user/profile` (scope `profile`). @group Social and consumer presets */
export interface AmazonProfile {
  /** `amzn1.account.…`: the customer's id for this app's security profile. */
  user_id: string
  name?: string
  email?: string
  /** With scope `postal_code`. */
  postal_code?: string
  [field: string]: unknown
}

/** Options of {@link amazon}. @group Social and consumer presets */
export interface AmazonOptions extends PresetOptions {
  /**
   * Where the customer's account lives: `na` (default, amazon.com), `eu` (amazon.co.uk) or `fe`
   * (amazon.co.jp). Each region has its own authorize and token hosts.
   */
  region?: 'na' | 'eu' | 'fe'
}

const REGIONS = {
  na: { authorize: 'https://www.amazon.com/ap/oa', api: 'https://api.amazon.com' },
  eu: { authorize: 'https://eu.account.amazon.com/ap/oa', api: 'https://api.amazon.co.uk' },
  fe: { authorize: 'https://apac.account.amazon.com/ap/oa', api: 'https://api.amazon.co.jp' },
} as const

/**
 * Login with Amazon. The authorize and token hosts depend on the customer's `region`; the client
 * secret goes in the body, as documented; the profile is `/user/profile`. Amazon does not say whether
 * the address was verified, so `email_verified` stays unset.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { amazon } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'amazon',
 *   amazon({ clientId: process.env.AMAZON_CLIENT_ID!, clientSecret: process.env.AMAZON_CLIENT_SECRET, region: 'eu' }),
 * )
 * const { sub, name, email } = await oauth.create('amazon').profile(token)
 * ```
 * @group Social and consumer presets
 */
export function amazon(
  options: AmazonOptions,
): OAuth2AppConfig & { profile: ProfileLoader<AmazonProfile> } {
  checkPresetKeys('amazon', options, ['region'])
  const { region = 'na', ...rest } = options
  const hosts = Object.hasOwn(REGIONS, region) ? REGIONS[region] : undefined
  if (!hosts) throw presetError('amazon', 'region', 'must be "na", "eu" or "fe"')
  return definePreset(rest, {
    authorizeUrl: hosts.authorize,
    accessTokenUrl: `${hosts.api}/auth/o2/token`,
    apiBaseUrl: hosts.api,
    scope: 'profile',
    // Amazon documents client_id and client_secret as body parameters of the token request.
    tokenEndpointAuthMethod: rest.clientSecret
      ? ('client_secret_post' as const)
      : ('none' as const),
    profile: amazonProfile,
  })
}

const amazonProfile: ProfileLoader<AmazonProfile> = async (
  api,
  token,
): Promise<NormalizedProfile<AmazonProfile>> => {
  const user = await api.getJson<AmazonProfile>('user/profile', token)
  const profile: NormalizedProfile<AmazonProfile> = { sub: user.user_id, raw: user }
  if (user.name) profile.name = user.name
  if (user.email) profile.email = user.email
  return profile
}
