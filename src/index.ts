/**
 * oauthkit: sign users in with any OAuth 1.0a, OAuth 2.0 or OpenID Connect provider, and call the
 * provider's API on their behalf.
 *
 * @module oauthkit
 */
export { OAuth } from './registry.js'
export type { OAuthOptions, AppConfig, AppFor, RemoteApp } from './registry.js'
export type { UnknownKeysOf } from './config-keys.js'
export { RemoteAppBase } from './app/base.js'
export type {
  AuthorizeOptions,
  AuthorizationRequest,
  AuthorizeAccessTokenOptions,
  CompletedAuthorization,
  SharedConfig,
} from './app/base.js'
export type { LockFunction, LockLease } from './app/services.js'
export type { TokenStore, SealedToken, TokenWriteOptions } from './stores/store.js'
export { SealedTokenStore } from './stores/sealed.js'
export { MemoryTokenStore } from './stores/memory.js'
export { OAuth2App } from './oauth2/app.js'
export type { RefreshOptions } from './oauth2/token-lifecycle.js'
export type { ParseIdTokenOptions } from './oauth2/parse-id-token.js'
export { OAuth1App } from './oauth1/app.js'
export type {
  OAuth1AppConfig,
  OAuth1Hooks,
  OAuth1FetchToken,
  OAuth1UpdateToken,
  OAuth1ProfileApi,
  OAuth1ProfileLoader,
} from './oauth1/config.js'
export type { SignatureMethod, SignaturePlacement } from './oauth1/signature.js'
export { OpenIdApp } from './openid2/app.js'
export type {
  OpenIdAppConfig,
  OpenIdHooks,
  OpenIdProfileApi,
  OpenIdProfileLoader,
  SregField,
} from './openid2/config.js'
export { BoundApp, BoundOAuth1App, BoundOAuth2App, BoundOpenIdApp } from './bound.js'
export type { AppLike, BoundAppOf, BoundOAuth, TokenOf } from './bound.js'
export { ApiMethods } from './http/api-call.js'
export type { ApiRequestOptions } from './http/api-call.js'
export type { AppFetch, AppFetchOptions } from './http/app-fetch.js'
export type { ClientCredentialsOptions } from './oauth2/grants/client-credentials.js'
export type {
  DeviceAuthorization,
  DeviceAuthorizationOptions,
  PollDeviceTokenOptions,
} from './oauth2/grants/device.js'
export type { PasswordGrantOptions } from './oauth2/grants/password.js'
export type { TokenExchangeOptions, ExchangedToken } from './oauth2/grants/token-exchange.js'
export type { RevokeTokenOptions } from './oauth2/grants/revocation.js'
export type { IntrospectTokenOptions, TokenIntrospection } from './oauth2/grants/introspection.js'
export type { LogoutOptions } from './oauth2/grants/logout.js'
export type {
  NormalizedProfile,
  BaseAppConfig,
  FetchToken,
  UpdateToken,
  UpdateTokenInfo,
  Fence,
} from './app/config.js'
export type {
  OAuth2AppConfig,
  TokenEndpointAuthMethod,
  ClientSecretBasicEncoding,
  ClientAssertionAudience,
  ProfileLoader,
  ProfileApi,
} from './oauth2/config.js'
export { BearerGuard } from './guard/guard.js'
export type { GuardResult } from './guard/guard.js'
export type {
  AccessTokenClaims,
  BearerGuardOptions,
  Introspector,
  LocalIssuer,
  RequireOptions,
  TrustedIssuer,
} from './guard/types.js'
export { TokenBroker, generateBrokerKey } from './guard/broker.js'
export { guardFor } from './guard/require.js'
export type { RequireAuthOptions } from './guard/require.js'
export type { BrokerToken, IssueTokenOptions, TokenBrokerOptions } from './guard/broker.js'
export { OAuthKitError, ErrorCode, isOAuthKitError } from './errors/error.js'
export {
  registerClient,
  registeredClient,
  MemoryClientRegistrations,
} from './oauth2/registration.js'
export type {
  ClientMetadata,
  RegisteredClient,
  ClientRegistrationOptions,
  ClientRegistrationStore,
} from './oauth2/registration.js'
export type { OAuthKitErrorOptions } from './errors/error.js'
export {
  MemoryCookieJar,
  headerCookieStore,
  parseCookieHeader,
  serializeCookie,
} from './session/cookies.js'
export type { CookieStore, CookieOptions } from './session/cookies.js'
export type { Transaction, ReplayGuard } from './session/transaction.js'
export { MemoryReplayGuard } from './session/transaction.js'
export { rewriteJson } from './http/client.js'
export {
  authRoute,
  bindWithSession,
  defaultErrorAnswer,
  requestOrigin,
  routeServes,
  ROUTE_METHODS,
} from './routes.js'
export { callbackBodyStream, parsedCallbackBody } from './app/callback.js'
export type { CallbackParams } from './app/callback.js'
export type {
  AuthAction,
  AuthRouteOptions,
  DeviceRouteOptions,
  FailedRoute,
  LogoutRouteOptions,
  NewSignIn,
  SignedIn,
  TokenRouteOptions,
} from './routes.js'
export { UserSession } from './session/user-session.js'
export type { SessionData, UserSessionOptions } from './session/user-session.js'
export type { ExchangeCodeOptions } from './oauth2/grants/code.js'
export type {
  OAuthContext,
  TokenContext,
  AppToken,
  OAuth2Token,
  OAuth1Token,
  OpenIdIdentity,
  IdTokenClaims,
  DPoPJwk,
  UserInfo,
  ComplianceHooks,
  RequestHook,
  ResponseHook,
  CallbackHook,
  UrlHook,
  HookName,
} from './types.js'
