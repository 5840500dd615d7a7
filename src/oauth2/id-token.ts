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
  #inline?: jose.JWTVerifyGetKey

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
   * explicitly typed JWT (`at+jwt`, …), an empty `sub`, an `iat` in the future, audiences the app does
   * not trust and, with several audiences, an `azp` other than this client. Returns the verified claims.
   */
  async verify(as: oauth.AuthorizationServer, idToken: string): Promise<jose.JWTPayload> {
    const config = this.#config
    const allowed = config.idTokenSignedResponseAlg
      ? [config.idTokenSignedResponseAlg]
      : (as.id_token_signing_alg_values_supported ?? ['RS256'])
    const tolerance = config.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE
    const refuse = this.#refuse(ErrorCode.ID_TOKEN_INVALID)
    return this.#verifyJwt(as, idToken, allowed, 'ID token', refuse, (claims) => {
      // OIDC Core §2: sub is a non-empty identifier; an empty one would match every account keyed on it.
      if (claims.sub === '') throw refuse('the ID token has an empty sub')
      // OIDC Core §2: iat is when the token was issued; one from the future (beyond the clock tolerance) is forged or mis-clocked.
      if (typeof claims.iat === 'number' && claims.iat > Date.now() / 1000 + tolerance) {
        throw refuse(
          'the ID token was issued in the future (iat beyond the clock tolerance; if the clocks differ, fix them or raise clockTolerance)',
        )
      }
    })
  }

  /**
   * Verify a JWT userinfo response (OIDC Core §5.3.2): signed with an allowed algorithm by the
   * provider's keys, `iss` the issuer and `aud` this client (plus only trusted audiences).
   */
  async verifyUserinfo(as: oauth.AuthorizationServer, jwt: string): Promise<jose.JWTPayload> {
    const config = this.#config
    const allowed = config.userinfoSignedResponseAlg
      ? [config.userinfoSignedResponseAlg]
      : (as.userinfo_signing_alg_values_supported ?? ['RS256'])
    return this.#verifyJwt(
      as,
      jwt,
      allowed,
      'signed userinfo',
      this.#refuse(ErrorCode.USERINFO_INVALID),
      () => undefined,
    )
  }

  #refuse(code: ErrorCode): (why: string) => OAuthKitError {
    const name = this.#name
    return (why) => new OAuthKitError(code, `${name}: ${why}`, { app: name })
  }

  async #verifyJwt(
    as: oauth.AuthorizationServer,
    jwt: string,
    algorithms: readonly string[],
    what: string,
    refuse: (why: string) => OAuthKitError,
    precheck: (claims: jose.JWTPayload) => void,
  ): Promise<jose.JWTPayload> {
    const config = this.#config
    const allowed = algorithms.filter((a) => a !== 'none')
    try {
      const { alg, typ } = jose.decodeProtectedHeader(jwt)
      if (typeof alg !== 'string' || !allowed.includes(alg))
        throw refuse(`the ${what} alg "${providerText(String(alg), [], 20) ?? ''}" is not allowed`)
      // RFC 8725 §3.11, RFC 9068 §4: an explicitly typed JWT (`at+jwt`, `logout+jwt`, …) is another kind of token.
      if (typeof typ === 'string' && /\+jwt$/i.test(typ))
        throw refuse(
          `the JWT offered as ${what === 'ID token' ? 'an ID token' : what} is typed "${providerText(typ, [], 40) ?? ''}", another kind of token`,
        )
      precheck(jose.decodeJwt(jwt))
      const options: jose.JWTVerifyOptions = {
        algorithms: allowed,
        issuer: as.issuer,
        audience: config.clientId,
        clockTolerance: config.clockTolerance ?? DEFAULT_CLOCK_TOLERANCE,
        // OIDC Core §2 and §5.3.2: an ID token has all five; signed userinfo carries sub, iss and aud.
        requiredClaims:
          what === 'ID token' ? ['iss', 'sub', 'aud', 'exp', 'iat'] : ['iss', 'sub', 'aud'],
      }
      let verified: jose.JWTVerifyResult
      if (alg.startsWith('HS')) {
        const secret = await currentSecret(config)
        if (!secret) throw refuse(`an ${alg} ${what} needs a client secret`)
        verified = await jose.jwtVerify(jwt, new TextEncoder().encode(secret), options)
      } else {
        verified = await jose.jwtVerify(jwt, this.#keys(as), options)
      }
      checkAudiences(verified.payload, config, what, refuse)
      return verified.payload
    } catch (error) {
      if (isOAuthKitError(error)) throw error
      throw new OAuthKitError(
        refuse('').code,
        `${this.#name}: the ${what} signature could not be verified (${(error as Error).message})`,
        { app: this.#name, cause: sanitize(error) },
      )
    }
  }

  /** The key resolver: the app's inline `jwks`, else the provider's `jwks_uri` (cached). */
  #keys(as: oauth.AuthorizationServer): jose.JWTVerifyGetKey {
    if (this.#config.jwks) {
      this.#inline ??= jose.createLocalJWKSet(this.#config.jwks as jose.JSONWebKeySet)
      return this.#inline
    }
    return this.#jwksFor(as).resolve
  }

  #jwksFor(as: oauth.AuthorizationServer): JwksCache {
    if (!as.jwks_uri)
      throw new OAuthKitError(
        ErrorCode.METADATA_INVALID,
        `${this.#name}: the provider has no jwks_uri to verify signatures with`,
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
 * OIDC Core §3.1.3.7 (3)–(5): every audience is this client or one the app trusts, and a token with
 * several audiences names this client as its authorized party (`azp`).
 */
function checkAudiences(
  claims: jose.JWTPayload,
  config: Readonly<OAuth2AppConfig>,
  what: string,
  refuse: (why: string) => OAuthKitError,
): void {
  const audiences = [claims.aud ?? []].flat()
  const trusted = config.trustedAudiences ?? []
  if (audiences.some((a) => a !== config.clientId && !trusted.includes(a)))
    throw refuse(
      `the ${what} names audiences besides this client that the app does not trust (trustedAudiences)`,
    )
  // With one audience azp is not compared (OIDC Core errata set 2), as oauth4webapi does.
  if (audiences.length > 1 && (claims as { azp?: unknown }).azp !== config.clientId)
    throw refuse(`the ${what} has several audiences and its azp is not this client`)
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
