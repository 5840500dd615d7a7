/**
 * The dev provider's public shapes: its options, accounts, the running provider, and the default
 * clients, account and redirect URIs.
 *
 * @module
 */
import type { JWK } from 'jose'
import type Provider from 'oidc-provider'
import type { ClientMetadata, Configuration } from 'oidc-provider'

/** A user of the dev provider. @group Testing */
export interface DevAccount {
  sub: string
  email: string
  email_verified?: boolean
  name?: string
  given_name?: string
  family_name?: string
  picture?: string
  password?: string
}

/**
 * Options of {@link startDevProvider}. Every feature is on by default, so an app can try each flow
 * against it; turn one off to see how the app copes without it.
 *
 * @group Testing
 */
export interface DevProviderOptions {
  /** Port on 127.0.0.1; default 0 (a free port chosen by the OS, read it from `issuer`). */
  port?: number
  /**
   * The redirect URIs the default web clients accept (`basic`, `post`, `none`, `jwt`, `pkjwt` of
   * {@link DEV_CLIENTS}), compared exactly as OAuth requires. Default {@link DEV_REDIRECT_URIS}. Set it to
   * your app's callback URLs, e.g. `['http://localhost:3000/auth/dev/callback']`.
   */
  redirectUris?: string[]
  /** The post-logout redirect URIs the default web clients accept; default [{@link DEV_POST_LOGOUT_REDIRECT_URI}]. */
  postLogoutRedirectUris?: string[]
  /** Clients as oidc-provider client metadata, replacing {@link DEV_CLIENTS} (and `redirectUris`) entirely. */
  clients?: ClientMetadata[]
  /** The users who can sign in; default [{@link DEFAULT_DEV_ACCOUNT}]. The login page takes their sub or email and password. */
  accounts?: DevAccount[]
  /** Require PKCE of every client (oidc-provider's `pkce.required`); default true. */
  pkceRequired?: boolean
  /** Access token (and client credentials token) lifetime in seconds; default 3600. */
  accessTokenTtl?: number
  /** Rotate refresh tokens on every use; default true. */
  rotateRefreshToken?: boolean
  /** The device authorization grant (RFC 8628), for `device-client`; default true. */
  deviceFlow?: boolean
  /** The client credentials grant, for `service-client`; default true. */
  clientCredentials?: boolean
  /** The introspection endpoint (RFC 7662); default true. */
  introspection?: boolean
  /** The revocation endpoint (RFC 7009); default true. */
  revocation?: boolean
  /** RP-initiated logout (`end_session_endpoint`); default true. */
  rpInitiatedLogout?: boolean
  /** RFC 9207 `iss` in authorization responses (and its discovery flag); default true. */
  issAuthResp?: boolean
  /** Escape hatch, deep-merged over the generated configuration (plain objects merge, everything else replaces). */
  configuration?: Partial<Configuration>
  /**
   * Koa middleware installed before the provider starts serving, outermost first (to observe or alter
   * its traffic in a test). Middleware added later with `provider.provider.use()` never runs: Koa
   * composes the chain once, when the server is started.
   */
  middleware?: readonly Parameters<Provider['use']>[0][]
}

/** Where a scripted login ended: the callback URL, and the form of a `form_post` response. @group Testing */
export type AuthorizeResult = { url: URL; form?: URLSearchParams }

/** A running dev provider. @group Testing */
export interface DevProvider {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  issuer: string
  /** issuer + '/.well-known/openid-configuration' */
  discoveryUrl: string
  /** The oidc-provider instance, for tests that need its events or internals. */
  provider: Provider
  /** Private key of `pkjwt-client` as a JWK (with kid and alg), e.g. for jose. */
  privateKeyJwk: JWK
  /** Same key as a CryptoKey, e.g. for oauth4webapi's PrivateKeyJwt({ key, kid }). */
  privateKey: CryptoKey
  /**
   * Drive an authorization URL like a browser: follow redirects (keeping the provider's cookies), log in as `login`
   * (sub or email; default the first account) and grant consent, and return the URL the provider redirects to (the
   * client's redirect_uri with code/state/iss, or error=...), without following it. For response_mode=form_post,
   * returns { url: redirect_uri, form } parsed from the auto-submitting form.
   */
  authorize(
    authorizationUrl: string | URL,
    options?: { login?: string; deny?: boolean },
  ): Promise<AuthorizeResult>
  /** Approve (or with deny, abort) a device-flow user_code as `login` (default the first account), over HTTP. */
  approveDevice(userCode: string, options?: { login?: string; deny?: boolean }): Promise<void>
  close(): Promise<void>
}

/** The default user: alice@example.test, password `pw`. @group Testing */
export const DEFAULT_DEV_ACCOUNT: Readonly<DevAccount> = Object.freeze({
  sub: 'alice',
  email: 'alice@example.test',
  email_verified: true,
  name: 'Alice Example',
  password: 'pw',
})

/** Redirect URI registered for the default clients. @group Testing */
export const DEV_REDIRECT_URI = 'http://127.0.0.1/callback'
/** All redirect URIs registered for the default clients. @group Testing */
export const DEV_REDIRECT_URIS = [DEV_REDIRECT_URI, 'http://localhost:3000/callback']
/** Post-logout redirect URI registered for the default clients. @group Testing */
export const DEV_POST_LOGOUT_REDIRECT_URI = 'http://127.0.0.1/signed-out'

/** Ids and secrets of the default clients (the `pkjwt` private key is per provider: DevProvider.privateKey[Jwk]). */
export const DEV_CLIENTS = {
  basic: {
    client_id: 'basic-client',
    client_secret: 'basic-secret-that-is-long-enough-0123456789',
  },
  post: { client_id: 'post-client', client_secret: 'post-secret-that-is-long-enough-0123456789' },
  none: { client_id: 'none-client' },
  // client_secret_jwt (HS256) needs a secret of at least 32 bytes.
  jwt: {
    client_id: 'jwt-client',
    client_secret: 'jwt-secret-that-is-long-enough-0123456789abcdef',
  },
  pkjwt: { client_id: 'pkjwt-client' },
  service: {
    client_id: 'service-client',
    client_secret: 'service-secret-that-is-long-enough-0123456789',
  },
  device: { client_id: 'device-client' },
} as const
