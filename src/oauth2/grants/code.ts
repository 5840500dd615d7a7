/**
 * An authorization code obtained by another client (a native, CLI or single-page app using this app's
 * client id), exchanged here with its PKCE verifier (RFC 6749 §4.1.3, RFC 7636 §4.5): what the token
 * route does for a client that must not hold the client secret.
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import { ErrorCode, OAuthKitError } from '../../errors/error.js'
import { authorizationResponseError } from '../../errors/upstream.js'
import type { OAuth2Endpoints } from '../endpoints.js'
import { exchange } from '../login.js'
import type { OAuth2Token } from '../../types.js'

/** What `exchangeCode` needs: the code and what the authorization request was made with. @group Tokens */
export interface ExchangeCodeOptions {
  /** The authorization code. */
  code: string
  /** The redirect URI the authorization request named, exactly. */
  redirectUri: string
  /** The PKCE code verifier of the authorization request (RFC 7636): required. */
  codeVerifier: string
  /** The nonce the authorization request sent, if any: the ID token must carry it. */
  nonce?: string
  /** Extra token request parameters. */
  params?: Record<string, string>
}

/**
 * How long before the exchange a login may have started: the ID token's `iat` may not be older (the
 * code itself lives a few minutes at most).
 */
const LOGIN_WINDOW_MS = 600_000

/**
 * Exchange an authorization code for a token with the client's PKCE verifier, validating the ID token
 * (signature, issuer, audience, expiry, nonce when given). The token is returned, not handed to
 * `updateToken`: it belongs to the client that asked.
 */
export async function exchangeCode(
  app: OAuth2Endpoints,
  options: ExchangeCodeOptions,
): Promise<OAuth2Token> {
  const { name } = app
  for (const key of ['code', 'redirectUri', 'codeVerifier'] as const) {
    if (typeof options?.[key] !== 'string' || options[key] === '')
      throw new OAuthKitError(ErrorCode.INVALID_REQUEST, `${name}: exchangeCode needs ${key}`, {
        app: name,
      })
  }
  if (!URL.canParse(options.redirectUri))
    throw new OAuthKitError(
      ErrorCode.INVALID_REQUEST,
      `${name}: redirectUri is not an absolute URL`,
      { app: name },
    )
  // RFC 7636 §4.1: 43 to 128 unreserved characters.
  if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(options.codeVerifier))
    throw new OAuthKitError(
      ErrorCode.INVALID_REQUEST,
      `${name}: the code verifier must be 43 to 128 characters of A-Z, a-z, 0-9, "-", ".", "_", "~" (RFC 7636)`,
      { app: name },
    )
  const as = await app.metadata()
  const transaction = {
    app: name,
    key: '',
    redirectUri: options.redirectUri,
    codeVerifier: options.codeVerifier,
    createdAt: Date.now() - LOGIN_WINDOW_MS,
    ...(options.nonce === undefined ? {} : { nonce: options.nonce }),
  }
  // oauth4webapi exchanges only parameters it validated: the code, as the client received it. The
  // client checked the response's state and (RFC 9207) iss itself, so the expected issuer stands for it.
  const received = new URLSearchParams({ code: options.code })
  if (as.authorization_response_iss_parameter_supported) received.set('iss', as.issuer)
  let params: URLSearchParams
  try {
    params = oauth.validateAuthResponse(as, app.client, received, oauth.skipStateCheck)
  } catch (error) {
    throw authorizationResponseError(error, name)
  }
  return exchange(app, as, { ...as }, transaction, params, { params: options.params })
}
