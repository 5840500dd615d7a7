/**
 * The issuers a bearer guard trusts, each with where its keys come from: a local issuer (the app's
 * own `TokenBroker`) holds them in memory; a remote one publishes a JWKS, found through its metadata
 * (or given), fetched once and cached by {@link JwksCache} (refetched on an unknown `kid`, with a
 * cooldown).
 *
 * @module
 */
import * as jose from 'jose'
import * as oauth from 'oauth4webapi'
import { TRUSTED_ISSUER_KEYS, checkKnownKeys } from '../config-keys.js'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import { toOAuthKitError } from '../errors/upstream.js'
import { HttpClient } from '../http/client.js'
import { isLoopback } from '../http/loopback.js'
import { JwksCache } from '../oauth2/jwks.js'
import type { BearerGuardOptions, Introspector, LocalIssuer, TrustedIssuer } from './types.js'

/** A key resolver for `jose.compactVerify` (a remembered key comes back without a promise). */
export type KeyResolver = (
  header: jose.JWSHeaderParameters,
  token: jose.FlattenedJWSInput,
) => CryptoKey | Promise<CryptoKey>

/**
 * Remember which key a (kid, alg) resolved to, for at most `lifeMs`: jose's JWKS lookup and key import
 * cost a fifth of a verification otherwise. A miss goes to `resolve`, which refetches a stale JWKS and
 * one that lacks the kid, so a dropped key lives at most `lifeMs` past the JWKS cache's own TTL.
 */
function memoized(resolve: KeyResolver, lifeMs: number): KeyResolver {
  const memo = new Map<string, { key: CryptoKey; until: number }>()
  const remember = async (id: string, key: CryptoKey | Promise<CryptoKey>, now: number) => {
    const resolved = await key
    if (memo.size >= 64) memo.clear()
    memo.set(id, { key: resolved, until: now + lifeMs })
    return resolved
  }
  return (header, token) => {
    // jose picks a key by alg alone for no kid, and none for a kid that is not a string: neither may
    // share the entry of a named key (an empty kid would get the key chosen for no kid).
    const kid = typeof header.kid === 'string' ? `#${header.kid}` : typeof header.kid
    const id = `${kid}\u0000${header.alg}`
    const now = Date.now()
    const hit = memo.get(id)
    if (hit && hit.until > now) return hit.key
    return remember(id, resolve(header, token), now)
  }
}

/** Longest a resolved key is reused without asking the JWKS cache again. */
const KEY_MEMO_MS = 60_000

/** One trusted issuer, ready to verify with. */
export interface IssuerEntry {
  readonly issuer: string
  readonly algorithms: string[]
  readonly introspection?: Introspector
  /** Its key resolver (made on first use: a remote issuer's metadata is fetched then). */
  keys(): Promise<KeyResolver>
  /** Its key resolver once {@link keys} has made it. */
  ready(): KeyResolver | undefined
}

/** The algorithms accepted unless the guard names its own: asymmetric only. */
export const DEFAULT_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
]

/** Seconds a failed metadata discovery is remembered, so a flood of requests does not become a flood of fetches. */
const DISCOVERY_RETRY_MS = 10_000

export const guardConfigError = (message: string) =>
  new OAuthKitError(ErrorCode.CONFIG_INVALID, `bearer guard: ${message}`)

/** Check an algorithm list: known asymmetric algorithms only (no `none`, no HMAC). */
export function checkAlgorithms(algorithms: unknown, where: string): string[] {
  if (!Array.isArray(algorithms) || algorithms.length === 0)
    throw guardConfigError(`${where} must list at least one algorithm`)
  for (const alg of algorithms) {
    if (typeof alg !== 'string' || !DEFAULT_ALGORITHMS.includes(alg))
      throw guardConfigError(
        `${where}: ${String(alg)} is not accepted (${/^HS|^none$/i.test(String(alg)) ? 'a resource server shares no secret with the issuer' : `use ${DEFAULT_ALGORITHMS.join(', ')}`})`,
      )
  }
  return [...algorithms] as string[]
}

const isLocal = (value: unknown): value is LocalIssuer =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as LocalIssuer).publicJwks === 'function'

/** Each trusted issuer of `options`, keyed by its identifier; `config_invalid` for a bad entry. */
export function issuerEntries(options: BearerGuardOptions): Map<string, IssuerEntry> {
  if (!Array.isArray(options.issuers) || options.issuers.length === 0)
    throw guardConfigError('issuers must name at least one trusted issuer')
  const algorithms = checkAlgorithms(options.algorithms ?? DEFAULT_ALGORITHMS, 'algorithms')
  const http = new HttpClient({
    app: 'bearer guard',
    fetch: options.fetch ?? globalThis.fetch,
    timeout: options.timeout ?? 10_000,
    maxResponseSize: 512 * 1024,
    hooks: {},
  })
  const ttlMs = (options.jwksCacheSeconds ?? 600) * 1000
  if (!Number.isFinite(ttlMs) || ttlMs < 0)
    throw guardConfigError('jwksCacheSeconds must be a number of seconds')
  const entries = new Map<string, IssuerEntry>()
  for (const item of options.issuers) {
    const entry = isLocal(item)
      ? localEntry(item, algorithms)
      : remoteEntry(
          typeof item === 'string' ? { issuer: item } : item,
          algorithms,
          http,
          ttlMs,
          options.allowInsecureRequests === true,
        )
    if (entries.has(entry.issuer)) throw guardConfigError(`issuer ${entry.issuer} is listed twice`)
    entries.set(entry.issuer, entry)
  }
  return entries
}

function localEntry(local: LocalIssuer, algorithms: string[]): IssuerEntry {
  let keys: Promise<KeyResolver> | undefined
  let made: KeyResolver | undefined
  return {
    issuer: local.issuer,
    algorithms,
    ready: () => made,
    keys: () =>
      (keys ??= local
        .publicJwks()
        .then(
          (set) =>
            (made = memoized(
              jose.createLocalJWKSet(set as jose.JSONWebKeySet) as KeyResolver,
              Infinity,
            )),
        )),
  }
}

/** The URL a request may go to: https, or http on loopback (or anywhere with allowInsecureRequests). */
function checkUrl(value: unknown, what: string, insecure: boolean): URL {
  if (typeof value !== 'string' || !URL.canParse(value))
    throw guardConfigError(`${what} must be a URL`)
  const url = new URL(value)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (isLoopback(url) || insecure)))
    throw guardConfigError(
      `${what} must be https (http only on loopback, or with allowInsecureRequests)`,
    )
  return url
}

function remoteEntry(
  trusted: TrustedIssuer,
  defaults: string[],
  http: HttpClient,
  ttlMs: number,
  insecure: boolean,
): IssuerEntry {
  if (typeof trusted !== 'object' || trusted === null)
    throw guardConfigError('each issuer must be a string, a TrustedIssuer or a TokenBroker')
  checkKnownKeys('', 'bearer guard issuer', trusted, TRUSTED_ISSUER_KEYS)
  const issuer = checkUrl(trusted.issuer, 'an issuer', insecure)
  if (trusted.jwksUri !== undefined)
    checkUrl(trusted.jwksUri, `jwksUri of ${trusted.issuer}`, insecure)
  const introspection = trusted.introspection
  if (introspection !== undefined && typeof introspection?.introspectToken !== 'function')
    throw guardConfigError(
      `introspection of ${trusted.issuer} must have introspectToken (an OAuth 2 app, e.g. oauth.create('corp'))`,
    )
  const algorithms = trusted.algorithms
    ? checkAlgorithms(trusted.algorithms, `algorithms of ${trusted.issuer}`)
    : defaults
  let cache: KeyResolver | undefined
  let pending: Promise<KeyResolver> | undefined
  let failedAt = -Infinity
  let failure: unknown
  const discover = async (): Promise<KeyResolver> => {
    const uri = trusted.jwksUri ?? (await discoverJwksUri(issuer, http, insecure))
    checkUrl(uri, `the jwks_uri of ${trusted.issuer}`, insecure)
    cache = memoized(
      new JwksCache(trusted.issuer, uri, http, ttlMs).resolve,
      Math.min(KEY_MEMO_MS, ttlMs),
    )
    return cache
  }
  return {
    issuer: trusted.issuer,
    algorithms,
    ...(introspection ? { introspection } : {}),
    ready: () => cache,
    keys: () => {
      if (cache) return Promise.resolve(cache)
      if (Date.now() - failedAt < DISCOVERY_RETRY_MS) return Promise.reject(failure)
      pending ??= discover().then(
        (resolve) => ((pending = undefined), resolve),
        (error: unknown) => {
          pending = undefined
          failedAt = Date.now()
          failure = error
          throw error
        },
      )
      return pending
    },
  }
}

/** The issuer's `jwks_uri`: OpenID Connect Discovery first, then RFC 8414; the metadata's `issuer` must match. */
async function discoverJwksUri(issuer: URL, http: HttpClient, insecure: boolean): Promise<string> {
  let first: unknown
  for (const algorithm of ['oidc', 'oauth2'] as const) {
    try {
      const response = await oauth.discoveryRequest(issuer, {
        algorithm,
        [oauth.customFetch]: http.fetchFor('metadata'),
        [oauth.allowInsecureRequests]: insecure || isLoopback(issuer),
      })
      const as = await oauth.processDiscoveryResponse(issuer, response)
      if (typeof as.jwks_uri !== 'string')
        throw new OAuthKitError(
          ErrorCode.METADATA_INVALID,
          `bearer guard: the metadata of ${issuer.href} has no jwks_uri`,
        )
      return as.jwks_uri
    } catch (error) {
      first ??= error
    }
  }
  throw toOAuthKitError(first, 'bearer guard', 'metadata')
}
