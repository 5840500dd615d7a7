/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0): the provider's logout URL and a redirect to it.
 *
 * @module
 */
import { ErrorCode, OAuthKitError } from '../../errors/error.js'
import { isLoopback } from '../../http/loopback.js'
import type { OAuth2Endpoints } from '../endpoints.js'
import type { OAuth2Token, UrlHook } from '../../types.js'

export interface LogoutOptions {
  /** The ID token (or the token holding it) of the session to end; the provider may skip its confirmation. */
  idTokenHint?: string | OAuth2Token
  /** Where the provider sends the user after the logout; must be registered with the provider. */
  postLogoutRedirectUri?: string
  /** An opaque value the provider passes back to `postLogoutRedirectUri`. */
  state?: string
  /** Extra logout request parameters (`ui_locales`, `logout_hint`, …). */
  params?: Record<string, string>
}

/**
 * The URL that ends the user's session at the provider: its `end_session_endpoint` with
 * `client_id`, `id_token_hint` (the token's ID token when a token is given), `post_logout_redirect_uri`
 * and `state`. Throws `metadata_invalid` when the provider has no end_session_endpoint, or one that
 * is not https (http only on loopback, or with `allowInsecureRequests`).
 *
 * @see OpenID Connect RP-Initiated Logout 1.0 §2, https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export async function createLogoutUrl(
  app: OAuth2Endpoints,
  options: LogoutOptions = {},
): Promise<URL> {
  if (options.postLogoutRedirectUri !== undefined && !URL.canParse(options.postLogoutRedirectUri)) {
    throw new OAuthKitError(
      ErrorCode.INVALID_REQUEST,
      `${app.name}: postLogoutRedirectUri is not an absolute URL`,
      { app: app.name },
    )
  }
  const as = await app.metadata()
  if (typeof as.end_session_endpoint !== 'string' || !URL.canParse(as.end_session_endpoint)) {
    throw new OAuthKitError(
      ErrorCode.METADATA_INVALID,
      `${app.name}: the provider has no end_session_endpoint (RP-initiated logout is not supported)`,
      { app: app.name },
    )
  }
  const url = new URL(as.end_session_endpoint)
  // The logout URL carries id_token_hint through the browser: TLS (OIDC Core §16.17), except loopback or an app that allows http.
  if (
    url.protocol !== 'https:' &&
    !(url.protocol === 'http:' && (isLoopback(url) || app.config.allowInsecureRequests === true))
  ) {
    throw new OAuthKitError(
      ErrorCode.METADATA_INVALID,
      `${app.name}: the end_session_endpoint must use https: (got ${url.protocol}${url.protocol === 'http:' ? ' on a non-loopback host' : ''})`,
      { app: app.name },
    )
  }
  const query: Record<string, string> = { ...options.params, client_id: app.config.clientId }
  const hint =
    typeof options.idTokenHint === 'string' ? options.idTokenHint : options.idTokenHint?.id_token
  if (hint) query.id_token_hint = hint
  if (options.postLogoutRedirectUri !== undefined)
    query.post_logout_redirect_uri = options.postLogoutRedirectUri
  if (options.state !== undefined) query.state = options.state
  for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value)
  let final = url
  for (const hook of [app.config.hooks?.logoutUrl ?? []].flat() as UrlHook[])
    final = (await hook(final)) ?? final
  return final
}

/**
 * A 302 redirect to the logout URL of `createLogoutUrl`, not cached. Clear the app's own session too.
 *
 * @see OpenID Connect RP-Initiated Logout 1.0 §2, https://openid.net/specs/openid-connect-rpinitiated-1_0.html#RPLogout
 */
export async function logoutRedirect(
  app: OAuth2Endpoints,
  options: LogoutOptions = {},
): Promise<Response> {
  const url = await createLogoutUrl(app, options)
  return new Response(null, {
    status: 302,
    headers: { location: url.href, 'cache-control': 'no-store' },
  })
}

/** A token response → token, with an ID token's signature verified and its claims as `userinfo`. */
