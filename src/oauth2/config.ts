/**
 * OAuth 2 app configuration: what `register` accepts for an OAuth 2.0 / OpenID Connect app (its checks
 * are in `validate-config.ts`).
 *
 * @module
 */
import type { JWK, JWKS } from 'oauth4webapi'
import type { BaseAppConfig, NormalizedProfile } from '../app/config.js'
import type { ComplianceHooks, IdTokenClaims, OAuth2Token, UserInfo } from '../types.js'

/** How the client authenticates at the token endpoint (RFC 6749 §2.3, OIDC Core §9). @group Config */
export type TokenEndpointAuthMethod =
  'client_secret_basic' | 'client_secret_post' | 'client_secret_jwt' | 'private_key_jwt' | 'none'

/**
 * How `client_secret_basic` writes the client id and secret into the `Authorization` header.
 *
 * - `form` (default): form-encoded first, as RFC 6749 §2.3.1 asks. Letters, digits and `- . _ * ~`
 *   go out as they are, every other character as `%XX` (a space as `%20`). Works with servers that
 *   decode (oidc-provider, Keycloak, …) and, for ids and secrets made only of those characters, with
 *   servers that do not (Authlib).
 * - `raw`: the UTF-8 bytes as they are, for a server that never decodes (Authlib's, whose own client
 *   sends them raw) and a secret with other characters (`+ / = %`). The client id must then have no `:`.
 *
 * When unsure how a server reads the header, `tokenEndpointAuthMethod: 'client_secret_post'` avoids
 * the question: the body is form-encoded and every server decodes it.
 *
 * @see {@link https://www.rfc-editor.org/rfc/rfc6749#section-2.3.1 | RFC 6749 §2.3.1}
 * @group Config
 */
export type ClientSecretBasicEncoding = 'form' | 'raw'

/**
 * The `aud` of the JWT a client signs for `private_key_jwt` and `client_secret_jwt`.
 *
 * - `issuer` (default, what oauth4webapi sends): the authorization server's issuer identifier, which
 *   OpenID Connect servers (oidc-provider, Keycloak, …) accept.
 * - `token_endpoint`: the token endpoint URL, for a server that accepts only that, as RFC 7523 §3
 *   allows and Authlib's `JWTBearerClientAssertion` is set up in its docs. The same assertion then
 *   also authenticates at the revocation and introspection endpoints.
 *
 * @see {@link https://www.rfc-editor.org/rfc/rfc7523#section-3 | RFC 7523 §3}
 * @group Config
 */
export type ClientAssertionAudience = 'issuer' | 'token_endpoint'

/**
 * Loads and normalises a user's profile with an app and its token (presets supply one). Receives the
 * app's authenticated request function, so the call goes through the app's hooks and refresh.
 *
 * @group Providers
 */
export type ProfileLoader<Raw = Record<string, unknown>> = (
  api: ProfileApi,
  token: OAuth2Token,
) => Promise<NormalizedProfile<Raw>>

/** What a {@link ProfileLoader} can call. @group Providers */
export interface ProfileApi {
  /** The app's name. */
  readonly name: string
  /** An authenticated GET to the provider's API (relative to `apiBaseUrl`), parsed as JSON. */
  getJson<T>(url: string, token: OAuth2Token): Promise<T>
  /** An authenticated request with any method (and an optional JSON body), parsed as JSON. */
  requestJson<T>(
    method: string,
    url: string,
    token: OAuth2Token,
    options?: { json?: unknown },
  ): Promise<T>
  /** The userinfo endpoint's claims (OpenID Connect). */
  userinfo(token: OAuth2Token): Promise<UserInfo>
}

/**
 * An OAuth 2.0 / OpenID Connect app. Endpoints come from `serverMetadataUrl` (OIDC discovery or
 * RFC 8414), from explicit fields, or both: an explicit field overrides the discovered value.
 *
 * @group Config
 */
export interface OAuth2AppConfig extends Omit<BaseAppConfig, 'clientSecret'> {
  /**
   * The client secret, or a function returning the current one (Sign in with Apple's secret is a JWT
   * that must be re-signed before it expires); it is called for each token request.
   */
  clientSecret?: string | (() => string | Promise<string>)
  /** OIDC discovery (`…/.well-known/openid-configuration`) or RFC 8414 metadata URL. */
  serverMetadataUrl?: string
  /** The issuer identifier. Required for OpenID Connect without discovery. */
  issuer?: string
  /** Authorization endpoint. */
  authorizeUrl?: string
  /** Token endpoint. */
  accessTokenUrl?: string
  userinfoEndpoint?: string
  jwksUri?: string
  revocationEndpoint?: string
  introspectionEndpoint?: string
  deviceAuthorizationEndpoint?: string
  /** RP-initiated logout endpoint (OIDC RP-Initiated Logout 1.0). */
  endSessionEndpoint?: string
  /** Other server metadata, in RFC 8414 names; merged over the discovered document. */
  serverMetadata?: Record<string, unknown>
  /** Scopes, space-separated or as an array. `openid` makes this an OpenID Connect login. */
  scope?: string | string[]
  /** Extra authorization request parameters; a per-call parameter overrides these. */
  authorizeParams?: Record<string, string>
  /** Extra token request parameters for the authorization code exchange. */
  accessTokenParams?: Record<string, string>
  /** Default: `client_secret_basic` with a secret, `private_key_jwt` with a private key, else `none`. */
  tokenEndpointAuthMethod?: TokenEndpointAuthMethod
  /**
   * How `client_secret_basic` encodes the id and secret: `form` (default) or `raw` for a server that
   * never decodes them. See {@link ClientSecretBasicEncoding}.
   */
  clientSecretBasicEncoding?: ClientSecretBasicEncoding
  /**
   * For `private_key_jwt` and `client_secret_jwt`: the client assertion's `aud`, the issuer (default)
   * or the token endpoint URL. See {@link ClientAssertionAudience}.
   */
  clientAssertionAudience?: ClientAssertionAudience
  /** For `private_key_jwt`: a private JWK, a CryptoKey, or a PKCS#8 PEM. */
  privateKey?: JWK | CryptoKey | string
  /** `kid` to put in the client assertion header (taken from a JWK's own `kid` when absent). */
  privateKeyId?: string
  /** Signing algorithm of a PEM private key (default RS256). */
  privateKeyAlg?: string
  /** PKCE with S256 (RFC 7636). On by default; `false` only for a provider that rejects it. */
  pkce?: boolean
  /**
   * Send and require an OpenID Connect `nonce` (default true with `openid`). `false` only for a
   * provider that never returns one (LinkedIn): the ID token must then carry no nonce at all.
   */
  nonce?: boolean
  /** `form_post` for providers that POST the callback (Sign in with Apple). Default: query. */
  responseMode?: 'query' | 'form_post'
  /** The ID token `alg` expected; default: the provider's advertised algorithms, else RS256. */
  idTokenSignedResponseAlg?: string
  /**
   * Audiences an ID token (or a signed userinfo response) may name besides this client, when the
   * provider issues tokens for several of your clients at once. Any other extra audience is refused,
   * and a token with several audiences must name this client as `azp` (OIDC Core §3.1.3.7).
   */
  trustedAudiences?: string[]
  /**
   * The provider's public keys, inline (`{ keys: [...] }`): ID tokens and signed userinfo are
   * verified with these and no JWKS is fetched. Public keys only; a key with private parts is refused.
   */
  jwks?: JWKS
  /**
   * Ask for userinfo as a signed JWT with this `alg` (the client's registered
   * `userinfo_signed_response_alg`): a plain JSON answer is then refused. Any JWT userinfo answer, asked
   * for or not, is verified with the provider's keys and must carry this app's `iss` and `aud`.
   */
  userinfoSignedResponseAlg?: string
  /** Clock tolerance in seconds for ID token `exp`/`iat` (default 30, at most 300). */
  clockTolerance?: number
  /** Seconds before `expires_at` at which a token is refreshed (default 60). */
  leeway?: number
  /** Seconds server metadata and JWKS are cached (default 3600). */
  metadataTtl?: number
  /** Seconds a login transaction stays valid (default 600). */
  transactionTtl?: number
  /**
   * The issuer an ID token must carry, when it depends on the token (Microsoft Entra multi-tenant:
   * `https://login.microsoftonline.com/{tid}/v2.0`). Receives the unverified claims; the token is
   * then fully validated against the returned issuer. Default: the metadata issuer. An app with it
   * must ask for `openid` (checked at `register` and per login), and each login must return an ID token.
   */
  idTokenIssuer?: (claims: IdTokenClaims, metadataIssuer: string) => string
  /** `client_credentials` makes a machine-to-machine app: API calls fetch (and renew) its own token. */
  grantType?: 'authorization_code' | 'client_credentials'
  /**
   * Where API calls carry the access token: the `Authorization` header (default), or the URL query
   * (`uri`) for a legacy API that needs it — a token in a URL leaks into logs (RFC 9700 §4.3.2).
   */
  tokenPlacement?: 'header' | 'uri'
  /**
   * Pushed Authorization Requests (RFC 9126): `'required'` pushes every login's parameters to the
   * provider's PAR endpoint and sends the browser with only `client_id` and `request_uri` (a provider
   * without the endpoint is an error); `true` does so when the provider has the endpoint. A provider
   * whose metadata says `require_pushed_authorization_requests` gets PAR unless this is `false`, which
   * is then a `config_invalid` error at login.
   */
  pushedAuthorizationRequests?: boolean | 'required'
  /**
   * DPoP (RFC 9449): bind the user's tokens to a key pair made at login (ES256), sent as DPoP proofs
   * to the token endpoint and with every API call (`Authorization: DPoP …`). The token must come back
   * as `token_type: DPoP`. The private key is kept in the token (`dpop_jwk`), so store tokens sealed.
   */
  dpop?: boolean
  /**
   * A token response field holding the API base for that token (Salesforce's `instance_url`, the
   * org's own host): when a token carries it, relative URLs of `get`/`post`/… are joined to it instead
   * of `apiBaseUrl`, and its origin may receive that token. Only an `https:` URL is used (`http:` on
   * loopback or with `allowInsecureRequests`); any other value is refused as `untrusted_origin`.
   */
  apiBaseUrlFromToken?: string
  /** Compliance hooks for this provider's quirks. */
  hooks?: ComplianceHooks
  /** How `profile()` loads the user's profile; default: userinfo (or the ID token) claims. */
  profile?: ProfileLoader<unknown>
  /** Never set for OAuth 2 apps; its presence makes an app OAuth 1. */
  requestTokenUrl?: undefined
  /** Never set for OAuth 2 apps; its presence makes an app OpenID 2.0. */
  openIdEndpoint?: undefined
}

/** Normalise `scope` to a space-separated string. */
export function scopeString(scope: string | string[] | undefined): string | undefined {
  if (scope === undefined) return undefined
  const list = Array.isArray(scope) ? scope : scope.split(/\s+/)
  const joined = list.filter(Boolean).join(' ')
  return joined || undefined
}

/**
 * True for a `max_age` the callback can enforce: a plain non-negative integer of seconds (OIDC Core
 * §3.1.2.1), no sign, exponent, unit or leading zero a provider might read differently.
 */
export function isMaxAge(value: string): boolean {
  return /^(0|[1-9]\d{0,9})$/.test(value)
}

/** True when a scope asks for OpenID Connect. */
export function hasOpenId(scope: string | string[] | undefined): boolean {
  return (scopeString(scope) ?? '').split(' ').includes('openid')
}
