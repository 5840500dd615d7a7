/**
 * The device authorization grant (RFC 8628): codes for a device without a browser, then polling.
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import { ErrorCode, OAuthKitError } from '../../errors/error.js'
import { toOAuthKitError, tokenEndpointError } from '../../errors/upstream.js'
import { staticSecret } from '../client-auth.js'
import { scopeString } from '../config.js'
import type { OAuth2Endpoints } from '../endpoints.js'
import { tokenFromResponse } from '../id-token.js'
import type { OAuth2Token, TokenContext } from '../../types.js'
import { requireEndpoint, requireOpenIdForPolicy } from './shared.js'

/** RFC 8628 §3.2: the polling interval when the provider gives none. */
const DEFAULT_DEVICE_INTERVAL = 5
/** RFC 8628 §3.5: `slow_down` adds 5 seconds to the interval. */
const SLOW_DOWN_STEP = 5

/**
 * A device authorization response (RFC 8628 §3.2), wire names kept: show `user_code` and
 * `verification_uri` (or `verification_uri_complete`, e.g. as a QR code) to the user, then poll.
 *
 * @group Device flow
 */
export interface DeviceAuthorization {
  /** The code the device polls with. Keep it secret; never show it. */
  device_code: string
  /** The code the user enters at `verification_uri`. */
  user_code: string
  /** Where the user goes to enter `user_code`. */
  verification_uri: string
  /** `verification_uri` with the user code already in it, for a QR code or a link. */
  verification_uri_complete?: string
  /** Seconds the codes are valid for, from when the provider answered. */
  expires_in: number
  /** Seconds the device must wait between polls (5 when the provider gives none). */
  interval: number
  /**
   * When the codes expire, in seconds since the epoch, computed from `expires_in` on receipt.
   * Polling stops there; without it, `expires_in` counts from the start of polling.
   */
  expires_at?: number
}

/** Options of a device authorization request. @group Device flow */
export interface DeviceAuthorizationOptions {
  /** Scopes to ask for; default: the app's `scope`. */
  scope?: string | string[]
  /** Extra device authorization request parameters (`resource`, `audience`, …). */
  params?: Record<string, string>
}

/** Options of device token polling. @group Device flow */
export interface PollDeviceTokenOptions {
  /** Stops polling at once, sleeping or mid-request; the promise rejects with the signal's reason. */
  signal?: AbortSignal
  /** The request context, handed to `updateToken`. */
  ctx?: TokenContext
  /**
   * Waits `ms` milliseconds, rejecting with `signal.reason` when it aborts.
   * @internal
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>
  /**
   * The clock, in milliseconds since the epoch.
   * @internal
   */
  now?: () => number
}

/**
 * Start a device authorization: get the device and user codes for a device that cannot show a
 * browser (a TV, a CLI). Show `user_code` and `verification_uri` to the user, then poll for the
 * token with `pollDeviceToken`.
 *
 * @see RFC 8628 §3.1–3.2, https://www.rfc-editor.org/rfc/rfc8628#section-3.1
 */
export async function deviceAuthorization(
  app: OAuth2Endpoints,
  options: DeviceAuthorizationOptions = {},
): Promise<DeviceAuthorization> {
  const as = await app.metadata()
  requireEndpoint(app, as, 'device_authorization_endpoint')
  const params: Record<string, string> = { ...options.params }
  const scope = scopeString(options.scope ?? app.config.scope)
  requireOpenIdForPolicy(app, scope)
  if (scope) params.scope = scope
  let result: oauth.DeviceAuthorizationResponse
  try {
    const response = await oauth.deviceAuthorizationRequest(
      as,
      app.client,
      await app.clientAuth(),
      params,
      app.options('device'),
    )
    result = await oauth.processDeviceAuthorizationResponse(as, app.client, response)
  } catch (error) {
    throw toOAuthKitError(error, app.name, 'device', [staticSecret(app.config)])
  }
  const authorization: DeviceAuthorization = {
    device_code: result.device_code,
    user_code: result.user_code,
    verification_uri: result.verification_uri,
    expires_in: result.expires_in,
    interval: result.interval ?? DEFAULT_DEVICE_INTERVAL,
    expires_at: Math.floor(Date.now() / 1000) + result.expires_in,
  }
  if (result.verification_uri_complete !== undefined)
    authorization.verification_uri_complete = result.verification_uri_complete
  return authorization
}

/**
 * Poll the token endpoint until the user approves the device authorization: waits `interval`
 * seconds between polls, keeps polling on `authorization_pending`, adds 5 seconds on `slow_down`
 * and doubles the interval after a timeout. An ID token is validated (signature included). The token
 * is handed to `updateToken` once.
 *
 * Rejects with `access_denied` when the user refuses, with `token_error` and `error: 'expired_token'`
 * when the codes expire (or `expires_in` runs out), and with the signal's reason when aborted.
 *
 * @see RFC 8628 §3.4–3.5, https://www.rfc-editor.org/rfc/rfc8628#section-3.4
 */
export async function pollDeviceToken(
  app: OAuth2Endpoints,
  authorization: DeviceAuthorization,
  options: PollDeviceTokenOptions = {},
): Promise<OAuth2Token> {
  const { signal } = options
  const sleep = options.sleep ?? abortableSleep
  const now = options.now ?? Date.now
  signal?.throwIfAborted()
  if (typeof authorization?.device_code !== 'string' || authorization.device_code === '') {
    throw new OAuthKitError(
      ErrorCode.INVALID_REQUEST,
      `${app.name}: pollDeviceToken needs the device authorization's device_code`,
      { app: app.name },
    )
  }
  const lifetime = positive(authorization.expires_in) ?? 0
  const deadline =
    typeof authorization.expires_at === 'number'
      ? authorization.expires_at * 1000
      : now() + lifetime * 1000
  let interval = positive(authorization.interval) ?? DEFAULT_DEVICE_INTERVAL
  const as = await app.metadata()
  const clientAuth = await app.clientAuth()

  for (;;) {
    const wait = interval * 1000
    const left = deadline - now()
    // No poll is allowed before the interval has passed; if the codes expire first, none can succeed.
    if (left <= wait) {
      if (left > 0) await sleep(left, signal)
      signal?.throwIfAborted()
      throw deviceCodeExpired(app, 'the device authorization expired before it was approved')
    }
    await sleep(wait, signal)
    signal?.throwIfAborted()

    let result: oauth.TokenEndpointResponse
    let asForToken = as
    try {
      const response = await oauth.deviceCodeGrantRequest(
        as,
        app.client,
        clientAuth,
        authorization.device_code,
        { ...app.options('token'), signal },
      )
      asForToken = { ...as, issuer: await app.idTokens.issuerFor(response, as.issuer) }
      result = await oauth.processDeviceCodeResponse(asForToken, app.client, response)
    } catch (error) {
      if (signal?.aborted) throw signal.reason
      const refused = tokenEndpointError(error)
      if (refused?.error === 'authorization_pending') continue
      if (refused?.error === 'slow_down') {
        interval += SLOW_DOWN_STEP
        continue
      }
      if (refused?.error === 'expired_token')
        throw deviceCodeExpired(app, 'the device code expired before it was approved', refused)
      if (refused?.error === 'access_denied') {
        throw new OAuthKitError(
          ErrorCode.ACCESS_DENIED,
          `${app.name}: the user denied the device authorization`,
          {
            app: app.name,
            error: refused.error,
            errorDescription: refused.description,
            status: refused.status,
          },
        )
      }
      const failure = toOAuthKitError(error, app.name, 'token', [
        authorization.device_code,
        staticSecret(app.config),
      ])
      // RFC 8628 §3.5: after a connection timeout, poll less often before trying again.
      if (failure.code === ErrorCode.TIMEOUT) {
        interval *= 2
        continue
      }
      throw failure
    }
    const token = await tokenFromResponse(app, asForToken, result)
    signal?.throwIfAborted()
    await app.persist(token, { reason: 'device_code', ctx: options.ctx })
    return token
  }
}

/**
 * One poll of the token endpoint for a device code (RFC 8628 §3.4), for a client polling through the
 * app's device route: `{ pending: 'authorization_pending' | 'slow_down' }` while the user has not
 * approved yet, else the token (its ID token validated). The token is returned, not handed to
 * `updateToken`: it belongs to the client that polls. A refusal (`access_denied`, `expired_token`) or
 * any other failure is thrown as in {@link pollDeviceToken}.
 *
 * @see RFC 8628 §3.4–3.5, https://www.rfc-editor.org/rfc/rfc8628#section-3.5
 */
export async function pollDeviceTokenOnce(
  app: OAuth2Endpoints,
  deviceCode: string,
): Promise<{ token: OAuth2Token } | { pending: 'authorization_pending' | 'slow_down' }> {
  if (typeof deviceCode !== 'string' || deviceCode === '') {
    throw new OAuthKitError(
      ErrorCode.INVALID_REQUEST,
      `${app.name}: the poll needs a device_code`,
      {
        app: app.name,
      },
    )
  }
  const as = await app.metadata()
  let asForToken = as
  let result: oauth.TokenEndpointResponse
  try {
    const response = await oauth.deviceCodeGrantRequest(
      as,
      app.client,
      await app.clientAuth(),
      deviceCode,
      app.options('token'),
    )
    asForToken = { ...as, issuer: await app.idTokens.issuerFor(response, as.issuer) }
    result = await oauth.processDeviceCodeResponse(asForToken, app.client, response)
  } catch (error) {
    const refused = tokenEndpointError(error)
    if (refused?.error === 'authorization_pending' || refused?.error === 'slow_down')
      return { pending: refused.error }
    if (refused?.error === 'expired_token')
      throw deviceCodeExpired(app, 'the device code expired before it was approved', refused)
    if (refused?.error === 'access_denied')
      throw new OAuthKitError(
        ErrorCode.ACCESS_DENIED,
        `${app.name}: the user denied the device authorization`,
        { app: app.name, error: refused.error, status: refused.status },
      )
    throw toOAuthKitError(error, app.name, 'token', [deviceCode, staticSecret(app.config)])
  }
  return { token: await tokenFromResponse(app, asForToken, result) }
}

function deviceCodeExpired(
  app: OAuth2Endpoints,
  why: string,
  refused?: { description?: string; status: number },
): OAuthKitError {
  return new OAuthKitError(
    ErrorCode.TOKEN_ERROR,
    `${app.name}: ${why}; start a new device authorization`,
    {
      app: app.name,
      error: 'expired_token',
      errorDescription: refused?.description,
      status: refused?.status,
    },
  )
}

function positive(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined
}

function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal!.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
