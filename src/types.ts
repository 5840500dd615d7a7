/**
 * Shared types: the request context, tokens, compliance hooks.
 *
 * @module
 */
import type { CookieStore } from './session/cookies.js'
import type { UserSession } from './session/user-session.js'

/**
 * What API calls hand to `fetchToken` / `updateToken`: the request, its cookies, or anything else
 * the app uses to find the signed-in user (`{ userId }`).
 *
 * @group Tokens
 */
export interface TokenContext {
  /** The incoming request. */
  request?: Request
  /** The request's cookies. */
  cookies?: CookieStore
  /**
   * The app's own id of the signed-in user (a string or a number): the key under which a registry
   * created with a `store` reads and writes this user's tokens. Set it in the integrations' `context`
   * option, or in `ctx` of a call.
   */
  userId?: string | number
  /** Anything else the app's token callbacks need. */
  [key: string]: unknown
}

/**
 * What a route handler hands to the core: the incoming request (needed on callbacks) and the cookies.
 * Integrations build it from their framework's request.
 *
 * @group Core
 */
export interface OAuthContext extends TokenContext {
  /** Where the login transaction is kept between the redirect and the callback. */
  cookies: CookieStore
  /**
   * A value of the browser's session known before the login starts (the app's session id). Its
   * SHA-256 is sealed into the login's transaction and the callback is refused unless its context
   * carries the same value, so a transaction planted in the browser cannot finish another session's
   * login. Set it on both the login and the callback context, or on neither.
   */
  binding?: string
  /**
   * The signed-in user's session (set by the integrations: `oauth.session(cookies, origin)`); its user id
   * is the context's `userId` when the integration's `context` gives none.
   */
  session?: UserSession
}

/**
 * A token set as the provider sent it, wire names kept so what the app persists is portable.
 * `expires_at` (seconds since the epoch) is computed from `expires_in` when the token is received.
 *
 * @group Tokens
 */
export interface OAuth2Token {
  access_token: string
  /** Lower-case as normalised by oauthkit (`bearer`, `dpop`, …). */
  token_type: string
  refresh_token?: string
  expires_in?: number
  /** Seconds since the epoch. */
  expires_at?: number
  scope?: string
  id_token?: string
  /** The validated ID token claims, when the login returned an ID token. */
  userinfo?: IdTokenClaims
  /**
   * The private key a DPoP-bound token (`token_type` `dpop`) is bound to, made at login by an app with
   * `dpop: true` (RFC 9449). Keep it with the token, sealed (the registry's `store` does): API calls
   * and refreshes prove possession of it.
   */
  dpop_jwk?: DPoPJwk
  [parameter: string]: unknown
}

/** The private key of a DPoP-bound token, as the token keeps it: an EC P-256 JWK with `d`. @group Tokens */
export interface DPoPJwk {
  kty: 'EC'
  crv: 'P-256'
  x: string
  y: string
  d: string
}

/**
 * OAuth 1.0a token credentials as the provider sent them, wire names kept: `oauth_token`,
 * `oauth_token_secret`, and whatever else the access-token endpoint returned (Twitter/X adds `user_id`
 * and `screen_name`), as strings. They do not expire and cannot be refreshed.
 *
 * @group Tokens
 */
export interface OAuth1Token {
  /** The token identifier, sent as `oauth_token` on every signed request. */
  oauth_token: string
  /** The token shared secret: half of the signing key. Never sent. */
  oauth_token_secret: string
  /** Any other field of the access-token response (`user_id`, `screen_name`, …). */
  [parameter: string]: unknown
}

/**
 * What an OpenID 2.0 login proves (an {@link OpenIdApp}'s "token"): the verified claimed identifier
 * and the attributes the provider signed, wire names kept. It holds no credential: API calls made with
 * it send nothing of it.
 *
 * @group Tokens
 */
export interface OpenIdIdentity {
  /** The claimed identifier, normalised (OpenID 2.0 §7.2): the user's stable id at this provider. */
  claimed_id: string
  /** The OP-local identifier the provider asserted (often the same as `claimed_id`). */
  identity: string
  /** The provider endpoint that made the assertion (always the app's `openIdEndpoint`). */
  op_endpoint: string
  /** Attribute Exchange values the provider signed, by type URI (`http://axschema.org/contact/email`). */
  ax?: Record<string, string[]>
  /** Simple Registration values the provider signed, by field (`nickname`, `email`, `fullname`, …). */
  sreg?: Record<string, string>
  /** Nothing else is set by oauthkit; the index keeps the token kinds one family. */
  [field: string]: unknown
}

/** A token of any app kind: what the registry's `fetchToken` and `updateToken` handle. @group Tokens */
export type AppToken = OAuth2Token | OAuth1Token | OpenIdIdentity

/** Claims of a validated ID token. @group Tokens */
export interface IdTokenClaims {
  iss: string
  sub: string
  aud: string | string[]
  exp: number
  iat: number
  nonce?: string
  azp?: string
  auth_time?: number
  email?: string
  email_verified?: boolean
  name?: string
  picture?: string
  [claim: string]: unknown
}

/** Standard claims from the userinfo endpoint (OpenID Connect Core §5.1). @group Tokens */
export interface UserInfo {
  sub: string
  name?: string
  given_name?: string
  family_name?: string
  email?: string
  email_verified?: boolean
  picture?: string
  [claim: string]: unknown
}

/** A request hook: may return a replacement request. @group Hooks */
export type RequestHook = (request: Request) => Request | void | Promise<Request | void>
/**
 * A callback hook (OAuth 2): gets a copy of the callback's parameters before they are checked, to bend
 * a provider's own error words back to the standard ones; it may change the copy or return others. @group Hooks
 */
export type CallbackHook = (params: URLSearchParams) => URLSearchParams | void
/** A URL hook (authorization and logout URLs): may change the URL in place or return a replacement. @group Hooks */
export type UrlHook = (url: URL) => URL | void | Promise<URL | void>
/** A response hook: may return a replacement response. @group Hooks */
export type ResponseHook = (response: Response) => Response | void | Promise<Response | void>

/**
 * Per-app compliance hooks: Authlib's six plus `accessTokenRequest`, `metadataResponse` and
 * `userinfoResponse`.
 * Each may be one function or an array; they run in the order given, each receiving what the
 * previous one returned. Use them to bend a provider's quirk back to the standard, and say why in a
 * comment next to the hook.
 *
 * @example
 * ```ts
 * hooks: {
 *   // Slack omits token_type; RFC 6749 §5.1 requires it.
 *   accessTokenResponse: (res) => rewriteJson(res, (body) => ({ token_type: 'bearer', ...body })),
 * }
 * ```
 * @group Hooks
 */
export interface ComplianceHooks {
  /**
   * The authorization URL, before the browser is sent to it: for a provider that names a standard
   * parameter otherwise (WeChat's `appid`) or wants a fragment (`#wechat_redirect`). Whatever it
   * changes, the login's `state` (and PKCE and nonce, when sent) must stay: the callback is checked
   * against them.
   */
  authorizationUrl?: UrlHook | readonly UrlHook[]
  /**
   * The RP-initiated logout URL, before the browser is sent to it: for a provider with its own logout
   * parameters (Amazon Cognito's `logout_uri` instead of `post_logout_redirect_uri`).
   */
  logoutUrl?: UrlHook | readonly UrlHook[]
  /** The token request of the authorization code (and other initial grants) before it is sent. */
  accessTokenRequest?: RequestHook | readonly RequestHook[]
  /** The token endpoint's response to the authorization code (and other initial grants). */
  accessTokenResponse?: ResponseHook | readonly ResponseHook[]
  /** The refresh request before it is sent. */
  refreshTokenRequest?: RequestHook | readonly RequestHook[]
  /** The token endpoint's response to a refresh. */
  refreshTokenResponse?: ResponseHook | readonly ResponseHook[]
  /** Every authenticated API request, after the token was added. */
  protectedRequest?: RequestHook | readonly RequestHook[]
  /**
   * Every API response, before the 401 retry is considered and before the app reads it: bend a
   * provider's error envelope (`{ errcode }` with HTTP 200, a 401 without a challenge) back to
   * RFC 6750 §3, so an expired token is refreshed and retried once as with a standard provider.
   */
  protectedResponse?: ResponseHook | readonly ResponseHook[]
  /** The revocation request before it is sent. */
  revokeTokenRequest?: RequestHook | readonly RequestHook[]
  /** The introspection request before it is sent. */
  introspectTokenRequest?: RequestHook | readonly RequestHook[]
  /** The discovery document response, before it is validated. */
  metadataResponse?: ResponseHook | readonly ResponseHook[]
  /** The userinfo response, before it is validated. */
  userinfoResponse?: ResponseHook | readonly ResponseHook[]
  /**
   * The callback's parameters (OAuth 2), before state, `iss` and `error` are checked: Apple's
   * `error=user_cancelled_authorize` becomes `access_denied`. The params returned by
   * `completeAuthorization` are the provider's, as received.
   */
  authorizationResponse?: CallbackHook | readonly CallbackHook[]
}

/** The names of {@link ComplianceHooks}. @group Hooks */
export type HookName = keyof ComplianceHooks
