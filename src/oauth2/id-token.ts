/**
 * ID token checks beyond oauth4webapi's claim validation: the JWS signature against the provider's
 * JWKS (or the client secret for HS*), the allowed algorithms, the token's type, its `sub`, `iat`
 * and audiences, and the issuer an app's `idTokenIssuer` names for a token (multi-tenant).
 *
 * @module
 */
import * as jose from 'jose'
import * as oauth from 'oauth4webapi'
import { ErrorCode, OAuthKitError, isOAuthKitError } from '../errors/error.js'
import { providerText } from '../errors/provider-text.js'
import { sanitize, toOAuthKitError } from '../errors/upstream.js'
import type { HttpClient } from '../http/client.js'
import type { IdTokenClaims, OAuth2Token } from '../types.js'
import { currentSecret } from './client-auth.js'
import type { OAuth2AppConfig } from './config.js'
import type { IdTokenChecks, OAuth2Endpoints } from './endpoints.js'
import { JwksCache } from './jwks.js'
import { toToken } from './token.js'

/** Seconds of clock difference tolerated on `exp`, `iat` and `auth_time` unless the app sets `clockTolerance`. */
export const DEFAULT_CLOCK_TOLERANCE = 30

/** The ID token checks of one app. */
export class IdTokenVerifier implements IdTokenChecks {
  readonly #name: string
  readonly #config: Readonly<OAuth2AppConfig>
  readonly #http: HttpClient
  #jwks?: JwksCache

  constructor(name: string, config: Readonly<OAuth2AppConfig>, http: HttpClient) {
    this.#name = name
    this.#config = config
    this.#http = http
  }

  /**
   * The issuer an ID token must carry: the metadata issuer, or what the app's `idTokenIssuer` says
   * for this token (read from a copy of the response; the token is validated against it after).
   */
  async issuerFor(response: Response, issuer: string): Promise<string> {
    const resolve = this.#config.idTokenIssuer
    if (!resolve || !response.ok) return issuer
    try {
      const body = (await response.clone().json()) as { id_token?: unknown }
      if (typeof body.id_token !== 'string') return issuer
      return resolve(jose.decodeJwt(body.id_token) as IdTokenClaims, issuer)
    } catch (error) {
      // A resolver that refuses the token (wrong tenant) says why; a malformed token fails validation next.
      if (isOAuthKitError(error)) throw error
      return issuer
    }
  }

  /**
   * Verify the ID token's JWS signature with the provider's JWKS (or the client secret for HS*),
   * only with the algorithms the client or provider allows; `none` is never accepted. Also refuses an
   * explicitly typed JWT (`at+jwt`, …), an empty `sub`, an `iat` in the future and extra audiences.
   */
  async verify(as: oauth.AuthorizationServer, idToken: string): Promise<void> {
    const name = this.#name
    const config = this.#config
    const allowed = (
      config.idTokenSignedResponseAlg
        ? [config.idTokenSignedResponseAlg]
        : (as.id_token_signing_alg_values_supported ?? ['RS256'])
    ).filter((a) => a !== 'none')
    const tolerance = config.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE
    const refuse = (why: string) =>
      new OAuthKitError(ErrorCode.ID_TOKEN_INVALID, `${name}: ${why}`, { app: name })
    try {
      const { alg, typ } = jose.decodeProtectedHeader(idToken)
      if (typeof alg !== 'string' || !allowed.includes(alg))
        throw refuse(`the ID token alg "${providerText(String(alg), [], 20) ?? ''}" is not allowed`)
      // RFC 8725 §3.11, RFC 9068 §4: an explicitly typed JWT (`at+jwt`, `logout+jwt`, …) is another kind of token, never an ID token.
      if (typeof typ === 'string' && /\+jwt$/i.test(typ))
        throw refuse(
          `the JWT offered as an ID token is typed "${providerText(typ, [], 40) ?? ''}", another kind of token`,
        )
      const claims = jose.decodeJwt(idToken)
      // OIDC Core §2: sub is a non-empty identifier; an empty one would match every account keyed on it.
      if (claims.sub === '') throw refuse('the ID token has an empty sub')
      // OIDC Core §2: iat is when the token was issued; one from the future (beyond the clock tolerance) is forged or mis-clocked.
      if (typeof claims.iat === 'number' && claims.iat > Date.now() / 1000 + tolerance) {
        throw refuse(
          'the ID token was issued in the future (iat beyond the clock tolerance; if the clocks differ, fix them or raise clockTolerance)',
        )
      }
      const options: jose.JWTVerifyOptions = {
        algorithms: allowed,
        issuer: as.issuer,
        audience: config.clientId,
        clockTolerance: tolerance,
      }
      let verified: jose.JWTVerifyResult
      if (alg.startsWith('HS')) {
        const secret = await currentSecret(config)
        if (!secret)
          throw new OAuthKitError(
            ErrorCode.ID_TOKEN_INVALID,
            `${name}: an ${alg} ID token needs a client secret`,
            { app: name },
          )
        verified = await jose.jwtVerify(idToken, new TextEncoder().encode(secret), options)
      } else {
        verified = await jose.jwtVerify(idToken, this.#jwksFor(as).resolve, options)
      }
      // OIDC Core §3.1.3.7 (3): an ID token that also names audiences this client does not trust is refused.
      const { aud } = verified.payload
      if (Array.isArray(aud) && aud.some((a) => a !== config.clientId)) {
        throw new OAuthKitError(
          ErrorCode.ID_TOKEN_INVALID,
          `${name}: the ID token names audiences besides this client`,
          { app: name },
        )
      }
    } catch (error) {
      if (isOAuthKitError(error)) throw error
      throw new OAuthKitError(
        ErrorCode.ID_TOKEN_INVALID,
        `${name}: the ID token signature could not be verified (${(error as Error).message})`,
        { app: name, cause: sanitize(error) },
      )
    }
  }

  #jwksFor(as: oauth.AuthorizationServer): JwksCache {
    if (!as.jwks_uri)
      throw new OAuthKitError(
        ErrorCode.METADATA_INVALID,
        `${this.#name}: the provider has no jwks_uri to verify ID tokens with`,
        { app: this.#name },
      )
    if (this.#jwks?.uri !== as.jwks_uri)
      this.#jwks = new JwksCache(
        this.#name,
        as.jwks_uri,
        this.#http,
        (this.#config.metadataTtl ?? 3600) * 1000,
      )
    return this.#jwks
  }
}

/**
 * A token response of a grant other than the login's (device, password, token exchange) as a token,
 * with its ID token's signature verified and its claims as `userinfo`.
 */
export async function tokenFromResponse(
  app: OAuth2Endpoints,
  as: oauth.AuthorizationServer,
  result: oauth.TokenEndpointResponse,
): Promise<OAuth2Token> {
  // A policy checked on the ID token (idTokenIssuer: tenant, hosted domain, organization) fails open without one.
  if (app.config.idTokenIssuer && !result.id_token) {
    throw new OAuthKitError(
      ErrorCode.ID_TOKEN_INVALID,
      `${app.name}: the token response has no ID token, which this app checks (idTokenIssuer)`,
      { app: app.name },
    )
  }
  try {
    const claims = oauth.getValidatedIdTokenClaims(result) as IdTokenClaims | undefined
    if (result.id_token) await app.idTokens.verify(as, result.id_token)
    return toToken(result, claims)
  } catch (error) {
    throw toOAuthKitError(error, app.name, 'token')
  }
}
