/**
 * The provider's JWKS for ID token signatures: fetched lazily, cached with a TTL, shared by every
 * request, and refetched when a token names a key it does not hold (key rotation) — the first such
 * refetch at once, later ones at most once per cooldown, so forged `kid`s cannot flood the provider.
 *
 * @module
 */
import * as jose from 'jose'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import type { HttpClient } from '../http/client.js'
import { toOAuthKitError } from '../errors/upstream.js'

/** */
export class JwksCache {
  #keys?: ReturnType<typeof jose.createLocalJWKSet>
  #fetchedAt = 0
  #lastForcedAt = -Infinity
  #pending?: Promise<void>

  constructor(
    private readonly app: string,
    readonly uri: string,
    private readonly http: HttpClient,
    private readonly ttlMs: number,
    private readonly cooldownMs = 30_000,
  ) {}

  /** A key resolver for `jose.jwtVerify`. */
  readonly resolve = async (
    header: jose.JWSHeaderParameters,
    token: jose.FlattenedJWSInput,
  ): Promise<CryptoKey> => {
    if (!this.#keys || Date.now() - this.#fetchedAt > this.ttlMs) await this.#refresh()
    try {
      return (await this.#keys!(header, token)) as CryptoKey
    } catch (error) {
      if (!(error instanceof jose.errors.JWKSNoMatchingKey)) throw error
      const now = Date.now()
      if (now - this.#lastForcedAt < this.cooldownMs) throw error
      this.#lastForcedAt = now
      await this.#refresh()
      return (await this.#keys!(header, token)) as CryptoKey
    }
  }

  #refresh(): Promise<void> {
    this.#pending ??= this.#load().finally(() => (this.#pending = undefined))
    return this.#pending
  }

  async #load(): Promise<void> {
    try {
      const response = await this.http.send(
        new Request(this.uri, {
          headers: { accept: 'application/json, application/jwk-set+json' },
        }),
        'jwks',
      )
      if (response.status !== 200)
        throw new OAuthKitError(
          ErrorCode.METADATA_INVALID,
          `${this.app}: the JWKS endpoint answered HTTP ${response.status}`,
          { app: this.app, status: response.status },
        )
      const body = (await response.json()) as jose.JSONWebKeySet
      if (!body || !Array.isArray(body.keys))
        throw new OAuthKitError(
          ErrorCode.METADATA_INVALID,
          `${this.app}: the JWKS has no keys array`,
          { app: this.app },
        )
      this.#keys = jose.createLocalJWKSet(body)
      this.#fetchedAt = Date.now()
    } catch (error) {
      throw toOAuthKitError(error, this.app, 'jwks')
    }
  }
}
