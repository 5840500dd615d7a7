/**
 * The routes of clients that must not hold the app's client secret (a CLI, a native or single-page
 * app): `token` exchanges their authorization code (with PKCE) or refresh token, `device` starts the
 * device flow and polls it. Both speak JSON, read no cookie and keep nothing: the tokens go back to
 * the client that asked.
 *
 * @module
 */
import type { BoundOAuth2App } from '../bound.js'
import { isOAuthKitError } from '../errors/error.js'
import { isLoopbackIp } from '../http/loopback.js'
import type { OAuth2Token } from '../types.js'
import { formOf, invalidRequest, json, oauthErrorAnswer } from './answers.js'

/** Options of the `token` route: which redirect URIs its clients may exchange codes for. @group Routes */
export interface TokenRouteOptions {
  /**
   * The redirect URIs the clients use, each compared exactly (scheme, host, port, path and query) with
   * the `redirect_uri` of the request; anything else is refused (`invalid_request`) before the provider
   * is asked.
   */
  redirectUris: readonly string[]
  /**
   * RFC 8252 §7.3: a loopback IP redirect URI of the list (`http://127.0.0.1/…`, `http://[::1]/…`)
   * matches the same URI with any port, since a native app listens on whichever port is free. Default
   * false: ports compared too.
   */
  loopbackAnyPort?: boolean
}

/** Options of the `device` route. @group Routes */
export interface DeviceRouteOptions {
  /** Scopes the device flow asks for (default: the app's `scope`); the client cannot choose others. */
  scope?: string | string[]
}

/** True when `uri` is allowed by `options`: exactly listed, or a listed loopback IP URI on another port. */
export function redirectUriAllowed(uri: string, options: TokenRouteOptions): boolean {
  if (options.redirectUris.includes(uri)) return true
  if (!options.loopbackAnyPort || !URL.canParse(uri)) return false
  const url = new URL(uri)
  // The listed URI with the request's port: RFC 8252 §7.3 and §8.3, for loopback IP literals over http
  // only, not names ("localhost", "127.localhost"); the URI must be written as the listed one is.
  return options.redirectUris.some((listed) => {
    if (!URL.canParse(listed)) return false
    const allowed = new URL(listed)
    if (allowed.protocol !== 'http:' || !isLoopbackIp(allowed)) return false
    allowed.port = url.port
    return allowed.href === url.href && uri === url.href
  })
}

/** A token as the token endpoint would answer it (RFC 6749 §5.1): wire fields, `expires_in` counted now. */
export function tokenAnswer(token: OAuth2Token): Response {
  const body: Record<string, unknown> = {
    access_token: token.access_token,
    token_type: token.token_type,
  }
  if (typeof token.expires_at === 'number')
    body.expires_in = Math.max(0, token.expires_at - Math.floor(Date.now() / 1000))
  // JSON leaves out the ones the token does not have.
  for (const key of ['refresh_token', 'id_token', 'scope'] as const) body[key] = token[key]
  return json(body)
}

/**
 * `POST …/token`, form-encoded: `grant_type=authorization_code` with `code`, `redirect_uri` (in the
 * allow-list) and `code_verifier` (required), and `nonce` when the authorization request sent one; or
 * `grant_type=refresh_token` with `refresh_token`. Without `grant_type`, a `code` or `refresh_token`
 * names it. Answers the token as JSON, or an RFC 6749 §5.2 error.
 */
export async function tokenRoute(
  app: BoundOAuth2App,
  request: Request,
  options: TokenRouteOptions,
): Promise<Response> {
  try {
    const form = await formOf(request)
    const grant =
      form.get('grant_type') ??
      (form.has('code')
        ? 'authorization_code'
        : form.has('refresh_token')
          ? 'refresh_token'
          : undefined)
    if (grant === 'authorization_code') {
      const redirectUri = required(form, 'redirect_uri')
      if (!redirectUriAllowed(redirectUri, options))
        throw invalidRequest('redirect_uri is not one this app allows its clients to use')
      const nonce = form.get('nonce')
      const token = await app.app.exchangeCode({
        code: required(form, 'code'),
        redirectUri,
        codeVerifier: required(form, 'code_verifier'),
        ...(nonce === null ? {} : { nonce }),
      })
      return tokenAnswer(token)
    }
    if (grant === 'refresh_token') {
      const refresh = required(form, 'refresh_token')
      const token = await app.app.refreshToken(
        { access_token: '', token_type: 'bearer', refresh_token: refresh },
        { persist: false },
      )
      return tokenAnswer(token)
    }
    return json(
      {
        error: 'unsupported_grant_type',
        error_description: 'grant_type must be authorization_code or refresh_token',
      },
      400,
    )
  } catch (error) {
    if (isOAuthKitError(error)) return oauthErrorAnswer(error)
    throw error
  }
}

/**
 * `POST …/device`, form-encoded: without `device_code` it starts a device authorization (RFC 8628
 * §3.1) and answers `device_code`, `user_code`, `verification_uri` (`verification_uri_complete`),
 * `expires_in` and `interval`; with `device_code` it polls once (§3.4) and answers the token, or 400
 * `authorization_pending` / `slow_down` (§3.5) while the user has not approved.
 */
export async function deviceRoute(
  app: BoundOAuth2App,
  request: Request,
  options: DeviceRouteOptions,
): Promise<Response> {
  try {
    const form = await formOf(request)
    const deviceCode = form.get('device_code')
    if (deviceCode === null) {
      const started = await app.app.deviceAuthorization(
        options.scope === undefined ? {} : { scope: options.scope },
      )
      const { expires_at: _expiresAt, ...body } = started
      return json(body)
    }
    if (deviceCode === '') throw invalidRequest('device_code is empty')
    const polled = await app.app.pollDeviceTokenOnce(deviceCode)
    if ('pending' in polled)
      return json(
        {
          error: polled.pending,
          error_description:
            polled.pending === 'slow_down'
              ? 'polling too often: wait 5 seconds more between polls'
              : 'the user has not approved the device yet',
        },
        400,
      )
    return tokenAnswer(polled.token)
  } catch (error) {
    if (isOAuthKitError(error)) return oauthErrorAnswer(error)
    throw error
  }
}

function required(form: URLSearchParams, key: string): string {
  const value = form.get(key)
  if (value === null || value === '') throw invalidRequest(`the ${key} parameter is missing`)
  return value
}
