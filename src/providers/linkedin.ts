/**
 * LinkedIn — "Sign In with LinkedIn using OpenID Connect".
 *
 * Followed, as of 2026-11: "Sign In with LinkedIn using OpenID Connect"
 * (https://learn.microsoft.com/en-us/linkedin/consumer/integrations/self-serve/sign-in-with-linkedin-v2)
 * and "Authorization Code Flow (3-legged OAuth)"
 * (https://learn.microsoft.com/en-us/linkedin/shared/authentication/authorization-code-flow). Written
 * from knowledge of those pages, not from a fresh reading.
 *
 * Quirk: LinkedIn's ID tokens carry no `nonce` even when one was sent (reported by users of several
 * OpenID Connect clients through 2025; LinkedIn documents no nonce parameter), so the preset sends
 * none (`nonce: false`) and the ID token must then carry none; `state` and the client secret still
 * bind the login.
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import { rewriteJson } from '../http/client.js'
import type { IdTokenClaims } from '../types.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'
import { claimsProfile } from './oidc-profile.js'

const ISSUER = 'https://www.linkedin.com/oauth'
/** The issuer LinkedIn's discovery document and ID tokens named until April 2024. */
const LEGACY_ISSUER = 'https://www.linkedin.com'

/** The claims of `https://api.linkedin.com/v2/userinfo`. @group Work and developer presets */
export interface LinkedInProfile {
  /** The member id for your app. */
  sub: string
  name?: string
  given_name?: string
  family_name?: string
  picture?: string
  email?: string
  email_verified?: boolean
  /** Not a BCP 47 string: `{ country: 'US', language: 'en' }`. */
  locale?: { country?: string; language?: string } | string
  [claim: string]: unknown
}

/** Options of {@link linkedin}. @group Work and developer presets */
export type LinkedInOptions = PresetOptions

/**
 * Sign In with LinkedIn using OpenID Connect (discovery at www.linkedin.com/oauth). The client
 * authenticates in the request body, PKCE and the nonce are off (LinkedIn supports neither for web
 * apps), and the profile comes from the userinfo endpoint.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { linkedin } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'linkedin',
 *   linkedin({ clientId: process.env.LINKEDIN_CLIENT_ID!, clientSecret: process.env.LINKEDIN_CLIENT_SECRET }),
 * )
 * const token = await oauth.create('linkedin').authorizeAccessToken({ cookies, request })
 * const { sub, name, email, picture } = await oauth.create('linkedin').profile(token)
 * ```
 * @group Work and developer presets
 */
export function linkedin(
  options: LinkedInOptions,
): OAuth2AppConfig & { profile: ProfileLoader<LinkedInProfile> } {
  checkPresetKeys('linkedin', options, [])
  return definePreset(options, {
    serverMetadataUrl: `${ISSUER}/.well-known/openid-configuration`,
    scope: 'openid profile email',
    // LinkedIn takes client_id and client_secret in the body only (HTTP Basic is refused).
    tokenEndpointAuthMethod: 'client_secret_post' as const,
    // LinkedIn documents PKCE for native apps it enabled it for; a web app's code_verifier is refused. Set pkce: true if yours has it.
    pkce: false,
    // LinkedIn's ID tokens never carry a nonce: send none, and require none.
    nonce: false,
    hooks: {
      // LinkedIn's discovery document named the issuer https://www.linkedin.com until April 2024, not the URL's /oauth.
      metadataResponse: (response: Response) =>
        rewriteJson(response, (doc) =>
          doc.issuer === LEGACY_ISSUER ? { ...doc, issuer: ISSUER } : doc,
        ),
    },
    // Its ID tokens named that issuer too; accept exactly the two LinkedIn has used.
    idTokenIssuer: (claims: IdTokenClaims, metadataIssuer: string) =>
      claims.iss === LEGACY_ISSUER ? LEGACY_ISSUER : metadataIssuer,
    profile: linkedinProfile,
  })
}

const linkedinProfile: ProfileLoader<LinkedInProfile> = async (
  api,
  token,
): Promise<NormalizedProfile<LinkedInProfile>> => {
  const claims = (await api.userinfo(token)) as LinkedInProfile
  return claimsProfile(claims)
}
