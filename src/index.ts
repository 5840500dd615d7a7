/**
 * oauthkit: sign users in with any OAuth 1.0a, OAuth 2.0 or OpenID Connect provider, and call the
 * provider's API on their behalf.
 *
 * @module oauthkit
 */
export { OAuth } from './registry.js'
export type { OAuthOptions, AppConfig, AppFor, RemoteApp } from './registry.js'
export type { UnknownKeysOf } from './config-keys.js'
export { OAuth2App } from './oauth2.js'
export { OAuth1App } from './oauth1/app.js'
export type { OAuth1AppConfig, OAuth1Token, OAuth1Hooks, OAuth1FetchToken, OAuth1UpdateToken, OAuth1ProfileApi, OAuth1ProfileLoader } from './oauth1/app.js'
export type { SignatureMethod, SignaturePlacement } from './oauth1/signature.js'
export { BoundApp, BoundOAuth1App, BoundOAuth2App } from './bound.js'
export type { AppLike, BoundAppOf, BoundOAuth, TokenOf } from './bound.js'
export type { AuthorizeOptions, AuthorizationRequest, AuthorizeAccessTokenOptions, CompletedAuthorization, LockFunction, RefreshOptions } from './oauth2.js'
export { ApiMethods } from './api.js'
export type { ApiRequestOptions } from './api.js'
export type {
  DeviceAuthorization,
  DeviceAuthorizationOptions,
  PollDeviceTokenOptions,
  PasswordGrantOptions,
  TokenExchangeOptions,
  ExchangedToken,
  RevokeTokenOptions,
  IntrospectTokenOptions,
  TokenIntrospection,
  LogoutOptions,
} from './grants.js'
export type { NormalizedProfile, ProfileLoader, ProfileApi } from './config.js'
export type { OAuth2AppConfig, BaseAppConfig, TokenEndpointAuthMethod, ClientSecretBasicEncoding, ClientAssertionAudience, FetchToken, UpdateToken, UpdateTokenInfo } from './config.js'
export { OAuthKitError, ErrorCode, isOAuthKitError } from './errors.js'
export type { OAuthKitErrorOptions } from './errors.js'
export { MemoryCookieJar, parseCookieHeader, serializeCookie } from './cookies.js'
export type { CookieStore, CookieOptions } from './cookies.js'
export type { Transaction } from './transaction.js'
export { rewriteJson } from './http.js'
export type { OAuthContext, TokenContext, OAuth2Token, IdTokenClaims, UserInfo, ComplianceHooks, RequestHook, ResponseHook, HookName } from './types.js'
