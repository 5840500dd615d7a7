/**
 * The routes of the signed-in user: `logout` (the app's session, the tokens, and optionally the
 * provider's session) and `userinfo` (the user's claims as JSON).
 *
 * @module
 */
import type { BoundAppOf, BoundOAuth, BoundOAuth2App } from '../bound.js'
import { ErrorCode, OAuthKitError, isOAuthKitError } from '../errors/error.js'
import type { RemoteApp } from '../registry.js'
import type { UserSession } from '../session/user-session.js'
import type { AppToken } from '../types.js'
import { fromSameOrigin, json, seeOther } from './answers.js'

/** Options of the `logout` route. @group Routes */
export interface LogoutRouteOptions {
  /**
   * Also revoke the user's token of this app at the provider (RFC 7009; its refresh token when it has
   * one, which ends the grant) and delete every token of the user from the registry's `store`. Default
   * false: the tokens stay, for the app's offline use. Revocation is best effort: a provider that
   * fails does not keep the user signed in.
   */
  revoke?: boolean
  /**
   * RP-initiated logout: after the local sign-out, redirect to the provider's `end_session_endpoint`
   * with `id_token_hint` (from the stored token) and `post_logout_redirect_uri`, so the provider's
   * session ends too. Default false. An app whose provider publishes no `end_session_endpoint` (GitHub,
   * OAuth 1) signs out locally only.
   */
  endSession?: boolean
  /** Where the provider sends the user back (registered with it). Default: `returnTo` on the app's origin. */
  postLogoutRedirectUri?: string
  /** The same-origin path to land on after a local sign-out (default: `defaultReturnTo`, else `/`). */
  returnTo?: string
}

/** The session of the bound request, which the integrations set; a clear error when there is none. */
export function sessionOf(oauth: BoundOAuth<Record<string, RemoteApp>>): UserSession {
  const session = oauth.ctx.session
  if (!session)
    throw new TypeError(
      'authRoute: the context has no session; bind the registry with ctx.session = oauth.session(cookies, origin)',
    )
  return session
}

/** The signed-in user's stored token of `app`, or undefined (none, or it can no longer be used). */
async function storedToken(app: BoundAppOf<RemoteApp>): Promise<AppToken | undefined> {
  try {
    return await app.fetchToken()
  } catch (error) {
    const gone: string[] = [
      ErrorCode.TOKEN_MISSING,
      ErrorCode.REAUTHENTICATION_REQUIRED,
      ErrorCode.TOKEN_STORE_INVALID,
    ]
    if (isOAuthKitError(error) && gone.includes(error.code)) return undefined
    throw error
  }
}

/**
 * `POST …/logout`: only from the app's own pages (`Origin`, else `Sec-Fetch-Site: same-origin`;
 * otherwise `cross_site_request`), since a sign-out any site can trigger is a CSRF nuisance and a
 * GET one can be set off by an image. Destroys the session; with `revoke`, revokes the token and
 * deletes the user's tokens; with `endSession`, answers a 303 to the provider's logout, else a 303 to
 * `returnTo`.
 */
export async function logoutRoute(
  oauth: BoundOAuth<Record<string, RemoteApp>>,
  name: string,
  request: Request,
  origin: string,
  options: LogoutRouteOptions & { defaultReturnTo?: string },
): Promise<Response> {
  if (!fromSameOrigin(request, origin))
    throw new OAuthKitError(
      ErrorCode.CROSS_SITE_REQUEST,
      'sign-out refused: the request does not come from a page of this app (Origin / Sec-Fetch-Site)',
    )
  const session = sessionOf(oauth)
  const returnTo = options.returnTo ?? options.defaultReturnTo ?? '/'
  const signedIn = await session.get()
  const app = oauth.create(name)
  const token =
    signedIn && (options.revoke || options.endSession) ? await storedToken(app) : undefined
  let answer = seeOther(returnTo)
  // Made before anything is undone: a failure leaves the user signed in.
  if (options.endSession && app.kind === 'oauth2') {
    const oidc = app as BoundOAuth2App
    if ((await oidc.loadServerMetadata()).end_session_endpoint !== undefined) {
      const idToken = (token as { id_token?: unknown } | undefined)?.id_token
      const url = await oidc.createLogoutUrl({
        postLogoutRedirectUri: options.postLogoutRedirectUri ?? new URL(returnTo, origin).href,
        ...(typeof idToken === 'string' && idToken ? { idTokenHint: idToken } : {}),
      })
      answer = seeOther(url.href)
    }
  }
  session.destroy()
  if (signedIn && options.revoke) {
    if (token && app.kind === 'oauth2')
      await (app as BoundOAuth2App).revokeToken(token as never).catch(() => undefined)
    await oauth.tokens?.deleteUser(signedIn.userId)
  }
  return answer
}

/**
 * `GET …/userinfo`: the signed-in user's claims as JSON: the provider's userinfo (OpenID Connect
 * apps; the ID token's claims when the provider has no userinfo endpoint), else the normalised
 * profile. 401 `login_required` when nobody is signed in or the user's token is gone.
 */
export async function userinfoRoute(
  oauth: BoundOAuth<Record<string, RemoteApp>>,
  name: string,
): Promise<Response> {
  const loginRequired = (why: string) =>
    json({ error: 'login_required', error_description: why }, 401)
  if (!(await sessionOf(oauth).get())) return loginRequired('nobody is signed in')
  try {
    return await claimsOf(oauth, name, loginRequired)
  } catch (error) {
    if (!isOAuthKitError(error)) throw error
    // The provider no longer takes the token (revoked): the user has to sign in again.
    if (error.status === 401) return loginRequired(error.message)
    return json({ error: 'server_error', error_description: error.message }, 502)
  }
}

async function claimsOf(
  oauth: BoundOAuth<Record<string, RemoteApp>>,
  name: string,
  loginRequired: (why: string) => Response,
): Promise<Response> {
  const app = oauth.create(name)
  const token = await storedToken(app)
  if (!token) return loginRequired(`the signed-in user has no usable ${name} token`)
  if (app.kind === 'oauth2' && app.isOpenId) {
    const oidc = app as BoundOAuth2App
    const as = await oidc.loadServerMetadata()
    const claims = as.userinfo_endpoint ? await oidc.userinfo(token as never) : undefined
    return json(claims ?? ('userinfo' in token ? token.userinfo : {}))
  }
  return json(await app.profile(token as never))
}
