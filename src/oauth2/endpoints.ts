/**
 * The narrow view of an OAuth 2 app that its login, token lifecycle and grants work over: who it is,
 * how it reaches the provider, and where new tokens go. Nothing here is the app itself, so none of
 * those modules imports it.
 *
 * @module
 */
import type * as oauth from 'oauth4webapi'
import type { UpdateTokenInfo } from '../app/config.js'
import type { Step } from '../errors/upstream.js'
import type { CustomFetch } from '../http/client.js'
import type { OAuth2Token } from '../types.js'
import type { OAuth2AppConfig } from './config.js'

/** oauth4webapi's options for one request: the app's HTTP client for the step, and whether http: is allowed. */
export interface RequestOptions {
  [oauth.customFetch]: CustomFetch
  [oauth.allowInsecureRequests]: boolean
}

/** The ID token checks of an app (`IdTokenVerifier`). */
export interface IdTokenChecks {
  /** The issuer an ID token in `response` must carry: the metadata issuer, or what `idTokenIssuer` names. */
  issuerFor(response: Response, issuer: string): Promise<string>
  /** Verify the ID token's signature and the checks oauth4webapi leaves out; the verified claims. */
  verify(as: oauth.AuthorizationServer, idToken: string): Promise<Record<string, unknown>>
  /** Verify a JWT userinfo response: signature, `iss`, `aud`; the verified claims. */
  verifyUserinfo(as: oauth.AuthorizationServer, jwt: string): Promise<Record<string, unknown>>
}

/** What an OAuth 2 app hands to the functions that do its protocol work. */
export interface OAuth2Endpoints {
  /** The app's registered name. */
  readonly name: string
  /** The app's config (secrets redacted when printed). */
  readonly config: Readonly<OAuth2AppConfig>
  /** oauth4webapi's client: id, auth method, clock tolerance, ID token alg. */
  readonly client: oauth.Client
  /** The provider's metadata, cached. */
  metadata(): Promise<oauth.AuthorizationServer>
  /** The client authentication for token, revocation and introspection requests. */
  clientAuth(): Promise<oauth.ClientAuth>
  /** oauth4webapi options of a request for `step`. */
  options(step: Step): RequestOptions
  /** ID token checks. */
  readonly idTokens: IdTokenChecks
  /** Hand a new token to `updateToken` (the app's, else the registry's). */
  persist(token: OAuth2Token, info: UpdateTokenInfo): Promise<void>
}
