/**
 * Amazon Cognito user pools — OpenID Connect through a user pool's domain (the managed login / hosted
 * UI).
 *
 * Followed, as of 2026-11: "User pool endpoints and managed login reference"
 * (https://docs.aws.amazon.com/cognito/latest/developerguide/cognito-userpools-server-contract-reference.html),
 * "The logout endpoint" (…/developerguide/logout-endpoint.html), "The userInfo endpoint"
 * (…/developerguide/userinfo-endpoint.html) and "Understanding the identity (ID) token"
 * (…/developerguide/amazon-cognito-user-pools-using-the-id-token.html). Written from knowledge of those
 * pages, not from a fresh reading. Unsure: whether a pool's discovery document now lists an
 * `end_session_endpoint` (the preset names `/logout` explicitly either way), and whether `/logout`
 * accepts `id_token_hint` (it is not documented; the hook leaves it out rather than put an ID token
 * in a URL nobody reads).
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import type { UrlHook } from '../types.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'
import { claimsProfile, presetError, trimSlash } from './oidc-profile.js'

/** The claims of a pool's userInfo endpoint (the fields oauthkit reads). @group Identity platform presets */
export interface CognitoProfile {
  /** The user's id in the pool (a UUID). */
  sub: string
  username?: string
  email?: string
  /** A string, `"true"` or `"false"`, from the userInfo endpoint; a boolean in the ID token. */
  email_verified?: boolean | 'true' | 'false'
  phone_number?: string
  phone_number_verified?: boolean | 'true' | 'false'
  name?: string
  picture?: string
  /** Groups and the pool's own attributes come as `cognito:groups`, `custom:…`. */
  [claim: string]: unknown
}

/** Options of {@link cognito}. @group Identity platform presets */
export interface CognitoOptions extends PresetOptions {
  /** The user pool id, `<region>_<id>` (e.g. `eu-west-1_AbCdEf123`): the issuer is derived from it. */
  userPoolId: string
  /**
   * The pool's domain: `https://<prefix>.auth.<region>.amazoncognito.com` or a custom domain
   * (`https://auth.example.com`). The login, token, userInfo and logout endpoints live there.
   */
  domain: string
}

/**
 * Cognito's `/logout` takes `logout_uri` (a sign-out URL registered with the app client) and
 * `client_id`, not OpenID Connect's `post_logout_redirect_uri`, `state` and `id_token_hint`: rename
 * the first and drop the ID token, which `/logout` does not document.
 * @group Identity platform presets
 */
export const cognitoLogoutUrl: UrlHook = (url) => {
  const target = url.searchParams.get('post_logout_redirect_uri')
  url.searchParams.delete('post_logout_redirect_uri')
  url.searchParams.delete('id_token_hint')
  if (target !== null) url.searchParams.set('logout_uri', target)
}

/**
 * Amazon Cognito user pool (OpenID Connect, discovery at
 * `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`; the endpoints at the pool's `domain`).
 * Sign-out uses `/logout` with `logout_uri`; `email_verified` sent as a string is read as a boolean.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { cognito } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'cognito',
 *   cognito({ userPoolId: 'eu-west-1_AbCdEf123', domain: 'https://acme.auth.eu-west-1.amazoncognito.com', clientId: process.env.COGNITO_CLIENT_ID!, clientSecret: process.env.COGNITO_CLIENT_SECRET }),
 * )
 * // Sign-out: the URL must be one of the app client's "Allowed sign-out URLs".
 * return oauth.create('cognito').logoutRedirect({ postLogoutRedirectUri: 'https://app.example/' })
 * ```
 * @group Identity platform presets
 */
export function cognito(
  options: CognitoOptions,
): OAuth2AppConfig & { profile: ProfileLoader<CognitoProfile> } {
  checkPresetKeys('cognito', options, ['userPoolId', 'domain'])
  const { userPoolId, domain, ...rest } = options
  const region = /^([a-z]{2}(?:-[a-z]+)+-\d+)_[A-Za-z0-9]+$/.exec(
    typeof userPoolId === 'string' ? userPoolId : '',
  )?.[1]
  if (!region)
    throw presetError(
      'cognito',
      'userPoolId',
      'must be the pool id, <region>_<id> (e.g. eu-west-1_AbCdEf123)',
    )
  if (typeof domain !== 'string' || !/^https:\/\//i.test(domain) || !URL.canParse(domain))
    throw presetError(
      'cognito',
      'domain',
      'must be the pool domain URL, e.g. https://acme.auth.eu-west-1.amazoncognito.com',
    )
  const base = trimSlash(domain)
  const issuer = `https://cognito-idp.${region}.amazonaws.com/${userPoolId}`
  return definePreset(rest, {
    serverMetadataUrl: `${issuer}/.well-known/openid-configuration`,
    authorizeUrl: `${base}/oauth2/authorize`,
    accessTokenUrl: `${base}/oauth2/token`,
    userinfoEndpoint: `${base}/oauth2/userInfo`,
    revocationEndpoint: `${base}/oauth2/revoke`,
    endSessionEndpoint: `${base}/logout`,
    scope: 'openid email profile',
    hooks: { logoutUrl: cognitoLogoutUrl },
    profile: cognitoProfile,
  })
}

const cognitoProfile: ProfileLoader<CognitoProfile> = async (
  api,
  token,
): Promise<NormalizedProfile<CognitoProfile>> =>
  // userInfo sends email_verified as "true"/"false"; claimsProfile reads both forms.
  claimsProfile((await api.userinfo(token)) as CognitoProfile)
