/**
 * The shapes of the bearer guard's options and of the claims it hands to a handler. Kept apart from
 * the code so the config-key lists (`src/config-keys.ts`) can name them without an import circle.
 *
 * @module
 */
import type { JWK } from 'jose'
import type { TokenIntrospection } from '../oauth2/grants/introspection.js'

/**
 * The claims of a validated access token (RFC 9068 §2.2), as handlers receive them. Extend it for
 * your issuers' own claims and pass it as the guard's type parameter.
 *
 * @group Bearer guard
 */
export interface AccessTokenClaims {
  /** The issuer, one of the guard's trusted issuers. */
  iss: string
  /** The subject: the user, or the client for a client credentials token. */
  sub?: string
  /** The audience; it includes the guard's `audience`. */
  aud?: string | string[]
  /** Expiry, seconds since the epoch. */
  exp?: number
  /** Issued at, seconds since the epoch. */
  iat?: number
  /** Not before, seconds since the epoch. */
  nbf?: number
  /** The token's id. */
  jti?: string
  /** The client the token was issued to. */
  client_id?: string
  /** The granted scopes, space-separated (RFC 9068 §2.2.3). */
  scope?: string
  [claim: string]: unknown
}

/**
 * Something that answers RFC 7662 introspection for an issuer's opaque tokens: an OAuth 2 app of the
 * registry (`oauth.create('corp')`, whose client authenticates at the introspection endpoint), or
 * your own function.
 *
 * @group Bearer guard
 */
export interface Introspector {
  /** Ask the issuer about `token` (RFC 7662 §2.1). */
  introspectToken(
    token: string,
    options?: { tokenTypeHint?: 'access_token' | 'refresh_token' },
  ): Promise<TokenIntrospection>
}

/**
 * An issuer the guard trusts, when more than its identifier is needed.
 *
 * @group Bearer guard
 */
export interface TrustedIssuer {
  /** The issuer identifier, exactly as tokens carry it in `iss`. */
  issuer: string
  /**
   * The issuer's JWKS. Default: the `jwks_uri` of its metadata
   * (`<issuer>/.well-known/openid-configuration`, else RFC 8414's `oauth-authorization-server`).
   */
  jwksUri?: string
  /**
   * Where opaque (non-JWT) tokens of this issuer are introspected (RFC 7662). Without it, the
   * issuer's opaque tokens are refused.
   */
  introspection?: Introspector
  /** Signature algorithms accepted from this issuer; default the guard's `algorithms`. */
  algorithms?: string[]
}

/**
 * A local issuer whose keys the guard holds without an HTTP request: a `TokenBroker`.
 *
 * @group Bearer guard
 */
export interface LocalIssuer {
  /** The issuer identifier its tokens carry. */
  readonly issuer: string
  /** Its public keys (RFC 7517 §5). */
  publicJwks(): Promise<{ keys: Array<Record<string, unknown>> }>
}

/**
 * Options of a `BearerGuard` (and of each integration's `requireAuth`).
 *
 * @group Bearer guard
 */
export interface BearerGuardOptions {
  /** The API's identifier: a token's `aud` must include one of these (RFC 9068 §4). */
  audience: string | string[]
  /** The issuers whose tokens are accepted: identifiers, {@link TrustedIssuer}s, or a `TokenBroker`. */
  issuers: Array<string | TrustedIssuer | LocalIssuer>
  /** Scopes every request must carry (all of them); a route may ask for more. Default none. */
  scopes?: string[]
  /**
   * Signature algorithms accepted. Default `RS256`, `RS384`, `RS512`, `PS256`, `PS384`, `PS512`,
   * `ES256`, `ES384`, `ES512`, `EdDSA`, `Ed25519`. `none` and the HMAC (`HS*`) algorithms are refused:
   * a resource server shares no secret with the issuer.
   */
  algorithms?: string[]
  /** Seconds of clock skew allowed on `exp`, `nbf` and `iat`; default 30, at most 300. */
  clockTolerance?: number
  /** The `realm` of `WWW-Authenticate` (RFC 6750 §3); default `api`. */
  realm?: string
  /** Seconds an introspection answer is reused, never past the token's `exp`; default 60, 0 turns caching off. */
  introspectionCacheSeconds?: number
  /** Seconds a fetched JWKS is reused before it is fetched again; default 600. */
  jwksCacheSeconds?: number
  /** The fetch for metadata and JWKS requests; default the global `fetch`. */
  fetch?: typeof fetch
  /** Milliseconds before a metadata or JWKS request is abandoned; default 10000. */
  timeout?: number
  /** Allow `http:` issuers and JWKS URLs that are not loopback; default false (loopback is always allowed). */
  allowInsecureRequests?: boolean
}

/**
 * What a route adds to the guard: more scopes.
 *
 * @group Bearer guard
 */
export interface RequireOptions {
  /** Scopes this route needs, besides the guard's own. */
  scopes?: string[]
}

/**
 * Options of a `TokenBroker`.
 *
 * @group Broker
 */
export interface TokenBrokerOptions {
  /** The app's base URL (`https://app.example`): the `iss` of every token it issues. */
  issuer: string
  /** The default `aud` of its tokens: your API's identifier. */
  audience: string | string[]
  /**
   * Private signing keys as JWKs (EC, RSA or OKP; never symmetric). The first signs; every key is
   * published, so to rotate put a new key first and drop the old one once its tokens have expired.
   * A key without `kid` gets its RFC 7638 thumbprint; one without `alg` gets the usual one for its
   * type (ES256, ES384, ES512, EdDSA, RS256).
   */
  keys: JWK[]
  /** Lifetime of an issued token in seconds; default 300, at most 3600. */
  ttlSeconds?: number
}

/**
 * What `TokenBroker.issue` is asked for.
 *
 * @group Broker
 */
export interface IssueTokenOptions {
  /** The app's id of the signed-in user. */
  sub: string
  /** Granted scopes, as a list or space-separated. */
  scope?: string | string[]
  /** The `aud`; default the broker's `audience`. */
  audience?: string | string[]
  /** The `client_id` claim (RFC 9068 §2.2); default the broker's issuer. */
  clientId?: string
  /** Lifetime in seconds, at most the broker's `ttlSeconds`. */
  ttlSeconds?: number
  /** More claims; the registered ones (`iss`, `sub`, `aud`, `exp`, `iat`, `nbf`, `jti`, `scope`, `client_id`) cannot be overridden. */
  claims?: Record<string, unknown>
}
