/**
 * Every failure oauthkit reports is an {@link OAuthKitError} with a stable {@link ErrorCode}.
 *
 * Messages never contain a secret, an authorization code, a PKCE verifier or a token: they name the
 * app, the step and the field at fault, and keep the provider's own `error` / `error_description`.
 *
 * @module
 */

/**
 * The stable codes carried by {@link OAuthKitError.code}. Match on these, never on messages.
 *
 * @group Errors
 */
export const ErrorCode = {
  /** The app's configuration is invalid (raised by `register`, naming the app and the field). */
  CONFIG_INVALID: 'config_invalid',
  /** `create(name)` was given a name that was never registered. */
  APP_NOT_FOUND: 'app_not_found',
  /** `register(name)` was called twice for one name without `overwrite: true`. */
  APP_ALREADY_REGISTERED: 'app_already_registered',
  /** The provider redirected back with an `error` parameter (see {@link OAuthKitError.error}). */
  AUTHORIZATION_ERROR: 'authorization_error',
  /** The user (or provider) refused the authorization request (`error=access_denied`, OAuth 1 `denied`). */
  ACCESS_DENIED: 'access_denied',
  /** The callback carries no `state` (or, for OAuth 1, no `oauth_token`). */
  STATE_MISSING: 'state_missing',
  /** No transaction for this state: never started in this browser, already used, or its cookie was lost. */
  TRANSACTION_NOT_FOUND: 'transaction_not_found',
  /** The transaction is older than its lifetime (10 minutes by default). */
  TRANSACTION_EXPIRED: 'transaction_expired',
  /** The transaction cookie was tampered with, truncated, or sealed with another secret. */
  TRANSACTION_INVALID: 'transaction_invalid',
  /** The transaction was started by another registered app (mix-up defence). */
  APP_MISMATCH: 'app_mismatch',
  /** RFC 9207: the authorization response `iss` differs from the expected issuer. */
  ISSUER_MISMATCH: 'issuer_mismatch',
  /** RFC 9207: the provider advertises `iss` in authorization responses but this one has none. */
  ISSUER_MISSING: 'issuer_missing',
  /** The authorization response is malformed (duplicated parameters, missing `code`, …). */
  INVALID_AUTHORIZATION_RESPONSE: 'invalid_authorization_response',
  /** The token endpoint answered with an OAuth error (`invalid_grant`, `invalid_client`, …). */
  TOKEN_ERROR: 'token_error',
  /** The ID token failed validation (signature, alg, iss, aud, azp, exp, iat, nonce, sub). */
  ID_TOKEN_INVALID: 'id_token_invalid',
  /** The userinfo response is invalid, or its `sub` differs from the ID token's. */
  USERINFO_INVALID: 'userinfo_invalid',
  /** The server metadata could not be fetched or is invalid (including an issuer mismatch). */
  METADATA_INVALID: 'metadata_invalid',
  /** A provider response could not be understood (not JSON, missing required members, wrong types). */
  INVALID_RESPONSE: 'invalid_response',
  /** A provider response body was larger than the configured limit. */
  RESPONSE_TOO_LARGE: 'response_too_large',
  /** A provider answered with an HTTP error status and no OAuth error body. */
  HTTP_ERROR: 'http_error',
  /** The request to the provider failed at the network level. */
  NETWORK_ERROR: 'network_error',
  /** The provider did not answer within the configured timeout. */
  TIMEOUT: 'timeout',
  /** The provider answered with a token type oauthkit does not know how to use. */
  UNSUPPORTED_TOKEN_TYPE: 'unsupported_token_type',
  /** The operation is not supported or is refused by design (for example the implicit grant). */
  UNSUPPORTED_OPERATION: 'unsupported_operation',
  /** A required argument or callback request is missing or malformed. */
  INVALID_REQUEST: 'invalid_request',
  /** No token was passed and none could be fetched with `fetchToken`. */
  TOKEN_MISSING: 'token_missing',
  /** The token could not be refreshed; the user has to sign in again. */
  REAUTHENTICATION_REQUIRED: 'reauthentication_required',
  /** The OAuth 1.0a provider misbehaved (e.g. no `oauth_callback_confirmed=true`). */
  OAUTH1_ERROR: 'oauth1_error',
  /**
   * An API call was refused before anything was sent: its URL is on an origin the app does not send
   * credentials to (not `apiBaseUrl`'s, not the provider's endpoints, not in `trustedOrigins`), or
   * plain `http:` to a host that is not loopback.
   */
  UNTRUSTED_ORIGIN: 'untrusted_origin',
  /**
   * The cross-process refresh lock (`redisLock`) stayed taken longer than its `waitMs`: another
   * process holds it and keeps renewing its lease. Nothing was refreshed or stored.
   */
  LOCK_TIMEOUT: 'lock_timeout',
  /**
   * This process held the refresh lock, but its lease ran out (the process stalled) and another
   * holder took the lock over: the token it got is not written back (fencing), so it cannot
   * overwrite the newer holder's.
   */
  LOCK_LOST: 'lock_lost',
  /**
   * The app uses DPoP (`dpop: true`) but the token endpoint answered with a token that is not
   * DPoP-bound (`token_type` other than `DPoP`): a downgrade to a bearer token, refused; nothing is stored.
   */
  DPOP_NOT_BOUND: 'dpop_not_bound',
  /**
   * A token read from the registry's `store` does not unseal: it was sealed with a secret the registry
   * no longer has (add the old one to the `{ id: password }` rotation map), tampered with, or copied
   * from another user's or app's entry.
   */
  TOKEN_STORE_INVALID: 'token_store_invalid',
  /**
   * An OpenID 2.0 positive assertion failed verification: the provider's `check_authentication` did not
   * answer `is_valid:true`, a required field is unsigned, `return_to` or `op_endpoint` differ from what
   * this login expects, the `response_nonce` is stale or was already used, or the claimed identifier
   * does not belong to the configured provider.
   */
  OPENID_ASSERTION_INVALID: 'openid_assertion_invalid',
  /**
   * A state-changing route (sign-out) was called from another site: its `Origin` is not the app's, or
   * without `Origin` its `Sec-Fetch-Site` is not `same-origin` (cross-site request forgery refused).
   */
  CROSS_SITE_REQUEST: 'cross_site_request',
  /**
   * The bearer guard refused a token presented to the app's own API: malformed, signed by a key or
   * with an algorithm it does not accept, from an untrusted issuer, for another audience, expired,
   * not yet valid, or inactive at introspection (RFC 6750 §3.1 `invalid_token`).
   */
  INVALID_TOKEN: 'invalid_token',
  /** The bearer guard found a valid token without a scope the route needs (RFC 6750 §3.1). */
  INSUFFICIENT_SCOPE: 'insufficient_scope',
  /**
   * The client registration endpoint refused to register the client (RFC 7591 §3.2.2:
   * `invalid_redirect_uri`, `invalid_client_metadata`, …), named in the error's `error` field.
   */
  REGISTRATION_ERROR: 'registration_error',
} as const

/** One of the values of {@link ErrorCode}. @group Errors */
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode]

const BRAND = Symbol.for('oauthkit.error')

/** Details attached to an {@link OAuthKitError}. @group Errors */
export interface OAuthKitErrorOptions {
  /** The app the error belongs to, when there is one. */
  app?: string
  /** The provider's OAuth `error` value (RFC 6749 §4.1.2.1, §5.2). */
  error?: string
  /** The provider's `error_description`. */
  errorDescription?: string
  /** The provider's `error_uri`. */
  errorUri?: string
  /** HTTP status of the provider response, when the error came from one. */
  status?: number
  /** The underlying error. */
  cause?: unknown
}

/**
 * The one error class oauthkit throws.
 *
 * @example
 * ```ts
 * try {
 *   await app.authorizeAccessToken(ctx)
 * } catch (err) {
 *   if (isOAuthKitError(err) && err.code === ErrorCode.ACCESS_DENIED) return redirect('/signin')
 *   throw err
 * }
 * ```
 * @group Errors
 */
export class OAuthKitError extends Error {
  override readonly name = 'OAuthKitError'
  /** Stable, machine-readable code. */
  readonly code: ErrorCode
  /** The app the error belongs to, when there is one. */
  readonly app?: string
  /** The provider's OAuth `error` value, when the provider sent one. */
  readonly error?: string
  /** The provider's `error_description`, when it sent one. */
  readonly errorDescription?: string
  /** The provider's `error_uri`, when it sent one. */
  readonly errorUri?: string
  /** HTTP status of the provider response, when there was one. */
  readonly status?: number

  constructor(code: ErrorCode, message: string, options: OAuthKitErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    if (options.app !== undefined) this.app = options.app
    if (options.error !== undefined) this.error = options.error
    if (options.errorDescription !== undefined) this.errorDescription = options.errorDescription
    if (options.errorUri !== undefined) this.errorUri = options.errorUri
    if (options.status !== undefined) this.status = options.status
    Object.defineProperty(this, BRAND, { value: true })
  }
}

/**
 * True when `value` is an {@link OAuthKitError}, also when it comes from another copy of oauthkit
 * (two versions in one bundle), where `instanceof` would answer false.
 *
 * @param code - when given, also require this code.
 * @group Errors
 */
export function isOAuthKitError(value: unknown, code?: ErrorCode): value is OAuthKitError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[BRAND] === true &&
    (code === undefined || (value as OAuthKitError).code === code)
  )
}
