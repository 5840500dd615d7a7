/**
 * Every translation of an oauth4webapi failure (and of whatever else a protocol step threw) into an
 * {@link OAuthKitError}: one place, pinned by test/errors-upstream.test.ts, so an oauth4webapi upgrade
 * that changes an error class, code or message fails loudly there.
 *
 * Messages never carry a token, code, verifier or secret: the provider's words go through
 * `providerText`, which also removes any secret of the exchange the provider echoed.
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import { ErrorCode, OAuthKitError, isOAuthKitError } from './error.js'
import { providerText } from './provider-text.js'

/** A step of the protocol, used to pick hooks and to word errors. */
export type Step =
  | 'metadata'
  | 'jwks'
  | 'token'
  | 'refresh'
  | 'userinfo'
  | 'revocation'
  | 'introspection'
  | 'device'
  | 'request_token'
  | 'registration'
  | 'api'
  | 'check_authentication'
  | 'discovery'
  | 'par'

/** Words for a step in an error message. */
export function describe(step: Step): string {
  switch (step) {
    case 'metadata':
      return 'server metadata endpoint'
    case 'jwks':
      return 'JWKS endpoint'
    case 'token':
    case 'refresh':
      return 'token endpoint'
    case 'userinfo':
      return 'userinfo endpoint'
    case 'revocation':
      return 'revocation endpoint'
    case 'introspection':
      return 'introspection endpoint'
    case 'device':
      return 'device authorization endpoint'
    case 'request_token':
      return 'request token endpoint'
    case 'registration':
      return 'client registration endpoint'
    case 'api':
      return 'API'
    case 'check_authentication':
      return 'OpenID provider (check_authentication)'
    case 'discovery':
      return 'claimed identifier (discovery)'
    case 'par':
      return 'pushed authorization request endpoint'
  }
}

/**
 * Keep only name, code and message of an underlying error: oauth4webapi attaches response bodies and
 * claims as `cause`, and those can hold tokens that must never reach a log.
 */
export function sanitize(error: unknown): Error | undefined {
  if (!(error instanceof Error)) return undefined
  const copy = new Error(error.message)
  copy.name = error.name
  const code = (error as { code?: unknown }).code
  if (typeof code === 'string')
    Object.defineProperty(copy, 'code', { value: code, enumerable: true })
  return copy
}

/**
 * Turn whatever a step threw into an {@link OAuthKitError} with the right code.
 */
export function toOAuthKitError(
  error: unknown,
  app: string,
  step: Step,
  secrets: ReadonlyArray<string | undefined> = [],
): OAuthKitError {
  if (isOAuthKitError(error)) return error
  const where = describe(step)
  const cause = sanitize(error)
  if (error instanceof oauth.ResponseBodyError) {
    // A provider that echoes what it was sent (code, verifier, refresh token, secret) must not put it in a log.
    const fields = {
      app,
      cause,
      error: providerText(error.error, secrets),
      errorDescription: providerText(error.error_description, secrets),
      status: error.status,
    }
    if (error.error === 'access_denied')
      return new OAuthKitError(
        ErrorCode.ACCESS_DENIED,
        `${app}: the ${where} answered access_denied`,
        fields,
      )
    const code =
      step === 'metadata'
        ? ErrorCode.METADATA_INVALID
        : step === 'userinfo'
          ? ErrorCode.USERINFO_INVALID
          : step === 'registration'
            ? ErrorCode.REGISTRATION_ERROR
            : ErrorCode.TOKEN_ERROR
    return new OAuthKitError(
      code,
      `${app}: the ${where} answered with error "${fields.error ?? ''}"${fields.errorDescription ? `: ${fields.errorDescription}` : ''}`,
      fields,
    )
  }
  if (error instanceof oauth.WWWAuthenticateChallengeError) {
    const challenge = error.cause[0]
    const providerError = providerText(challenge?.parameters.error, secrets)
    const tokenSteps: Step[] = ['token', 'refresh', 'revocation', 'introspection', 'device']
    return new OAuthKitError(
      step === 'userinfo'
        ? ErrorCode.USERINFO_INVALID
        : tokenSteps.includes(step) && providerError
          ? ErrorCode.TOKEN_ERROR
          : ErrorCode.HTTP_ERROR,
      `${app}: the ${where} refused the request with HTTP ${error.status}${providerError ? ` (${providerError})` : ''}`,
      {
        app,
        cause,
        status: error.status,
        error: providerError,
        errorDescription: providerText(challenge?.parameters.error_description, secrets),
      },
    )
  }
  if (error instanceof oauth.UnsupportedOperationError) {
    if (/token_type/.test(error.message)) {
      return new OAuthKitError(
        ErrorCode.UNSUPPORTED_TOKEN_TYPE,
        `${app}: the ${where} returned a token_type oauthkit cannot use`,
        { app, cause },
      )
    }
    return new OAuthKitError(ErrorCode.UNSUPPORTED_OPERATION, `${app}: ${error.message}`, {
      app,
      cause,
    })
  }
  if (error instanceof oauth.OperationProcessingError) {
    const details = error.cause as
      { claims?: unknown; header?: unknown; status?: unknown } | Response | undefined
    if (error.code === oauth.RESPONSE_IS_NOT_CONFORM) {
      const status = details instanceof Response ? details.status : undefined
      return new OAuthKitError(
        step === 'metadata' ? ErrorCode.METADATA_INVALID : ErrorCode.HTTP_ERROR,
        `${app}: the ${where} answered with unexpected HTTP status ${status ?? ''}`.trimEnd(),
        { app, cause, status },
      )
    }
    if (step === 'metadata')
      return new OAuthKitError(
        ErrorCode.METADATA_INVALID,
        `${app}: invalid server metadata: ${error.message}`,
        { app, cause },
      )
    const aboutJwt =
      error.code === oauth.JWT_CLAIM_COMPARISON ||
      error.code === oauth.JWT_TIMESTAMP_CHECK ||
      error.code === oauth.KEY_SELECTION ||
      /\bJWT\b|ID Token/.test(error.message) ||
      (details !== undefined &&
        !(details instanceof Response) &&
        ('claims' in details || 'header' in details))
    if (aboutJwt && (step === 'token' || step === 'refresh')) {
      return new OAuthKitError(
        ErrorCode.ID_TOKEN_INVALID,
        `${app}: the ID token is invalid: ${error.message}`,
        { app, cause },
      )
    }
    if (step === 'userinfo')
      return new OAuthKitError(
        ErrorCode.USERINFO_INVALID,
        `${app}: invalid userinfo response: ${error.message}`,
        { app, cause },
      )
    return new OAuthKitError(
      ErrorCode.INVALID_RESPONSE,
      `${app}: invalid ${where} response: ${error.message}`,
      { app, cause },
    )
  }
  if (error instanceof TypeError && typeof (error as { code?: unknown }).code === 'string') {
    return new OAuthKitError(ErrorCode.INVALID_REQUEST, `${app}: ${error.message}`, { app, cause })
  }
  return new OAuthKitError(
    ErrorCode.INVALID_RESPONSE,
    `${app}: the ${where} step failed: ${error instanceof Error ? error.message : String(error)}`,
    { app, cause },
  )
}

/** The implicit and hybrid grants, refused by design. */
export function implicitRefused(app: string): OAuthKitError {
  return new OAuthKitError(
    ErrorCode.UNSUPPORTED_OPERATION,
    `${app}: the implicit and hybrid grants are refused (RFC 9700 §2.1.2): use the authorization code grant with PKCE, which authorizeRedirect does`,
    { app },
  )
}

/** A callback that oauth4webapi's `validateAuthResponse` refused: the provider's error, or an RFC 9207 `iss` failure. */
export function authorizationResponseError(error: unknown, app: string): OAuthKitError {
  if (error instanceof oauth.AuthorizationResponseError) {
    // The callback's text is the attacker's to choose: cleaned before it reaches a message or a log.
    const fields = {
      app,
      error: providerText(error.error),
      errorDescription: providerText(error.error_description),
      errorUri: providerText(error.cause.get('error_uri')),
    }
    const said = fields.errorDescription ? `: ${fields.errorDescription}` : ''
    if (error.error === 'access_denied')
      return new OAuthKitError(
        ErrorCode.ACCESS_DENIED,
        `${app}: the authorization was denied${said}`,
        fields,
      )
    return new OAuthKitError(
      ErrorCode.AUTHORIZATION_ERROR,
      `${app}: the provider answered with error "${fields.error ?? ''}"${said}`,
      fields,
    )
  }
  if (error instanceof oauth.OperationProcessingError) {
    if (/"iss" \(issuer\) missing/.test(error.message)) {
      return new OAuthKitError(
        ErrorCode.ISSUER_MISSING,
        `${app}: the callback has no iss parameter, but the provider advertises it (RFC 9207)`,
        { app },
      )
    }
    if (/"iss" \(issuer\)/.test(error.message)) {
      return new OAuthKitError(
        ErrorCode.ISSUER_MISMATCH,
        `${app}: the callback's iss is not the expected issuer (RFC 9207; possible mix-up attack)`,
        { app },
      )
    }
    return new OAuthKitError(
      ErrorCode.INVALID_AUTHORIZATION_RESPONSE,
      `${app}: invalid authorization response: ${error.message}`,
      { app },
    )
  }
  if (error instanceof oauth.UnsupportedOperationError) return implicitRefused(app)
  return toOAuthKitError(error, app, 'token')
}

/** A userinfo response oauth4webapi refused: a `sub` that is not the ID token's, or any other failure. */
export function userinfoError(
  error: unknown,
  app: string,
  secrets: ReadonlyArray<string | undefined>,
): OAuthKitError {
  const cause =
    error instanceof oauth.OperationProcessingError
      ? (error.cause as { attribute?: unknown } | undefined)
      : undefined
  if (
    error instanceof oauth.OperationProcessingError &&
    error.code === oauth.JSON_ATTRIBUTE_COMPARISON &&
    cause?.attribute === 'sub'
  ) {
    return new OAuthKitError(
      ErrorCode.USERINFO_INVALID,
      `${app}: the userinfo sub differs from the ID token's sub`,
      { app, cause: sanitize(error) },
    )
  }
  return toOAuthKitError(error, app, 'userinfo', secrets)
}

/**
 * The OAuth error of a token endpoint's error body (RFC 6749 §5.2), for callers that act on it
 * (device polling: `authorization_pending`, `slow_down`, …); undefined for any other failure.
 */
export function tokenEndpointError(
  error: unknown,
): { error: string; description?: string; status: number } | undefined {
  if (!(error instanceof oauth.ResponseBodyError)) return undefined
  const description = providerText(error.error_description)
  return description === undefined
    ? { error: error.error, status: error.status }
    : { error: error.error, description, status: error.status }
}
