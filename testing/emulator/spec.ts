/**
 * What a provider emulation is: the spec that says how a provider behaves (endpoints, wire format,
 * quirks), its users, and the running emulation {@link createEmulation} builds from them.
 *
 * @module
 */
import type { HttpHandler } from 'msw'
import type { OAuth2Token } from '../../src/types.js'

/** A user of an emulated provider. Extra fields go into the provider's profile as the emulation maps them. @group Testing */
export interface EmulatedUser {
  /** The provider's user id. */
  id: string
  email?: string
  email_verified?: boolean
  name?: string
  picture?: string
  [field: string]: unknown
}

/** What a token endpoint emulation gets to build its answer. @group Testing */
export interface EmulatedTokenContext {
  user: EmulatedUser
  clientId: string
  scope: string
  nonce?: string
  grantType: string
  /** Mint an ID token signed with the emulation's key (OpenID providers). */
  idToken(claims?: Record<string, unknown>): Promise<string>
  accessToken: string
  refreshToken: string
  /** The authorization request's query parameters (code grant only): `duration`, `token_access_type`, … */
  authorizeParams?: URLSearchParams
  /** The token request's parameters (form or JSON body). */
  tokenParams?: URLSearchParams
}

/** What an access token presented to an emulated API was issued for. @group Testing */
export interface EmulatedGrant {
  clientId: string
  /** The scope the authorization request asked for (as sent, with the provider's separator). */
  scope: string
}

/** How a provider behaves; each preset's emulation is one of these. @group Testing */
export interface EmulationSpec {
  /** Display name, for messages. */
  name: string
  authorizeUrl: string
  tokenUrl: string
  /** OpenID providers: issuer, jwks_uri and (optionally) discovery. */
  issuer?: string
  jwksUri?: string
  discoveryUrl?: string
  /** Extra discovery metadata. */
  metadata?: Record<string, unknown>
  /** `form_post` providers POST the callback (Apple). */
  responseMode?: 'query' | 'form_post'
  /** Build the token endpoint's success response (wire format, quirks included). */
  tokenResponse(ctx: EmulatedTokenContext, request: Request): Response | Promise<Response>
  /** Build the token endpoint's error response (default: RFC 6749 §5.2 JSON with 400). */
  tokenError?(error: string, description: string, request: Request): Response
  /** The provider's API and userinfo endpoints: path (absolute URL) → handler given the token's user. */
  api?: Record<
    string,
    (user: EmulatedUser, request: Request, grant: EmulatedGrant) => Response | Promise<Response>
  >
  /** `GET`: the token endpoint takes its parameters in the query (WeChat). Default POST. */
  tokenMethod?: 'GET' | 'POST'
  /** A separate refresh endpoint (WeChat's `/sns/oauth2/refresh_token`), with the token endpoint's method. */
  refreshUrl?: string
  /** `false`: the code exchange carries no `redirect_uri` (WeChat), so none is compared. Default true. */
  tokenRedirectUri?: boolean
  /** The provider's names of standard parameters, in authorize and token requests: `{ appid: 'client_id' }`. */
  paramAliases?: Record<string, string>
  /** How `api` answers an unknown or expired token (default: 401 with an RFC 6750 challenge). */
  apiUnauthorized?(request: Request): Response
  /** HTTP methods of `api` entries other than GET: `{ [url]: 'POST' }`. */
  apiMethods?: Record<string, string>
  /** Extra query parameters the provider adds to the callback (Apple's `user` goes in the form). */
  callbackExtras?(
    user: EmulatedUser,
    firstLogin: boolean,
    authorizeParams: URLSearchParams,
  ): Record<string, string>
  /**
   * Refuse an authorization request the provider would refuse (missing PKCE, malformed scope, …):
   * return the error the provider redirects back with.
   */
  checkAuthorizeRequest?(
    params: URLSearchParams,
  ): { error: string; error_description?: string } | undefined
  /**
   * Refuse a token request the provider would refuse (wrong client authentication, missing
   * User-Agent, wrong body encoding, …) before the grant is looked at: return the response to send.
   */
  checkTokenRequest?(
    request: Request,
    params: URLSearchParams,
  ): Response | undefined | Promise<Response | undefined>
  /** `false`: a refresh keeps the same refresh token valid (and `ctx.refreshToken` is it). Default true. */
  rotateRefreshTokens?: boolean
  /** How the ID token's `sub` is derived from the user (default: `user.id`). */
  idTokenClaims?(user: EmulatedUser): Record<string, unknown>
  /** Sign ID tokens with HS256 keyed by this secret (the client secret: LINE) instead of the RS256 key. */
  idTokenSecret?: string
}

/** A running emulation: msw handlers plus the user's side of the login. @group Testing */
export interface ProviderEmulation {
  readonly name: string
  /** Hand these to msw's `setupServer(...)` / `server.use(...)`. */
  readonly handlers: HttpHandler[]
  /** The test users; the first is the default. */
  readonly users: EmulatedUser[]
  /** Every request the emulation received, in order. */
  readonly calls: Array<{ url: string; method: string; body: string; headers: Headers }>
  /**
   * The user's side at the authorize endpoint: approve (or deny) as `user` (id, email or login; default the
   * first user) and return the callback request the browser would send to the app.
   */
  authorize(
    authorizationUrl: string | URL,
    options?: { user?: string; deny?: boolean },
  ): Promise<Request>
  /** Make a token for `user` valid at the API, without a login (for tests of API calls). */
  issueToken(user?: string): OAuth2Token
}
