/**
 * The resource owner password credentials grant (RFC 6749 §4.3): legacy, discouraged (RFC 9700 §2.4).
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import { ErrorCode, OAuthKitError } from '../../errors/error.js'
import { toOAuthKitError } from '../../errors/upstream.js'
import { staticSecret } from '../client-auth.js'
import { scopeString } from '../config.js'
import type { OAuth2Endpoints } from '../endpoints.js'
import { tokenFromResponse } from '../id-token.js'
import type { OAuth2Token, TokenContext } from '../../types.js'
import { requireOpenIdForPolicy } from './shared.js'

/** Options of a resource owner password credentials request. @group OAuth 2 */
export interface PasswordGrantOptions {
  /** Scopes to ask for; default: the app's `scope`. */
  scope?: string | string[]
  /** Extra token request parameters. */
  params?: Record<string, string>
  /** The request context, handed to `updateToken`. */
  ctx?: TokenContext
}

/**
 * Get a token with the user's username and password. The client sees the password: this grant is
 * legacy and discouraged, and must not be used (RFC 9700 §2.4); use the authorization code grant
 * with PKCE, or the device authorization grant for devices without a browser. For first-party
 * migrations only. The token is handed to `updateToken`.
 *
 * @see RFC 6749 §4.3, https://www.rfc-editor.org/rfc/rfc6749#section-4.3
 * @see RFC 9700 §2.4, https://www.rfc-editor.org/rfc/rfc9700#section-2.4
 */
export async function passwordGrant(
  app: OAuth2Endpoints,
  username: string,
  password: string,
  options: PasswordGrantOptions = {},
): Promise<OAuth2Token> {
  if (typeof username !== 'string' || username === '' || typeof password !== 'string') {
    throw new OAuthKitError(
      ErrorCode.INVALID_REQUEST,
      `${app.name}: passwordGrant needs a username and a password`,
      { app: app.name },
    )
  }
  const params = new URLSearchParams(options.params)
  params.set('username', username)
  params.set('password', password)
  const scope = scopeString(options.scope ?? app.config.scope)
  requireOpenIdForPolicy(app, scope)
  if (scope) params.set('scope', scope)
  const as = await app.metadata()
  let result: oauth.TokenEndpointResponse
  let asForToken = as
  try {
    const response = await oauth.genericTokenEndpointRequest(
      as,
      app.client,
      await app.clientAuth(),
      'password',
      params,
      app.options('token'),
    )
    asForToken = { ...as, issuer: await app.idTokens.issuerFor(response, as.issuer) }
    result = await oauth.processGenericTokenEndpointResponse(asForToken, app.client, response)
  } catch (error) {
    throw toOAuthKitError(error, app.name, 'token', [password, staticSecret(app.config)])
  }
  const token = await tokenFromResponse(app, asForToken, result)
  await app.persist(token, { reason: 'password', ctx: options.ctx })
  return token
}
