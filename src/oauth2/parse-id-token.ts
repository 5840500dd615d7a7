/**
 * `parseIdToken`: the full validation of an ID token the app got some other way than its own login
 * (a native app or a one-tap widget handed it over), Authlib's `parse_id_token`.
 *
 * @module
 */
import * as jose from 'jose'
import { checkKnownKeys } from '../config-keys.js'
import { ErrorCode, OAuthKitError, isOAuthKitError } from '../errors/error.js'
import type { IdTokenClaims } from '../types.js'
import type { OAuth2Endpoints } from './endpoints.js'
import { DEFAULT_CLOCK_TOLERANCE } from './id-token.js'
import { UNKNOWN_ISSUER } from './metadata.js'

/** Options of {@link OAuth2App.parseIdToken}. @group OAuth 2 */
export interface ParseIdTokenOptions {
  /**
   * The nonce sent with the authorization request the token answers: the token must carry exactly
   * it. `false` skips the check, for a token from a flow without a nonce; say so explicitly, as a
   * token without a nonce check can be replayed from any other login to this client.
   */
  nonce: string | false
  /** The `max_age` the request sent, in seconds: the token's `auth_time` must then be recent enough. */
  maxAge?: number
}

const OPTION_KEYS = ['nonce', 'maxAge'] as const satisfies ReadonlyArray<keyof ParseIdTokenOptions>

/** Validate `idToken` as the login would: signature, alg, typ, iss, aud/azp, exp, iat, sub, nonce, auth_time. */
export async function parseIdToken(
  app: OAuth2Endpoints,
  idToken: string,
  options: ParseIdTokenOptions,
): Promise<IdTokenClaims> {
  const { name, config } = app
  const invalid = (code: ErrorCode, why: string) =>
    new OAuthKitError(code, `${name}: ${why}`, { app: name })
  if (typeof options !== 'object' || options === null)
    throw invalid(
      ErrorCode.INVALID_REQUEST,
      'parseIdToken needs options: { nonce } (or nonce: false)',
    )
  checkKnownKeys(name, 'parseIdToken options', options, OPTION_KEYS)
  const { nonce, maxAge } = options
  if (nonce !== false && (typeof nonce !== 'string' || nonce === ''))
    throw invalid(
      ErrorCode.INVALID_REQUEST,
      'parseIdToken: nonce must be the nonce the request sent, or false to skip the check',
    )
  if (maxAge !== undefined && !(Number.isInteger(maxAge) && maxAge >= 0))
    throw invalid(
      ErrorCode.INVALID_REQUEST,
      'parseIdToken: maxAge must be a whole number of seconds',
    )
  if (typeof idToken !== 'string' || idToken === '')
    throw invalid(
      ErrorCode.ID_TOKEN_INVALID,
      'parseIdToken: the ID token must be a non-empty string',
    )
  const as = await app.metadata()
  if (as.issuer === UNKNOWN_ISSUER)
    throw invalid(
      ErrorCode.CONFIG_INVALID,
      'parseIdToken needs the issuer: set issuer or serverMetadataUrl',
    )
  let issuer = as.issuer
  if (config.idTokenIssuer) {
    let unverified: IdTokenClaims
    try {
      unverified = jose.decodeJwt(idToken) as IdTokenClaims
    } catch {
      throw invalid(ErrorCode.ID_TOKEN_INVALID, 'the ID token is not a JWT')
    }
    try {
      issuer = config.idTokenIssuer(unverified, as.issuer)
    } catch (error) {
      if (isOAuthKitError(error)) throw error
      throw invalid(ErrorCode.ID_TOKEN_INVALID, 'idTokenIssuer refused the ID token')
    }
  }
  const claims = (await app.idTokens.verify({ ...as, issuer }, idToken)) as IdTokenClaims
  if (nonce !== false && claims.nonce !== nonce)
    throw invalid(ErrorCode.ID_TOKEN_INVALID, 'the ID token nonce is not the one expected')
  if (maxAge !== undefined) {
    const tolerance = config.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE
    // OIDC Core §3.1.2.1: with max_age, auth_time is required and says when the user last authenticated.
    if (typeof claims.auth_time !== 'number')
      throw invalid(ErrorCode.ID_TOKEN_INVALID, 'the ID token has no auth_time, required by maxAge')
    if (claims.auth_time + maxAge + tolerance < Date.now() / 1000)
      throw invalid(
        ErrorCode.ID_TOKEN_INVALID,
        'the user authenticated too long ago (auth_time older than maxAge)',
      )
  }
  return claims
}
