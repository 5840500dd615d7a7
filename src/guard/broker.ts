/**
 * Broker mode: after an upstream login the app issues its own short-lived access token (RFC 9068),
 * signed with its own key, for its API and its SPA; the upstream tokens stay in the store. The
 * public keys are served at `/.well-known/jwks.json`, and the bearer guard trusts the broker as a
 * local issuer, without an HTTP request.
 *
 * @module
 */
import * as jose from 'jose'
import { BROKER_OPTION_KEYS, ISSUE_TOKEN_KEYS, checkKnownKeys } from '../config-keys.js'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import type { IssueTokenOptions, LocalIssuer, TokenBrokerOptions } from './types.js'

export type { IssueTokenOptions, TokenBrokerOptions } from './types.js'

/**
 * An access token the broker issued, in the shape of a token endpoint's answer (RFC 6749 §5.1).
 *
 * @group Broker
 */
export interface BrokerToken {
  access_token: string
  token_type: 'Bearer'
  /** Seconds until it expires. */
  expires_in: number
  /** Seconds since the epoch when it expires. */
  expires_at: number
  scope?: string
}

const REGISTERED = ['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'jti', 'scope', 'client_id']
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k']

/** The usual signature algorithm of a key type. */
function defaultAlg(jwk: jose.JWK): string | undefined {
  if (jwk.kty === 'RSA') return 'RS256'
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519') return 'EdDSA'
  if (jwk.kty === 'EC')
    return { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }[jwk.crv ?? '']
  return undefined
}

const invalid = (message: string) =>
  new OAuthKitError(ErrorCode.CONFIG_INVALID, `TokenBroker: ${message}`)
const badIssue = (message: string) =>
  new OAuthKitError(ErrorCode.INVALID_REQUEST, `TokenBroker.issue: ${message}`)
/** A list of strings (empty allowed: no scope). */
const isStrings = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string')
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

interface SigningKey {
  kid: string
  alg: string
  key: CryptoKey | Uint8Array
  publicJwk: jose.JWK
}

/**
 * Issues the app's own access tokens (JWTs per RFC 9068, `typ: at+jwt`) and publishes their keys.
 * Pass it to the bearer guard's `issuers` to accept its tokens.
 *
 * @example
 * ```ts
 * const broker = new TokenBroker({
 *   issuer: 'https://app.example',
 *   audience: 'https://app.example/api',
 *   keys: [JSON.parse(process.env.BROKER_KEY!)],
 * })
 * const { access_token } = await broker.issue({ sub: userId, scope: 'notes:read' })
 * ```
 * @group Broker
 */
export class TokenBroker implements LocalIssuer {
  /** The `iss` of its tokens. */
  readonly issuer: string
  readonly #audience: string | string[]
  readonly #ttl: number
  readonly #jwks: jose.JWK[]
  #keys?: Promise<SigningKey[]>

  constructor(options: TokenBrokerOptions) {
    if (typeof options !== 'object' || options === null) throw invalid('needs options')
    checkKnownKeys('', 'TokenBroker options', options, BROKER_OPTION_KEYS)
    if (typeof options.issuer !== 'string' || !URL.canParse(options.issuer))
      throw invalid('issuer must be the app\u2019s base URL')
    if (!isAudience(options.audience)) throw invalid('audience must be a string or strings')
    if (!Array.isArray(options.keys) || options.keys.length === 0)
      throw invalid('keys must hold at least one private JWK')
    const ttl = options.ttlSeconds ?? 300
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > 3600)
      throw invalid('ttlSeconds must be a whole number of seconds from 1 to 3600')
    for (const jwk of options.keys) {
      if (typeof jwk !== 'object' || jwk === null || typeof jwk.d !== 'string')
        throw invalid('each key must be a private JWK (with "d")')
      if (jwk.kty === 'oct') throw invalid('symmetric keys are refused: use EC, RSA or OKP keys')
      if (!(jwk.alg ?? defaultAlg(jwk)))
        throw invalid(`a key of type ${String(jwk.kty)} needs an "alg"`)
      if (jwk.alg === 'none' || /^HS/i.test(jwk.alg ?? ''))
        throw invalid(`alg ${jwk.alg} is refused: use an asymmetric algorithm`)
    }
    this.issuer = options.issuer
    this.#audience = options.audience
    this.#ttl = ttl
    this.#jwks = options.keys.map((jwk) => ({ ...jwk }))
  }

  #load(): Promise<SigningKey[]> {
    this.#keys ??= Promise.all(
      this.#jwks.map(async (jwk) => {
        const alg = jwk.alg ?? defaultAlg(jwk)!
        const kid = jwk.kid ?? (await jose.calculateJwkThumbprint(jwk))
        const publicJwk: jose.JWK = { ...jwk, kid, alg, use: 'sig' }
        for (const member of PRIVATE_MEMBERS) delete (publicJwk as Record<string, unknown>)[member]
        delete publicJwk.key_ops
        try {
          return { kid, alg, key: await jose.importJWK(jwk, alg), publicJwk }
        } catch {
          throw invalid(`key ${kid} cannot be imported for ${alg}`)
        }
      }),
    ).then((keys) => {
      const kids = keys.map((k) => k.kid)
      if (new Set(kids).size !== kids.length) throw invalid('two keys have the same kid')
      return keys
    })
    return this.#keys
  }

  /** Sign a new access token for `sub` with the newest key. */
  async issue(options: IssueTokenOptions): Promise<BrokerToken> {
    if (typeof options !== 'object' || options === null) throw badIssue('needs options')
    checkKnownKeys('', 'TokenBroker.issue options', options, ISSUE_TOKEN_KEYS)
    if (typeof options.sub !== 'string' || options.sub === '') throw badIssue('sub is required')
    const { scope: given, clientId, claims: more } = options
    if (given !== undefined && typeof given !== 'string' && !isStrings(given))
      throw badIssue('scope must be a string or strings')
    if (clientId !== undefined && (typeof clientId !== 'string' || clientId === ''))
      throw badIssue('clientId must be a non-empty string')
    if (more !== undefined && !isRecord(more)) throw badIssue('claims must be an object')
    const ttl = options.ttlSeconds ?? this.#ttl
    if (!Number.isInteger(ttl) || ttl < 1 || ttl > this.#ttl)
      throw badIssue(`ttlSeconds must be from 1 to ${this.#ttl}`)
    const audience = options.audience ?? this.#audience
    if (!isAudience(audience)) throw badIssue('audience is invalid')
    const scope = Array.isArray(given) ? given.join(' ') : given
    const extra = Object.fromEntries(
      Object.entries(more ?? {}).filter(([name]) => !REGISTERED.includes(name)),
    )
    const [signer] = await this.#load()
    const now = Math.floor(Date.now() / 1000)
    const claims: jose.JWTPayload = {
      ...extra,
      client_id: clientId ?? this.issuer,
      ...(scope ? { scope } : {}),
    }
    const jwt = await new jose.SignJWT(claims)
      .setProtectedHeader({ alg: signer!.alg, kid: signer!.kid, typ: 'at+jwt' })
      .setIssuer(this.issuer)
      .setSubject(options.sub)
      .setAudience(audience)
      .setIssuedAt(now)
      .setExpirationTime(now + ttl)
      .setJti(crypto.randomUUID())
      .sign(signer!.key)
    return {
      access_token: jwt,
      token_type: 'Bearer',
      expires_in: ttl,
      expires_at: now + ttl,
      ...(scope ? { scope } : {}),
    }
  }

  /** The public keys of every configured key, newest first (the body of `/.well-known/jwks.json`). */
  async publicJwks(): Promise<{ keys: jose.JWK[] }> {
    return { keys: (await this.#load()).map((k) => ({ ...k.publicJwk })) }
  }

  /** The answer of `GET /.well-known/jwks.json`: the public keys, cacheable for five minutes. */
  async jwksResponse(): Promise<Response> {
    return Response.json(await this.publicJwks(), {
      headers: {
        'content-type': 'application/jwk-set+json',
        'cache-control': 'public, max-age=300',
      },
    })
  }
}

function isAudience(value: unknown): value is string | string[] {
  return (
    (typeof value === 'string' && value !== '') ||
    (Array.isArray(value) &&
      value.length > 0 &&
      value.every((v) => typeof v === 'string' && v !== ''))
  )
}

/**
 * A new private signing key for {@link TokenBroker}, for development and tests: keep it as a JWK
 * (`JSON.stringify`) in your secrets and load it in `keys`. In production, generate keys once and
 * rotate them deliberately; a key generated at each start invalidates every token at each restart.
 *
 * @param alg - `ES256` (default), `ES384`, `EdDSA`, `RS256` or `PS256`.
 * @group Broker
 */
export async function generateBrokerKey(alg = 'ES256'): Promise<jose.JWK> {
  if (!['ES256', 'ES384', 'ES512', 'EdDSA', 'RS256', 'PS256'].includes(alg))
    throw invalid(`generateBrokerKey cannot make a key for ${alg}`)
  const { privateKey } = await jose.generateKeyPair(alg, { extractable: true })
  const jwk = await jose.exportJWK(privateKey)
  return { ...jwk, kid: await jose.calculateJwkThumbprint(jwk), alg, use: 'sig' }
}
