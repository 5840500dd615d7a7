/**
 * Token introspection (RFC 7662).
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import { ErrorCode, OAuthKitError } from '../../errors/error.js'
import { toOAuthKitError } from '../../errors/upstream.js'
import { staticSecret } from '../client-auth.js'
import type { OAuth2Endpoints } from '../endpoints.js'
import { requireEndpoint } from './shared.js'

export interface IntrospectTokenOptions {
  /** The type of token given, to help the provider find it. */
  tokenTypeHint?: 'access_token' | 'refresh_token'
}

/** An introspection response (RFC 7662 §2.2). @group Tokens */
export interface TokenIntrospection {
  /** Whether the token is currently valid. All other members may be absent when it is not. */
  active: boolean
  scope?: string
  client_id?: string
  username?: string
  token_type?: string
  /** Seconds since the epoch. */
  exp?: number
  /** Seconds since the epoch. */
  iat?: number
  /** Seconds since the epoch. */
  nbf?: number
  sub?: string
  aud?: string | string[]
  iss?: string
  jti?: string
  [member: string]: unknown
}

/** Options of an RP-initiated logout. @group OAuth 2 */
/**
 * Ask the provider whether a token is active, and what it grants. Runs the app's
 * `introspectTokenRequest` hooks. An inactive, unknown or revoked token gives `{ active: false }`,
 * not an error.
 *
 * @see RFC 7662 §2, https://www.rfc-editor.org/rfc/rfc7662#section-2
 */
export async function introspectToken(
  app: OAuth2Endpoints,
  token: string,
  options: IntrospectTokenOptions = {},
): Promise<TokenIntrospection> {
  if (typeof token !== 'string' || token === '') {
    throw new OAuthKitError(
      ErrorCode.INVALID_REQUEST,
      `${app.name}: introspectToken needs a token`,
      { app: app.name },
    )
  }
  const as = await app.metadata()
  requireEndpoint(app, as, 'introspection_endpoint')
  try {
    const response = await oauth.introspectionRequest(
      as,
      app.client,
      await app.clientAuth(),
      token,
      {
        ...app.options('introspection'),
        additionalParameters: options.tokenTypeHint
          ? { token_type_hint: options.tokenTypeHint }
          : undefined,
      },
    )
    const result = await oauth.processIntrospectionResponse(as, app.client, response)
    return { ...result } as TokenIntrospection
  } catch (error) {
    throw toOAuthKitError(error, app.name, 'introspection', [token, staticSecret(app.config)])
  }
}
