/**
 * The bearer guard for the app's own API: `Authorization: Bearer` access tokens checked as RFC 9068
 * JWTs against each trusted issuer's keys, or, for opaque tokens, by introspection (RFC 7662).
 * Framework-free: each integration's `requireAuth` turns a request into {@link BearerGuard.authenticate}.
 *
 * @module
 */
import * as jose from 'jose'
import { BEARER_GUARD_KEYS, checkKnownKeys } from '../config-keys.js'
import { ErrorCode, OAuthKitError, isOAuthKitError } from '../errors/error.js'
import { malformed, readAuthorization, refusal, challenge } from './challenge.js'
import { Introspection, checkTimesAndAudience, invalidToken } from './introspection.js'
import { guardConfigError, issuerEntries, type IssuerEntry } from './issuers.js'
import type { AccessTokenClaims, BearerGuardOptions, RequireOptions } from './types.js'

/**
 * What {@link BearerGuard.authenticate} found: the claims of an accepted token, or the response
 * refusing the request (401, 400, 403, or 503 when the issuer could not be reached).
 *
 * @group Bearer guard
 */
export type GuardResult<Claims> =
  | { ok: true; claims: Claims; token: string }
  | { ok: false; response: Response; error?: OAuthKitError }

const scopesOf = (value: unknown): string[] =>
  typeof value === 'string' ? value.split(' ').filter(Boolean) : []

function checkScopes(value: unknown, where: string): string[] {
  if (value === undefined) return []
  if (
    !Array.isArray(value) ||
    !value.every((s) => typeof s === 'string' && /^[\x21\x23-\x5b\x5d-\x7e]+$/.test(s))
  )
    throw guardConfigError(`${where} must be a list of scope tokens (RFC 6749 §3.3)`)
  return [...value] as string[]
}

/** A jose failure in words a client may read (never the token, never a stack). */
function fromJose(error: unknown): OAuthKitError {
  if (isOAuthKitError(error)) return error
  if (error instanceof jose.errors.JWSSignatureVerificationFailed)
    return invalidToken('the token signature does not verify')
  if (error instanceof jose.errors.JWKSNoMatchingKey)
    return invalidToken('the token is signed with a key its issuer does not publish')
  if (error instanceof jose.errors.JOSEAlgNotAllowed)
    return invalidToken('the token signature algorithm is not accepted')
  return invalidToken('the token is malformed')
}

/**
 * Checks bearer tokens for an API. Make one per API (it holds the JWKS and introspection caches) and
 * share it between routes; each route may ask for more scopes.
 *
 * @typeParam Claims - the claims your issuers put in their tokens.
 * @example
 * ```ts
 * const guard = new BearerGuard({
 *   audience: 'https://api.example',
 *   issuers: ['https://idp.example', broker],
 *   scopes: ['notes:read'],
 * })
 * const result = await guard.authenticate(request)
 * if (!result.ok) return result.response
 * ```
 * @group Bearer guard
 */
export class BearerGuard<Claims extends AccessTokenClaims = AccessTokenClaims> {
  readonly #issuers: Map<string, IssuerEntry>
  readonly #audience: string[]
  readonly #scopes: string[]
  readonly #tolerance: number
  /** Every algorithm some trusted issuer is accepted with. */
  readonly #algorithms: string[]
  readonly #introspection: Introspection
  /** Each route's scopes and the guard's, merged once per route options object. */
  readonly #routes = new WeakMap<RequireOptions, { given: string[]; all: string[] }>()
  /** The `realm` of its `WWW-Authenticate` answers. */
  readonly realm: string

  constructor(options: BearerGuardOptions) {
    if (typeof options !== 'object' || options === null) throw guardConfigError('needs options')
    checkKnownKeys('', 'bearer guard options', options, BEARER_GUARD_KEYS)
    const audience = typeof options.audience === 'string' ? [options.audience] : options.audience
    if (
      !Array.isArray(audience) ||
      audience.length === 0 ||
      !audience.every((a) => typeof a === 'string' && a !== '')
    )
      throw guardConfigError('audience must name the API (a string or strings)')
    const tolerance = options.clockTolerance ?? 30
    if (typeof tolerance !== 'number' || !(tolerance >= 0 && tolerance <= 300))
      throw guardConfigError('clockTolerance must be from 0 to 300 seconds')
    const cacheSeconds = options.introspectionCacheSeconds ?? 60
    if (typeof cacheSeconds !== 'number' || !(cacheSeconds >= 0))
      throw guardConfigError('introspectionCacheSeconds must be a number of seconds')
    const realm = options.realm ?? 'api'
    if (typeof realm !== 'string' || !/^[\x20\x21\x23-\x5b\x5d-\x7e]*$/.test(realm))
      throw guardConfigError('realm must be printable ASCII without quotes or backslashes')
    this.#audience = [...audience]
    this.#scopes = [...new Set(checkScopes(options.scopes, 'scopes'))]
    this.#tolerance = tolerance
    this.#issuers = issuerEntries(options)
    this.#algorithms = [...new Set([...this.#issuers.values()].flatMap((e) => e.algorithms))]
    this.realm = realm
    this.#introspection = new Introspection(
      [...this.#issuers.values()].filter((e) => e.introspection),
      { audience: this.#audience, clockTolerance: tolerance },
      cacheSeconds,
    )
  }

  /**
   * Check a token: its claims when it is accepted for this API with every scope needed; else an
   * {@link OAuthKitError}: `invalid_token`, `insufficient_scope`, or a metadata/network code when its
   * issuer could not be reached.
   */
  async verify(token: string, options: RequireOptions = {}): Promise<Claims> {
    if (typeof token !== 'string' || token === '') throw invalidToken('no token')
    const claims = isCompactJws(token)
      ? await this.#verifyJwt(token)
      : token.split('.').length === 5
        ? invalidTokenThrow('encrypted tokens (JWE) are not accepted')
        : await this.#introspection.claims(token)
    const needed = this.#needed(options)
    const granted = scopesOf(claims.scope)
    const missing = needed.filter((s) => !granted.includes(s))
    if (missing.length)
      throw new OAuthKitError(
        ErrorCode.INSUFFICIENT_SCOPE,
        `bearer guard: the token lacks the scope ${missing.join(' ')}`,
      )
    return claims as Claims
  }

  /**
   * Check the bearer token of a request (its `Authorization` header; a token in the query or body is
   * not read). Never throws for a bad token: the refusal comes back as a `Response`.
   */
  async authenticate(
    request: Request | Headers | { headers: Headers },
    options: RequireOptions = {},
  ): Promise<GuardResult<Claims>> {
    const headers = request instanceof Headers ? request : request.headers
    const credentials = readAuthorization(headers.get('authorization'))
    if (credentials.kind === 'missing') return { ok: false, response: challenge(this.realm, 401) }
    if (credentials.kind === 'malformed') return { ok: false, response: malformed(this.realm) }
    try {
      const claims = await this.verify(credentials.token, options)
      return { ok: true, claims, token: credentials.token }
    } catch (error) {
      const known = isOAuthKitError(error)
        ? error
        : new OAuthKitError(ErrorCode.NETWORK_ERROR, 'bearer guard: the token could not be checked')
      return {
        ok: false,
        response: refusal(this.realm, known, this.#needed(options)),
        error: known,
      }
    }
  }

  #needed(options: RequireOptions): string[] {
    if (options.scopes === undefined) return this.#scopes
    let needed = this.#routes.get(options)
    if (!needed || options.scopes !== needed.given) {
      const extra = checkScopes(options.scopes, 'the route scopes')
      needed = { given: options.scopes, all: [...new Set([...this.#scopes, ...extra])] }
      this.#routes.set(options, needed)
    }
    return needed.all
  }

  async #verifyJwt(token: string): Promise<AccessTokenClaims> {
    // The payload is parsed once, in the key lookup (its `iss` picks the key), and used only once
    // jose has verified the signature over those very bytes.
    let claims: AccessTokenClaims | undefined
    try {
      await jose.compactVerify(
        token,
        (header, jws) => {
          const { entry, ...found } = this.#claimsAndIssuer(header, jws)
          claims = found.claims
          const resolve = entry.ready()
          return resolve ? resolve(header, jws) : entry.keys().then((r) => r(header, jws))
        },
        // jose refuses any other alg before a key is looked up; each issuer's own list is checked there.
        { algorithms: this.#algorithms },
      )
    } catch (error) {
      throw fromJose(error)
    }
    const checked = claims!
    // RFC 9068 §4 (RFC 7519 §4.1.4, §4.1.5): exp is required; exp, nbf and iat must be NumericDates.
    for (const name of ['exp', 'nbf', 'iat'] as const)
      if (checked[name] !== undefined && !Number.isFinite(checked[name]))
        throw invalidToken(`the token has an invalid ${name}`)
    if (checked.exp === undefined) throw invalidToken('the token has no exp')
    checkTimesAndAudience(checked, { audience: this.#audience, clockTolerance: this.#tolerance })
    // A sender-constrained token (DPoP, mTLS) needs a proof this guard does not check (RFC 9449 §7.1).
    if (checked.cnf !== undefined)
      throw invalidToken(
        'the token is sender-constrained (cnf) and cannot be used as a bearer token',
      )
    return checked
  }

  /**
   * The checks that need no key, before one is looked up: `typ`, a claims set, a trusted `iss`, an
   * algorithm that issuer is trusted for. So neither a forged issuer nor `none` or HMAC ever causes
   * a metadata or JWKS request; the key returned is then the named issuer's own.
   */
  #claimsAndIssuer(
    header: jose.JWSHeaderParameters,
    jws: jose.FlattenedJWSInput,
  ): { claims: AccessTokenClaims; entry: IssuerEntry } {
    // RFC 9068 §4: access tokens are explicitly typed, so an ID token or another JWT cannot pass as one.
    const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : ''
    if (typ !== 'at+jwt' && typ !== 'application/at+jwt')
      throw invalidToken('the token is not an access token (typ must be at+jwt)')
    // RFC 7797's unencoded payload is not a JWT (RFC 7519 §7.2 wants the payload base64url-encoded).
    if (header.b64 === false) throw invalidToken('the token is malformed')
    let claims: unknown
    try {
      claims = JSON.parse(DECODER.decode(jose.base64url.decode(jws.payload)))
    } catch {
      throw invalidToken('the token is malformed')
    }
    if (typeof claims !== 'object' || claims === null || Array.isArray(claims))
      throw invalidToken('the token is malformed')
    const iss = (claims as { iss?: unknown }).iss
    const entry = typeof iss === 'string' ? this.#issuers.get(iss) : undefined
    if (!entry) throw invalidToken('the token is from an untrusted issuer')
    if (typeof header.alg !== 'string' || !entry.algorithms.includes(header.alg))
      throw invalidToken('the token signature algorithm is not accepted')
    return { claims: claims as AccessTokenClaims, entry }
  }
}

const DECODER = new TextDecoder()

const invalidTokenThrow = (message: string): never => {
  throw invalidToken(message)
}

/** Three parts, the first a JSON object's base64url (`ey…`): a compact JWS; jose checks the rest. */
function isCompactJws(token: string): boolean {
  const first = token.indexOf('.')
  const second = token.indexOf('.', first + 1)
  return (
    token.startsWith('ey') && second > first && first > 0 && token.indexOf('.', second + 1) === -1
  )
}
