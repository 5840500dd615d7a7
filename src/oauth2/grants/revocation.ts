/**
 * Token revocation (RFC 7009).
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import { ErrorCode, OAuthKitError } from '../../errors/error.js'
import { toOAuthKitError } from '../../errors/upstream.js'
import { staticSecret } from '../client-auth.js'
import type { OAuth2Endpoints } from '../endpoints.js'
import type { OAuth2Token } from '../../types.js'
import { requireEndpoint } from './shared.js'

export interface RevokeTokenOptions {
  /**
   * The type of token given. With a token object, also which of its tokens to revoke
   * (default: the refresh token when it has one).
   */
  tokenTypeHint?: 'access_token' | 'refresh_token'
}

/** Options of an introspection request. @group Tokens */
/**
 * Revoke a token at the provider. Given a token object, revokes its refresh token when it has one
 * (which ends the whole grant at most providers), else its access token, and sends the matching
 * `token_type_hint`. Runs the app's `revokeTokenRequest` hooks. Resolves once the provider accepted
 * the request; revoking an unknown or already revoked token also succeeds (RFC 7009 §2.2).
 *
 * @see RFC 7009 §2, https://www.rfc-editor.org/rfc/rfc7009#section-2
 */
export async function revokeToken(
  app: OAuth2Endpoints,
  token: string | OAuth2Token,
  options: RevokeTokenOptions = {},
): Promise<void> {
  let value: unknown = token
  let hint = options.tokenTypeHint
  if (typeof token === 'object' && token !== null) {
    hint ??= token.refresh_token ? 'refresh_token' : 'access_token'
    value = hint === 'refresh_token' ? token.refresh_token : token.access_token
  }
  if (typeof value !== 'string' || value === '') {
    throw new OAuthKitError(
      ErrorCode.INVALID_REQUEST,
      `${app.name}: revokeToken got no ${hint ?? 'token'} to revoke`,
      { app: app.name },
    )
  }
  const as = await app.metadata()
  requireEndpoint(app, as, 'revocation_endpoint')
  try {
    const response = await oauth.revocationRequest(as, app.client, await app.clientAuth(), value, {
      ...app.options('revocation'),
      additionalParameters: hint ? { token_type_hint: hint } : undefined,
    })
    await oauth.processRevocationResponse(response)
  } catch (error) {
    throw toOAuthKitError(error, app.name, 'revocation', [value, staticSecret(app.config)])
  }
}
