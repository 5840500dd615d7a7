/**
 * What several grants check: an endpoint the provider must have, and `openid` for apps that check ID tokens.
 *
 * @module
 */
import type * as oauth from 'oauth4webapi'
import { ErrorCode, OAuthKitError } from '../../errors/error.js'
import { hasOpenId } from '../config.js'
import type { OAuth2Endpoints } from '../endpoints.js'

/** An app that checks ID tokens (idTokenIssuer) must ask for one. */
export function requireOpenIdForPolicy(app: OAuth2Endpoints, scope: string | undefined): void {
  if (app.config.idTokenIssuer && !hasOpenId(scope)) {
    throw new OAuthKitError(
      ErrorCode.INVALID_REQUEST,
      `${app.name}: the scope must include openid: this app checks each ID token (idTokenIssuer)`,
      { app: app.name },
    )
  }
}

export type Endpoint =
  'device_authorization_endpoint' | 'revocation_endpoint' | 'introspection_endpoint'

export function requireEndpoint(
  app: OAuth2Endpoints,
  as: oauth.AuthorizationServer,
  endpoint: Endpoint,
): void {
  if (typeof as[endpoint] !== 'string') {
    throw new OAuthKitError(
      ErrorCode.METADATA_INVALID,
      `${app.name}: the provider has no ${endpoint}`,
      { app: app.name },
    )
  }
}
