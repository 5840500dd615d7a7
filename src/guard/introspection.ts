/**
 * Opaque access tokens, checked by asking their issuer (RFC 7662). An active answer is kept for at
 * most the token's remaining life and at most `introspectionCacheSeconds`, under the SHA-256 of the
 * token (the cache never holds a token); the cache is bounded. Inactive answers are not kept.
 *
 * @module
 */
import { ErrorCode, OAuthKitError, isOAuthKitError } from '../errors/error.js'
import type { TokenIntrospection } from '../oauth2/grants/introspection.js'
import type { IssuerEntry } from './issuers.js'
import type { AccessTokenClaims } from './types.js'

/** Most introspection answers kept at once; the oldest goes first. */
const MAX_ENTRIES = 10_000

export const invalidToken = (message: string) =>
  new OAuthKitError(ErrorCode.INVALID_TOKEN, `bearer guard: ${message}`)

/** What an accepted token's claims must satisfy, whichever way they were read. */
export interface ClaimChecks {
  audience: string[]
  /** Seconds. */
  clockTolerance: number
}

async function digest(token: string): Promise<string> {
  const bytes = new Uint8Array(
    await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token)),
  )
  let out = ''
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0')
  return out
}

/** Introspects opaque tokens at the issuers that allow it, in the order they are listed. */
export class Introspection {
  readonly #cache = new Map<string, { claims: AccessTokenClaims; until: number }>()

  constructor(
    private readonly issuers: IssuerEntry[],
    private readonly checks: ClaimChecks,
    private readonly cacheSeconds: number,
  ) {}

  /** The claims of an active token for this API, or `invalid_token`; an issuer fault when no issuer could answer. */
  async claims(token: string): Promise<AccessTokenClaims> {
    if (this.issuers.length === 0)
      throw invalidToken('the token is not a JWT, and no trusted issuer introspects tokens')
    const key = await digest(token)
    const now = Date.now()
    const hit = this.#cache.get(key)
    if (hit && hit.until > now) return hit.claims
    if (hit) this.#cache.delete(key)
    let fault: unknown
    for (const entry of this.issuers) {
      let answer: TokenIntrospection
      try {
        answer = await entry.introspection!.introspectToken(token, {
          tokenTypeHint: 'access_token',
        })
      } catch (error) {
        fault ??= error
        continue
      }
      if (answer?.active !== true) continue
      const claims = this.#check(answer, entry.issuer)
      this.#remember(key, claims, now)
      return claims
    }
    if (fault !== undefined)
      throw isOAuthKitError(fault)
        ? fault
        : new OAuthKitError(ErrorCode.NETWORK_ERROR, 'bearer guard: introspection failed')
    throw invalidToken('the token is not active')
  }

  #check(answer: TokenIntrospection, issuer: string): AccessTokenClaims {
    const { active: _active, ...rest } = answer
    if (rest.iss !== undefined && rest.iss !== issuer)
      throw invalidToken('the introspected token names another issuer')
    const type = typeof rest.token_type === 'string' ? rest.token_type.toLowerCase() : 'bearer'
    // A refresh token is not an access token; a DPoP-bound one needs a proof this guard does not check (RFC 9449 §7.1).
    if (!['bearer', 'access_token'].includes(type) || rest.cnf !== undefined)
      throw invalidToken('the token is not a plain bearer access token')
    const claims = { ...rest, iss: issuer } as AccessTokenClaims
    checkTimesAndAudience(claims, this.checks)
    return claims
  }

  #remember(key: string, claims: AccessTokenClaims, now: number): void {
    const life = typeof claims.exp === 'number' ? claims.exp * 1000 - now : Infinity
    const until = now + Math.min(life, this.cacheSeconds * 1000)
    if (until <= now) return
    if (this.#cache.size >= MAX_ENTRIES) {
      for (const [k, v] of this.#cache) if (v.until <= now) this.#cache.delete(k)
      if (this.#cache.size >= MAX_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!)
    }
    this.#cache.set(key, { claims, until })
  }
}

/** `aud` must include one of the audiences; `exp` and `nbf`, when present, must hold (within the tolerance). */
export function checkTimesAndAudience(claims: AccessTokenClaims, checks: ClaimChecks): void {
  const audiences = typeof claims.aud === 'string' ? [claims.aud] : claims.aud
  if (!Array.isArray(audiences) || !audiences.some((a) => checks.audience.includes(a)))
    throw invalidToken('the token is for another audience')
  const now = Date.now() / 1000
  if (typeof claims.exp === 'number' && claims.exp <= now - checks.clockTolerance)
    throw invalidToken('the token has expired')
  if (typeof claims.nbf === 'number' && claims.nbf > now + checks.clockTolerance)
    throw invalidToken('the token is not yet valid')
}
