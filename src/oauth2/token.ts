/**
 * Token responses as oauthkit hands them to apps.
 *
 * @module
 */
import type * as oauth from 'oauth4webapi'
import type { IdTokenClaims, OAuth2Token } from '../types.js'

/** Token response → token with wire names, `expires_at` computed, `userinfo` = validated claims. */
export function toToken(result: oauth.TokenEndpointResponse, claims?: IdTokenClaims): OAuth2Token {
  const token: OAuth2Token = {
    ...(result as Record<string, unknown>),
    access_token: result.access_token,
    token_type: result.token_type,
  }
  if (typeof result.expires_in === 'number')
    token.expires_at = Math.floor(Date.now() / 1000) + result.expires_in
  if (claims) token.userinfo = { ...claims }
  return token
}
