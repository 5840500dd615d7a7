/**
 * Pushed Authorization Requests (RFC 9126): the authorization request's parameters go to the
 * provider's PAR endpoint over a back channel (client authenticated), and the browser is sent to the
 * authorization endpoint with only `client_id` and the `request_uri` the provider answered.
 *
 * When PAR is used: the app sets `pushedAuthorizationRequests: 'required'` (always; a provider without
 * the endpoint is an error), or `true` (when the provider has the endpoint), or the provider's metadata
 * says `require_pushed_authorization_requests: true` (then always, unless the app set `false`, which
 * is a configuration error at login).
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import { configError } from '../app/config.js'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import { toOAuthKitError } from '../errors/upstream.js'
import { staticSecret } from './client-auth.js'
import type { OAuth2Endpoints } from './endpoints.js'

/** True when this login pushes its request; throws when the app and the provider disagree. */
export function usesPar(app: OAuth2Endpoints, as: oauth.AuthorizationServer): boolean {
  const { name, config } = app
  const setting = config.pushedAuthorizationRequests
  const endpoint = typeof as.pushed_authorization_request_endpoint === 'string'
  if (as.require_pushed_authorization_requests === true) {
    if (setting === false)
      throw configError(
        name,
        'pushedAuthorizationRequests',
        'is false, but the provider requires pushed authorization requests (require_pushed_authorization_requests in its metadata); remove the setting',
      )
    if (!endpoint) throw noEndpoint(name, 'the provider requires pushed authorization requests')
    return true
  }
  if (setting === 'required') {
    if (!endpoint) throw noEndpoint(name, "the app sets pushedAuthorizationRequests: 'required'")
    return true
  }
  return setting === true && endpoint
}

function noEndpoint(name: string, why: string): OAuthKitError {
  return new OAuthKitError(
    ErrorCode.METADATA_INVALID,
    `${name}: ${why} but its metadata has no pushed_authorization_request_endpoint`,
    { app: name },
  )
}

/**
 * Push `query` (every authorization request parameter) and return the authorization URL the browser
 * goes to: `client_id` and `request_uri` only.
 */
export async function pushedAuthorizationUrl(
  app: OAuth2Endpoints,
  as: oauth.AuthorizationServer,
  query: Record<string, string>,
): Promise<URL> {
  const { name, config } = app
  const secrets = [query.code_challenge, query.nonce, query.state, staticSecret(config)]
  let result: oauth.PushedAuthorizationResponse
  try {
    const response = await oauth.pushedAuthorizationRequest(
      as,
      app.client,
      await app.clientAuth(),
      new URLSearchParams(query),
      app.options('par'),
    )
    result = await oauth.processPushedAuthorizationResponse(as, app.client, response)
  } catch (error) {
    throw toOAuthKitError(error, name, 'par', secrets)
  }
  // RFC 9126 §2.2: a request_uri and its lifetime in seconds; a provider that says otherwise is not followed.
  if (result.request_uri === '' || !(result.expires_in > 0 && result.expires_in <= 86_400)) {
    throw new OAuthKitError(
      ErrorCode.INVALID_RESPONSE,
      `${name}: the pushed authorization request endpoint answered without a usable request_uri and expires_in`,
      { app: name },
    )
  }
  const url = new URL(as.authorization_endpoint!)
  url.searchParams.set('client_id', config.clientId)
  url.searchParams.set('request_uri', result.request_uri)
  return url
}
