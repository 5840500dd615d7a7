/**
 * Token exchange (RFC 8693): a token for another audience, resource or scope, or on behalf of a subject.
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
import type { OAuth2Token } from '../../types.js'

const TOKEN_EXCHANGE_GRANT = 'urn:ietf:params:oauth:grant-type:token-exchange'

/**
 * A token exchange request (RFC 8693 §2.1). Token types are URIs such as
 * `urn:ietf:params:oauth:token-type:access_token`, `…:refresh_token`, `…:id_token` or `…:jwt`.
 *
 * @group Token exchange
 */
export interface TokenExchangeOptions {
  /** The token that represents the party on whose behalf the request is made. */
  subjectToken: string
  /** The type of `subjectToken`. */
  subjectTokenType: string
  /** A token that represents the acting party (delegation). */
  actorToken?: string
  /** The type of `actorToken`; required with it. */
  actorTokenType?: string
  /** The type of token wanted. */
  requestedTokenType?: string
  /** Logical names of the services the token is for. */
  audience?: string | string[]
  /** URIs of the resources the token is for (RFC 8707). */
  resource?: string | string[]
  /** Scopes wanted for the new token. */
  scope?: string | string[]
  /** Extra token request parameters. */
  params?: Record<string, string>
}

/**
 * The token a token exchange issued. When it is not an access token, `token_type` is `n_a` and
 * `access_token` holds the issued token anyway (RFC 8693 §2.2.1).
 *
 * @group Token exchange
 */
export interface ExchangedToken extends OAuth2Token {
  /** The type of the issued token, e.g. `urn:ietf:params:oauth:token-type:access_token`. */
  issued_token_type?: string
}

/** Options of a revocation request. @group Tokens */
/**
 * Exchange a token for another one: for another audience or resource, with fewer scopes, or to act
 * on behalf of the subject (delegation, impersonation). A `token_type` of `N_A` (the issued token is
 * not an access token) is accepted here only. The new token is returned, not handed to
 * `updateToken`: it is not the app's own token.
 *
 * @see RFC 8693 §2, https://www.rfc-editor.org/rfc/rfc8693#section-2
 */
export async function tokenExchange(
  app: OAuth2Endpoints,
  options: TokenExchangeOptions,
): Promise<ExchangedToken> {
  const invalid = (problem: string) =>
    new OAuthKitError(ErrorCode.INVALID_REQUEST, `${app.name}: tokenExchange ${problem}`, {
      app: app.name,
    })
  if (typeof options?.subjectToken !== 'string' || options.subjectToken === '')
    throw invalid('needs a subjectToken')
  if (typeof options.subjectTokenType !== 'string' || options.subjectTokenType === '')
    throw invalid('needs a subjectTokenType')
  if (options.actorToken !== undefined && !options.actorTokenType)
    throw invalid('needs actorTokenType with actorToken (RFC 8693 §2.1)')
  if (options.actorTokenType !== undefined && options.actorToken === undefined)
    throw invalid('got actorTokenType without actorToken (RFC 8693 §2.1)')

  const params = new URLSearchParams(options.params)
  params.set('subject_token', options.subjectToken)
  params.set('subject_token_type', options.subjectTokenType)
  if (options.actorToken !== undefined) {
    params.set('actor_token', options.actorToken)
    params.set('actor_token_type', options.actorTokenType!)
  }
  if (options.requestedTokenType) params.set('requested_token_type', options.requestedTokenType)
  for (const [name, value] of [
    ['audience', options.audience],
    ['resource', options.resource],
  ] as const) {
    if (value === undefined) continue
    params.delete(name)
    for (const item of Array.isArray(value) ? value : [value]) params.append(name, item)
  }
  const scope = scopeString(options.scope)
  if (scope) params.set('scope', scope)

  const as = await app.metadata()
  let result: oauth.TokenEndpointResponse
  try {
    const response = await oauth.genericTokenEndpointRequest(
      as,
      app.client,
      await app.clientAuth(),
      TOKEN_EXCHANGE_GRANT,
      params,
      app.options('token'),
    )
    // RFC 8693 §2.2.1: "N_A" when the issued token is not an access token (oauth4webapi lower-cases it).
    result = await oauth.processGenericTokenEndpointResponse(as, app.client, response, {
      recognizedTokenTypes: { n_a: () => {} },
    })
  } catch (error) {
    throw toOAuthKitError(error, app.name, 'token', [
      options.subjectToken,
      options.actorToken,
      staticSecret(app.config),
    ])
  }
  return tokenFromResponse(app, as, result)
}
