/**
 * Dynamic client registration (RFC 7591): register a client at a provider's registration endpoint,
 * and keep each registration in a store so a provider (a Mastodon instance, a self-hosted server) is
 * registered with once, on first use, and its client reused after.
 *
 * @module
 */
import * as oauth from 'oauth4webapi'
import { configError } from '../app/config.js'
import { toOAuthKitError } from '../errors/upstream.js'
import { HttpClient } from '../http/client.js'
import { isLoopback } from '../http/loopback.js'
import type { RequestHook, ResponseHook } from '../types.js'

/** Client metadata to register (RFC 7591 §2): `redirect_uris` and any other field the provider reads. @group Registration */
export interface ClientMetadata {
  redirect_uris: string[]
  client_name?: string
  scope?: string
  token_endpoint_auth_method?: string
  grant_types?: string[]
  response_types?: string[]
  client_uri?: string
  [field: string]: unknown
}

/** A registered client as the provider returned it (RFC 7591 §3.2.1). @group Registration */
export interface RegisteredClient {
  client_id: string
  client_secret?: string
  /** Seconds since the epoch when the secret expires; 0 or absent: never. */
  client_secret_expires_at?: number
  [field: string]: unknown
}

/** Options of {@link registerClient}. @group Registration */
export interface ClientRegistrationOptions {
  /** The registration endpoint (`registration_endpoint` of the provider's metadata). https only, but loopback. */
  registrationEndpoint: string
  metadata: ClientMetadata
  /** An initial access token, for a provider that requires one (RFC 7591 §3). */
  initialAccessToken?: string
  /** A name for messages (default `registration`). */
  name?: string
  fetch?: typeof fetch
  /** Milliseconds before the request is abandoned (default 10,000). */
  timeout?: number
  /** Hooks for a provider that speaks its own dialect (the request before it is sent, the response before it is read). */
  hooks?: {
    request?: RequestHook | readonly RequestHook[]
    response?: ResponseHook | readonly ResponseHook[]
  }
}

/**
 * Register a client (RFC 7591 §3.1): POST the metadata as JSON, and return the client the provider
 * made. A refusal is `registration_error` with the provider's `error`; a malformed answer
 * `invalid_response`. Nothing is stored: see {@link registeredClient} for that.
 * @group Registration
 */
export async function registerClient(
  options: ClientRegistrationOptions,
): Promise<RegisteredClient> {
  const name = options.name ?? 'registration'
  const endpoint = URL.canParse(options.registrationEndpoint)
    ? new URL(options.registrationEndpoint)
    : undefined
  // The answer holds a client secret: TLS, except on loopback (a local test server).
  if (
    !endpoint ||
    !(endpoint.protocol === 'https:' || (endpoint.protocol === 'http:' && isLoopback(endpoint)))
  )
    throw configError(
      name,
      'registrationEndpoint',
      'must be an https: URL (http: only on loopback)',
    )
  if (
    !Array.isArray(options.metadata?.redirect_uris) ||
    options.metadata.redirect_uris.length === 0
  )
    throw configError(name, 'metadata.redirect_uris', 'must list at least one redirect URI')
  const http = new HttpClient({
    app: name,
    fetch: options.fetch ?? fetch,
    timeout: options.timeout ?? 10_000,
    maxResponseSize: 1024 * 1024,
    hooks: {
      request: { registration: options.hooks?.request },
      response: { registration: options.hooks?.response },
    },
  })
  const as: oauth.AuthorizationServer = {
    issuer: endpoint.origin,
    registration_endpoint: endpoint.href,
  }
  try {
    const response = await oauth.dynamicClientRegistrationRequest(
      as,
      options.metadata as unknown as Partial<oauth.Client>,
      {
        initialAccessToken: options.initialAccessToken,
        [oauth.customFetch]: http.fetchFor('registration'),
        [oauth.allowInsecureRequests]: endpoint.protocol === 'http:',
      },
    )
    return (await oauth.processDynamicClientRegistrationResponse(response)) as RegisteredClient
  } catch (error) {
    throw toOAuthKitError(error, name, 'registration', [options.initialAccessToken])
  }
}

/**
 * Where registered clients are kept, by a key the caller chooses (the provider and the metadata that
 * matter). Back it with the app's database to survive restarts; it holds client secrets.
 * @group Registration
 */
export interface ClientRegistrationStore {
  get(key: string): RegisteredClient | undefined | Promise<RegisteredClient | undefined>
  set(key: string, client: RegisteredClient): void | Promise<void>
}

/** A {@link ClientRegistrationStore} in this process's memory. @group Registration */
export class MemoryClientRegistrations implements ClientRegistrationStore {
  readonly #clients = new Map<string, RegisteredClient>()
  get(key: string): RegisteredClient | undefined {
    return this.#clients.get(key)
  }
  set(key: string, client: RegisteredClient): void {
    this.#clients.set(key, client)
  }
}

const pending = new WeakMap<ClientRegistrationStore, Map<string, Promise<RegisteredClient>>>()

/**
 * The client registered under `key` in `store`, registering it first (with {@link registerClient})
 * when there is none or its secret has expired. Concurrent first uses of one key share one
 * registration; a failed registration stores nothing.
 * @group Registration
 */
export async function registeredClient(
  store: ClientRegistrationStore,
  key: string,
  options: ClientRegistrationOptions,
): Promise<RegisteredClient> {
  const known = await store.get(key)
  const expires = known?.client_secret_expires_at
  if (known && (!expires || expires * 1000 > Date.now() + 60_000)) return known
  let inFlight = pending.get(store)
  if (!inFlight) pending.set(store, (inFlight = new Map()))
  const running = inFlight.get(key)
  if (running) return running
  const registration = (async () => {
    const client = await registerClient(options)
    await store.set(key, client)
    return client
  })()
  inFlight.set(key, registration)
  try {
    return await registration
  } finally {
    inFlight.delete(key)
  }
}
