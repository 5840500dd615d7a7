/**
 * The client credentials grant (RFC 6749 §4.4): a machine-to-machine app's own token.
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import { toOAuthKitError } from '../../errors/upstream.js'
import type { OAuth2Token, TokenContext } from '../../types.js'
import { staticSecret } from '../client-auth.js'
import { scopeString } from '../config.js'
import type { OAuth2Endpoints } from '../endpoints.js'
import { toToken } from '../token.js'

/** Options of a client credentials request. @group OAuth 2 */
export interface ClientCredentialsOptions {
  /** Scopes to ask for; default: the app's `scope`. */
  scope?: string | string[]
  /** Extra token request parameters (`resource`, `audience`, …). */
  params?: Record<string, string>
  /** The request context, handed to `updateToken`. */
  ctx?: TokenContext
}

/** A new token with the client credentials grant, handed to `updateToken`. */
export async function clientCredentials(
  app: OAuth2Endpoints,
  options: ClientCredentialsOptions = {},
): Promise<OAuth2Token> {
  const as = await app.metadata()
  const params: Record<string, string> = { ...options.params }
  const scope = scopeString(options.scope ?? app.config.scope)
  if (scope) params.scope = scope
  let result: oauth.TokenEndpointResponse
  try {
    const response = await oauth.clientCredentialsGrantRequest(
      as,
      app.client,
      await app.clientAuth(),
      params,
      app.options('token'),
    )
    result = await oauth.processClientCredentialsResponse(as, app.client, response)
  } catch (error) {
    throw toOAuthKitError(error, app.name, 'token', [staticSecret(app.config)])
  }
  const token = toToken(result)
  await app.persist(token, { reason: 'client_credentials', ctx: options.ctx })
  return token
}
