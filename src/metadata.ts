/**
 * Server metadata: discovered lazily from `serverMetadataUrl`, merged with explicit endpoints,
 * cached with a TTL and shared by every request of the app.
 *
 * @module
 * @internal
 */
import * as oauth from 'oauth4webapi'
import type { OAuth2AppConfig } from './config.js'
import { configError, isLoopback } from './config.js'
import type { HttpClient } from './http.js'
import { toOAuthKitError } from './http.js'

const OIDC_SUFFIX = '/.well-known/openid-configuration'
const RFC8414_PREFIX = '/.well-known/oauth-authorization-server'

/**
 * The issuer a metadata URL must describe: OIDC Discovery §4 appends the well-known suffix to the
 * issuer; RFC 8414 §3.1 inserts its well-known segment between host and path.
 * @internal
 */
export function issuerFromMetadataUrl(app: string, metadataUrl: string): string {
  const url = new URL(metadataUrl)
  const path = url.pathname
  if (path.endsWith(OIDC_SUFFIX)) return url.origin + path.slice(0, -OIDC_SUFFIX.length)
  if (path.startsWith(RFC8414_PREFIX)) return url.origin + path.slice(RFC8414_PREFIX.length)
  if (path.startsWith(OIDC_SUFFIX)) return url.origin + path.slice(OIDC_SUFFIX.length)
  throw configError(app, 'serverMetadataUrl', `is not a well-known metadata URL; also give issuer`)
}

/** Explicit config fields mapped to RFC 8414 names. */
function explicitMetadata(config: OAuth2AppConfig): Record<string, unknown> {
  const fields: Record<string, string | undefined> = {
    issuer: config.issuer,
    authorization_endpoint: config.authorizeUrl,
    token_endpoint: config.accessTokenUrl,
    userinfo_endpoint: config.userinfoEndpoint,
    jwks_uri: config.jwksUri,
    revocation_endpoint: config.revocationEndpoint,
    introspection_endpoint: config.introspectionEndpoint,
    device_authorization_endpoint: config.deviceAuthorizationEndpoint,
    end_session_endpoint: config.endSessionEndpoint,
  }
  const out: Record<string, unknown> = { ...config.serverMetadata }
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value
  return out
}

/** A placeholder issuer for plain OAuth 2 apps that have none (never matches a real `iss`). @internal */
export const UNKNOWN_ISSUER = 'urn:oauthkit:issuer-unknown'

/** @internal */
export class MetadataCache {
  #value?: Promise<oauth.AuthorizationServer>
  #expiresAt = 0

  constructor(
    private readonly app: string,
    private readonly config: OAuth2AppConfig,
    private readonly http: HttpClient,
    private readonly ttlSeconds: number,
    private readonly insecure: boolean,
  ) {}

  /** The merged metadata; one discovery request at a time, refetched after the TTL. */
  get(): Promise<oauth.AuthorizationServer> {
    const now = Date.now()
    if (this.#value && now < this.#expiresAt) return this.#value
    const pending = this.#load()
    this.#value = pending
    this.#expiresAt = now + this.ttlSeconds * 1000
    // A failed discovery is not cached: the next call tries again.
    pending.catch(() => {
      if (this.#value === pending) this.#value = undefined
    })
    return pending
  }

  async #load(): Promise<oauth.AuthorizationServer> {
    const explicit = explicitMetadata(this.config)
    if (!this.config.serverMetadataUrl) {
      return { issuer: UNKNOWN_ISSUER, ...explicit } as oauth.AuthorizationServer
    }
    const expected = this.config.issuer ?? issuerFromMetadataUrl(this.app, this.config.serverMetadataUrl)
    try {
      const response = await this.http.send(
        new Request(this.config.serverMetadataUrl, { headers: { accept: 'application/json' }, redirect: 'manual' }),
        'metadata',
      )
      const discovered = await oauth.processDiscoveryResponse(new URL(expected), response)
      for (const field of ['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri'] as const) {
        const value = discovered[field]
        if (value !== undefined && !this.insecure && new URL(value).protocol !== 'https:' && !isLoopback(new URL(value))) {
          throw configError(this.app, `discovered ${field}`, 'uses http: on a non-loopback host')
        }
      }
      return { ...discovered, ...explicit, issuer: discovered.issuer }
    } catch (error) {
      throw toOAuthKitError(error, this.app, 'metadata')
    }
  }
}

