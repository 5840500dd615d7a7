/**
 * DPoP (RFC 9449): a key pair per user session, made at login and kept in the token; proofs for the
 * token endpoint (oauth4webapi's `DPoP()` handle) and for API calls (made here: `htm`, `htu`, `ath`,
 * the resource server's nonce); one retry when a server asks for a nonce.
 *
 * The key is made with WebCrypto (ECDSA P-256, ES256). A `CryptoKey` cannot be written to a store, so
 * the token carries the private key as a JWK (`dpop_jwk`): it is sealed with the rest of the token by
 * the registry's `store`. In memory the key is re-imported with `extractable: false`, and cached by
 * public key so a call does not re-import it.
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import { base64url } from '../session/transaction.js'
import type { DPoPJwk, OAuth2Token } from '../types.js'

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const
const SIGN = { name: 'ECDSA', hash: 'SHA-256' } as const
/** Imported key pairs by public key (x.y), with their `d` to tell a forged entry apart. */
const imported = new Map<string, { d: string; pair: Promise<CryptoKeyPair> }>()

/** A new key pair for a login, and the JWK the token keeps. */
export async function newDPoPKey(): Promise<{ pair: CryptoKeyPair; jwk: DPoPJwk }> {
  const generated = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])
  const exported = await crypto.subtle.exportKey('jwk', generated.privateKey)
  const jwk: DPoPJwk = {
    kty: 'EC',
    crv: 'P-256',
    x: exported.x!,
    y: exported.y!,
    d: exported.d!,
  }
  return { pair: await keyPairOf(jwk), jwk }
}

/** True for a value shaped as the token's DPoP key. */
export function isDPoPJwk(value: unknown): value is DPoPJwk {
  const jwk = value as Partial<DPoPJwk> | null
  return (
    typeof jwk === 'object' &&
    jwk !== null &&
    jwk.kty === 'EC' &&
    jwk.crv === 'P-256' &&
    typeof jwk.x === 'string' &&
    typeof jwk.y === 'string' &&
    typeof jwk.d === 'string'
  )
}

/** The key pair of a token's JWK: the private key not extractable, the public one as oauth4webapi needs it. */
export function keyPairOf(jwk: DPoPJwk): Promise<CryptoKeyPair> {
  const id = `${jwk.x}.${jwk.y}`
  const hit = imported.get(id)
  if (hit && hit.d === jwk.d) return hit.pair
  const pair = (async (): Promise<CryptoKeyPair> => ({
    privateKey: await crypto.subtle.importKey('jwk', jwk, ALGORITHM, false, ['sign']),
    publicKey: await crypto.subtle.importKey(
      'jwk',
      { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y },
      ALGORITHM,
      true,
      ['verify'],
    ),
  }))()
  if (imported.size >= 1000) imported.delete(imported.keys().next().value!)
  imported.set(id, { d: jwk.d, pair })
  pair.catch(() => imported.delete(id))
  return pair
}

/** The DPoP key of `token`, or a `token_missing` error naming what is wrong (never the key). */
export function dpopKeyOf(app: string, token: OAuth2Token): DPoPJwk {
  if (!isDPoPJwk(token.dpop_jwk)) {
    throw new OAuthKitError(
      ErrorCode.TOKEN_MISSING,
      `${app}: the token is DPoP-bound but carries no DPoP key (dpop_jwk); store the whole token as oauthkit returned it`,
      { app },
    )
  }
  return token.dpop_jwk
}

/** oauth4webapi's handle for the token endpoint, over the token's key. */
export async function dpopHandle(client: oauth.Client, jwk: DPoPJwk): Promise<oauth.DPoPHandle> {
  return oauth.DPoP(client, await keyPairOf(jwk))
}

const encoder = new TextEncoder()
const json = (value: object) => base64url(encoder.encode(JSON.stringify(value)))

/** A DPoP proof for one API call (RFC 9449 §4.2, §7): `htm`, `htu` without query and fragment, `ath`. */
export async function apiProof(
  jwk: DPoPJwk,
  method: string,
  url: string,
  accessToken: string,
  nonce: string | undefined,
): Promise<string> {
  const target = new URL(url)
  const header = {
    typ: 'dpop+jwt',
    alg: 'ES256',
    jwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y },
  }
  const payload: Record<string, unknown> = {
    jti: base64url(crypto.getRandomValues(new Uint8Array(16))),
    htm: method.toUpperCase(),
    htu: `${target.origin}${target.pathname}`,
    iat: Math.floor(Date.now() / 1000),
    ath: base64url(
      new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(accessToken))),
    ),
  }
  if (nonce !== undefined) payload.nonce = nonce
  const input = `${json(header)}.${json(payload)}`
  const { privateKey } = await keyPairOf(jwk)
  const signature = await crypto.subtle.sign(SIGN, privateKey, encoder.encode(input))
  return `${input}.${base64url(new Uint8Array(signature))}`
}

/** The resource servers' latest nonces, by origin (bounded). */
export class NonceCache {
  readonly #nonces = new Map<string, string>()

  get(url: string): string | undefined {
    return this.#nonces.get(new URL(url).origin)
  }

  /** Keep the `DPoP-Nonce` of `response` (from `url`'s origin), if it has one. */
  remember(url: string, response: Response): boolean {
    const nonce = response.headers.get('dpop-nonce')
    // RFC 9449 §8.1: NQCHAR, so a nonce is a header-safe token.
    if (!nonce || !/^[\x21\x23-\x5b\x5d-\x7e]+$/.test(nonce)) return false
    const origin = new URL(url).origin
    this.#nonces.delete(origin)
    if (this.#nonces.size >= 100) this.#nonces.delete(this.#nonces.keys().next().value!)
    this.#nonces.set(origin, nonce)
    return true
  }
}

/** True when a 401's challenge asks for a DPoP nonce (RFC 9449 §9). */
export function asksForNonce(response: Response): boolean {
  const challenge = response.headers.get('www-authenticate') ?? ''
  return /\bdpop\b[^]*\berror\s*=\s*"?use_dpop_nonce"?/i.test(challenge)
}

/**
 * Send a token endpoint request with DPoP, and once more if the server answers that it needs a nonce
 * (RFC 9449 §8: 400 `use_dpop_nonce` with a `DPoP-Nonce` header, which the handle has then cached).
 */
export async function withNonceRetry(send: () => Promise<Response>): Promise<Response> {
  const response = await send()
  if (response.status !== 400 || !response.headers.has('dpop-nonce')) return response
  const body = (await response
    .clone()
    .json()
    .catch(() => undefined)) as { error?: unknown } | undefined
  if (body?.error !== 'use_dpop_nonce') return response
  void response.body?.cancel().catch(() => {})
  return send()
}

/** A token response that should be DPoP-bound and is not (RFC 9449 §5: `token_type` must be DPoP). */
export function checkBound(app: string, tokenType: string): void {
  if (tokenType.toLowerCase() !== 'dpop') {
    throw new OAuthKitError(
      ErrorCode.DPOP_NOT_BOUND,
      `${app}: the app uses DPoP but the token endpoint returned a token_type "${tokenType.slice(0, 20)}" token, not a DPoP-bound one; nothing was stored`,
      { app },
    )
  }
}

/** Signs API calls with a DPoP-bound token, keeping the resource servers' nonces. */
export class DPoPSigner {
  readonly #app: string
  readonly #nonces = new NonceCache()

  constructor(app: string) {
    this.#app = app
  }

  /** `Authorization: DPoP <token>` and a fresh proof for this method and URL (RFC 9449 §7.1). */
  async authorize(request: Request, token: OAuth2Token): Promise<Request> {
    const jwk = dpopKeyOf(this.#app, token)
    const nonce = this.#nonces.get(request.url)
    request.headers.set('authorization', `DPoP ${token.access_token}`)
    request.headers.set(
      'dpop',
      await apiProof(jwk, request.method, request.url, token.access_token, nonce),
    )
    return request
  }

  /** True when `response` (to `url`) asks for a nonce and gave one: worth one retry with it. */
  nonceRetry(response: Response, url: string): boolean {
    return asksForNonce(response) && this.#nonces.remember(url, response)
  }
}
