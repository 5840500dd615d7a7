/**
 * Mastodon — OAuth 2.0 on any Mastodon instance (and servers with its API), the client registered
 * per instance on first use.
 *
 * Followed, as of 2026-11: "OAuth" and "apps" API methods (https://docs.joinmastodon.org/methods/oauth/,
 * https://docs.joinmastodon.org/methods/apps/), "OAuth scopes" (https://docs.joinmastodon.org/api/oauth-scopes/)
 * and `accounts/verify_credentials` (https://docs.joinmastodon.org/methods/accounts/#verify_credentials).
 * Written from knowledge of those pages, not from a fresh reading. Mastodon's `POST /api/v1/apps` is
 * close to RFC 7591 — `client_name` and `redirect_uris` in, `client_id` and `client_secret` out — but
 * answers HTTP 200 (not 201), takes `scopes` (not `scope`), and before 4.3 wants `redirect_uris` as
 * one newline-separated string and sends no `client_secret_expires_at`; the hooks below bridge those.
 * Unsure: whether servers running Mastodon's API elsewhere (Pleroma, Akkoma, GoToSocial) accept the
 * string form of `redirect_uris` (4.3+ accepts both), and whether pre-4.3 servers honour PKCE (they
 * ignore `code_challenge`; 4.3 announces S256).
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileLoader } from '../oauth2/config.js'
import {
  MemoryClientRegistrations,
  registeredClient,
  type ClientRegistrationStore,
  type RegisteredClient,
} from '../oauth2/registration.js'
import type { RequestHook, ResponseHook } from '../types.js'
import { jsonObject } from './envelope.js'
import { checkPresetKeys, definePreset, type PresetOptions } from './preset.js'
import { presetError, trimSlash } from './oidc-profile.js'

/** `GET /api/v1/accounts/verify_credentials` (the fields oauthkit reads). @group Social and consumer presets */
export interface MastodonProfile {
  /** The account id, unique on its instance only. */
  id: string
  username: string
  /** `username` on its own instance (no domain). */
  acct: string
  display_name?: string
  avatar?: string
  url?: string
  note?: string
  locked?: boolean
  bot?: boolean
  [field: string]: unknown
}

/** Options of {@link mastodon}: no client id — the client is registered at the instance. @group Social and consumer presets */
export interface MastodonOptions extends Omit<PresetOptions, 'clientId' | 'clientSecret'> {
  /** The instance, e.g. `https://mastodon.social` (https only). */
  instance: string
  /** The app's name, shown to the user on the consent screen. */
  clientName: string
  /** The redirect URI(s) to register; a login must use one of them. */
  redirectUris: string | string[]
  /** The app's homepage, shown on the consent screen. */
  website?: string
  /**
   * Where registered clients are kept (by instance, redirect URIs and scope). Default: this process's
   * memory; give a store backed by your database so a restart does not register again.
   */
  registrations?: ClientRegistrationStore
}

const defaultRegistrations = new MemoryClientRegistrations()

/**
 * `POST /api/v1/apps` takes `scopes`, and (before 4.3) `redirect_uris` as one newline-separated string.
 * @group Social and consumer presets
 */
export const mastodonRegistrationRequest: RequestHook = async (request) => {
  const body = (await request.clone().json()) as Record<string, unknown>
  const uris = Array.isArray(body.redirect_uris)
    ? body.redirect_uris.join('\n')
    : body.redirect_uris
  const { scope, ...rest } = body
  const headers = new Headers(request.headers)
  headers.delete('content-length')
  return new Request(request.url, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      ...rest,
      redirect_uris: uris,
      ...(scope !== undefined && { scopes: scope }),
    }),
    signal: request.signal,
  })
}

/**
 * `POST /api/v1/apps` answers HTTP 200 without `client_secret_expires_at`: RFC 7591 §3.2.1 says 201,
 * and the field is required with a secret (0: it never expires). A failure is `{ error }` with 422,
 * which RFC 7591 §3.2.2 reads as it is.
 * @group Social and consumer presets
 */
export const mastodonRegistrationResponse: ResponseHook = async (response) => {
  if (response.status !== 200) return response
  const body = await jsonObject(response)
  if (!body) return response
  return Response.json({ client_secret_expires_at: 0, ...body }, { status: 201 })
}

/**
 * Mastodon sign-in on `instance`, registering the app there the first time (kept in `registrations`,
 * so later calls reuse it): an `async` factory, to be awaited before `register`. Each instance is its
 * own app; register it under a name of its own. The profile's `sub` is `{id}@{instance host}`: ids
 * are unique per instance only.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { mastodon } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET })
 * // On the login route, for the instance the user typed:
 * const name = `mastodon:${new URL(instance).host}`
 * if (!oauth.names().includes(name))
 *   oauth.register(name, await mastodon({ instance, clientName: 'My app', redirectUris: 'https://app.example/auth/mastodon/callback' }))
 * return oauth.create(name).authorizeRedirect(ctx, 'https://app.example/auth/mastodon/callback')
 * ```
 * @group Social and consumer presets
 */
export async function mastodon(
  options: MastodonOptions,
): Promise<OAuth2AppConfig & { profile: ProfileLoader<MastodonProfile> }> {
  checkPresetKeys('mastodon', { ...options, clientId: '' }, [
    'instance',
    'clientName',
    'redirectUris',
    'website',
    'registrations',
  ])
  const { instance, clientName, redirectUris, website, registrations, ...rest } = options
  const url = typeof instance === 'string' && URL.canParse(instance) ? new URL(instance) : undefined
  if (!url || url.protocol !== 'https:' || url.pathname !== '/' || url.search || url.username)
    throw presetError(
      'mastodon',
      'instance',
      'must be the instance origin, e.g. https://mastodon.social',
    )
  if (typeof clientName !== 'string' || clientName === '')
    throw presetError('mastodon', 'clientName', 'is required (shown on the consent screen)')
  const uris = [redirectUris].flat()
  if (uris.length === 0 || !uris.every((u) => typeof u === 'string' && URL.canParse(u)))
    throw presetError('mastodon', 'redirectUris', 'must be one or more absolute URLs')
  const base = trimSlash(url.origin)
  const scope = Array.isArray(rest.scope) ? rest.scope.join(' ') : (rest.scope ?? 'read:accounts')
  const key = JSON.stringify([base, [...uris].sort(), scope])
  const client: RegisteredClient = await registeredClient(
    registrations ?? defaultRegistrations,
    key,
    {
      registrationEndpoint: `${base}/api/v1/apps`,
      name: 'mastodon',
      fetch: rest.fetch,
      metadata: {
        client_name: clientName,
        redirect_uris: uris,
        scope,
        ...(website !== undefined && { website }),
      },
      hooks: { request: mastodonRegistrationRequest, response: mastodonRegistrationResponse },
    },
  )
  return definePreset(
    { ...rest, clientId: client.client_id, clientSecret: client.client_secret },
    {
      authorizeUrl: `${base}/oauth/authorize`,
      accessTokenUrl: `${base}/oauth/token`,
      revocationEndpoint: `${base}/oauth/revoke`,
      apiBaseUrl: base,
      scope,
      // Mastodon documents client_id and client_secret as token request parameters.
      tokenEndpointAuthMethod: 'client_secret_post' as const,
      profile: mastodonProfile(new URL(base).host),
    },
  )
}

function mastodonProfile(host: string): ProfileLoader<MastodonProfile> {
  return async (api, token): Promise<NormalizedProfile<MastodonProfile>> => {
    const account = await api.getJson<MastodonProfile>('api/v1/accounts/verify_credentials', token)
    // An account id is unique on its instance only: qualify it with the instance's host.
    const profile: NormalizedProfile<MastodonProfile> = {
      sub: `${account.id}@${host}`,
      raw: account,
    }
    const name = account.display_name || account.username
    if (name) profile.name = name
    if (account.avatar) profile.picture = account.avatar
    // Mastodon shares no email address with apps.
    return profile
  }
}
