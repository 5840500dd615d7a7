/**
 * Server metadata: discovered lazily from `serverMetadataUrl`, merged with explicit endpoints,
 * cached with a TTL and shared by every request of the app.
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import type { OAuth2AppConfig } from './config.js'
import { configError } from '../app/config.js'
import { isLoopback } from '../http/loopback.js'
import type { HttpClient } from '../http/client.js'
import { toOAuthKitError } from '../errors/upstream.js'

const OIDC_SUFFIX = '/.well-known/openid-configuration'
const RFC8414_PREFIX = '/.well-known/oauth-authorization-server'

/**
 * The issuer a metadata URL must describe: OIDC Discovery §4 appends the well-known suffix to the
 * issuer; RFC 8414 §3.1 inserts its well-known segment between host and path.
 */
export function issuerFromMetadataUrl(app: string, metadataUrl: string): string {
  const url = new URL(metadataUrl)
  const path = url.pathname
  if (path.endsWith(OIDC_SUFFIX)) return url.origin + path.slice(0, -OIDC_SUFFIX.length)
  if (path.startsWith(RFC8414_PREFIX)) return url.origin + path.slice(RFC8414_PREFIX.length)
  if (path.startsWith(OIDC_SUFFIX)) return url.origin + path.slice(OIDC_SUFFIX.length)
  // Elsewhere in the path (django-oauth-toolkit's trailing slash, a query), the issuer cannot be derived: it must be given.
  const at = path.search(/\/\.well-known\//)
  const guess = at === -1 ? '' : ` (most likely issuer: '${url.origin + path.slice(0, at)}')`
  throw configError(
    app,
    'serverMetadataUrl',
    `is not a well-known metadata URL the issuer can be read from (the issuer + ${OIDC_SUFFIX}, or ${RFC8414_PREFIX} + the issuer's path): give issuer too, exactly as the provider's metadata names it${guess}`,
  )
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

/** The metadata members that name a URL oauthkit may send a request, a user or a token to. */
const ENDPOINTS = [
  'authorization_endpoint',
  'token_endpoint',
  'userinfo_endpoint',
  'jwks_uri',
  'revocation_endpoint',
  'introspection_endpoint',
  'device_authorization_endpoint',
  'end_session_endpoint',
] as const

/** The config fields that set those members; already checked at `register`. */
const CONFIGURED: Record<(typeof ENDPOINTS)[number], keyof OAuth2AppConfig> = {
  authorization_endpoint: 'authorizeUrl',
  token_endpoint: 'accessTokenUrl',
  userinfo_endpoint: 'userinfoEndpoint',
  jwks_uri: 'jwksUri',
  revocation_endpoint: 'revocationEndpoint',
  introspection_endpoint: 'introspectionEndpoint',
  device_authorization_endpoint: 'deviceAuthorizationEndpoint',
  end_session_endpoint: 'endSessionEndpoint',
}

/** This machine or its link: loopback, unspecified, and link-local (cloud metadata) IP literals. */
function pointsAtHost(url: URL): boolean {
  const host = url.hostname
  return (
    isLoopback(url) ||
    host === '0.0.0.0' ||
    host === '[::]' ||
    /^169\.254\.\d{1,3}\.\d{1,3}$/.test(host) ||
    /^\[(fe[89ab][0-9a-f]:|::ffff:(7f|a9fe|0:))/i.test(host)
  )
}

/**
 * Hold the endpoints the provider (or `serverMetadata`) named to the rule configured ones follow:
 * https, or http on loopback (any http with `allowInsecureRequests`). A provider on a public host may
 * not steer requests at this machine or its link: a discovery document can name any URL (SSRF).
 */
function checkEndpoints(
  app: string,
  config: OAuth2AppConfig,
  metadata: Record<string, unknown>,
): void {
  const issuer =
    typeof metadata.issuer === 'string' && URL.canParse(metadata.issuer)
      ? new URL(metadata.issuer)
      : undefined
  const publicIssuer =
    issuer !== undefined &&
    (issuer.protocol === 'https:' || issuer.protocol === 'http:') &&
    !pointsAtHost(issuer)
  for (const field of ENDPOINTS) {
    const value = metadata[field]
    if (value === undefined || config[CONFIGURED[field]] !== undefined) continue
    if (typeof value !== 'string' || !URL.canParse(value))
      throw configError(app, `discovered ${field}`, 'is not an absolute URL')
    const url = new URL(value)
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw configError(app, `discovered ${field}`, `must use https: (got ${url.protocol})`)
    if (url.protocol === 'http:' && !isLoopback(url) && config.allowInsecureRequests !== true) {
      throw configError(app, `discovered ${field}`, 'uses http: on a non-loopback host')
    }
    if (publicIssuer && pointsAtHost(url)) {
      throw configError(
        app,
        `discovered ${field}`,
        `points at this machine (${url.host}) while the issuer is ${issuer.host}; configure it explicitly if that is intended`,
      )
    }
  }
}

/** A placeholder issuer for plain OAuth 2 apps that have none (never matches a real `iss`). */
export const UNKNOWN_ISSUER = 'urn:oauthkit:issuer-unknown'

/** */
export class MetadataCache {
  #value?: Promise<oauth.AuthorizationServer>
  #expiresAt = 0

  constructor(
    private readonly app: string,
    private readonly config: OAuth2AppConfig,
    private readonly http: HttpClient,
    private readonly ttlSeconds: number,
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
      const metadata = { issuer: UNKNOWN_ISSUER, ...explicit }
      checkEndpoints(this.app, this.config, metadata)
      return metadata as oauth.AuthorizationServer
    }
    const expected =
      this.config.issuer ?? issuerFromMetadataUrl(this.app, this.config.serverMetadataUrl)
    try {
      const response = await this.http.send(
        new Request(this.config.serverMetadataUrl, {
          headers: { accept: 'application/json' },
          redirect: 'manual',
        }),
        'metadata',
      )
      const discovered = await oauth.processDiscoveryResponse(new URL(expected), response)
      const metadata = { ...discovered, ...explicit, issuer: discovered.issuer }
      checkEndpoints(this.app, this.config, metadata)
      return metadata
    } catch (error) {
      throw toOAuthKitError(error, this.app, 'metadata')
    }
  }
}
