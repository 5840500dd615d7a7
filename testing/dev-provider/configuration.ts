/**
 * The oidc-provider configuration of the dev provider, built from {@link DevProviderOptions}: clients,
 * keys, accounts, claims, lifetimes, features and the pages oidc-provider renders itself.
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import type { JWK } from 'jose'
import type {
  Account,
  ClientMetadata,
  Configuration,
  JWK as ProviderJWK,
  KoaContextWithOIDC,
} from 'oidc-provider'
import { esc, page } from './html.js'
import { memoryAdapter } from './memory-adapter.js'
import { DEV_CLIENTS, DEV_POST_LOGOUT_REDIRECT_URI, DEV_REDIRECT_URIS } from './types.js'
import type { DevAccount, DevProviderOptions } from './types.js'

/** The keys the configuration needs: the provider's signing keys and `pkjwt-client`'s public key. */
export interface DevProviderKeys {
  signing: JWK[]
  pkjwtPublic: JWK
}

/**
 * The provider's configuration: the generated one, with `options.configuration` deep-merged over it
 * (plain objects merge, everything else replaces).
 */
export function devProviderConfiguration(
  options: DevProviderOptions,
  accounts: DevAccount[],
  keys: DevProviderKeys,
): Configuration {
  const on = (flag: boolean | undefined) => flag ?? true
  const ttl = options.accessTokenTtl ?? 3600
  const day = 24 * 60 * 60

  const base: Configuration = {
    clients: options.clients ?? defaultClients(keys.pkjwtPublic, options),
    adapter: memoryAdapter(),
    jwks: { keys: keys.signing as ProviderJWK[] },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    findAccount: (_ctx, sub) => {
      const account = accounts.find((a) => a.sub === sub)
      return account && toOidcAccount(account)
    },
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name', 'given_name', 'family_name', 'picture'],
    },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'api:read'],
    // Put scope-requested claims (email, profile) in the ID Token too, not only at userinfo.
    conformIdTokenClaims: false,
    pkce: { required: () => options.pkceRequired ?? true },
    // Refresh tokens whenever the client may use them, without requiring offline_access + prompt=consent.
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: options.rotateRefreshToken ?? true,
    // Explicit TTLs (and the sources/policies below) also silence oidc-provider's "you SHOULD change" notices.
    ttl: {
      AccessToken: ttl,
      ClientCredentials: ttl,
      AuthorizationCode: 60,
      IdToken: 3600,
      RefreshToken: 14 * day,
      DeviceCode: 600,
      Interaction: 3600,
      Session: 14 * day,
      Grant: 14 * day,
    },
    // Tests may call the provider from browser pages on any origin.
    clientBasedCORS: () => true,
    renderError: (ctx, out) => {
      ctx.type = 'html'
      ctx.body = page(
        'Error',
        `<h1>Something went wrong</h1><p id="error">${esc(out.error)}</p>` +
          `<p id="error_description">${esc(out.error_description ?? '')}</p>` +
          redirectMismatchHelp(ctx, out.error, out.error_description),
      )
    },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      clientCredentials: { enabled: on(options.clientCredentials) },
      introspection: {
        enabled: on(options.introspection),
        // Same as the default: public clients may only introspect their own tokens.
        allowedPolicy: (_ctx, client, token) =>
          client.clientAuthMethod !== 'none' || token.clientId === client.clientId,
      },
      revocation: {
        enabled: on(options.revocation),
        // A client may only revoke its own tokens (others are silently ignored, as RFC 7009 allows).
        allowedPolicy: (_ctx, client, token) => token.clientId === client.clientId,
      },
      rpInitiatedLogout: {
        enabled: on(options.rpInitiatedLogout),
        logoutSource: (ctx, form) => {
          ctx.body = page(
            'Sign out',
            `<h1>Sign out of ${esc(ctx.host)}?</h1>${form}` +
              '<button id="logout-yes" type="submit" form="op.logoutForm" name="logout" value="yes">Yes, sign me out</button>' +
              '<button id="logout-no" type="submit" form="op.logoutForm">No, stay signed in</button>',
          )
        },
        postLogoutSuccessSource: (ctx) => {
          ctx.body = page('Signed out', '<h1 id="logout-success">Signed out</h1>')
        },
      },
      deviceFlow: {
        enabled: on(options.deviceFlow),
        // Own versions of the built-in pages: same forms (passed in), but no remote font @import and no notices.
        userCodeInputSource: (ctx, form, _out, err) => {
          const message = !err
            ? '<p>Enter the code displayed on your device</p>'
            : err.name === 'AbortedError'
              ? '<p id="device-aborted">The sign-in request was aborted</p>'
              : '<p id="error">The code you entered is incorrect. Try again</p>'
          ctx.body = page(
            'Device sign-in',
            `<h1>Device sign-in</h1>${message}${form}<button id="device-continue" type="submit" form="op.deviceInputForm">Continue</button>`,
          )
        },
        userCodeConfirmSource: (ctx, form, client, _deviceInfo, userCode) => {
          ctx.body = page(
            'Confirm device',
            `<h1>Confirm device</h1><p><strong>${esc(client.clientName ?? client.clientId)}</strong></p>` +
              `<p>Code: <code id="user-code">${esc(userCode)}</code></p>${form}` +
              '<button id="device-confirm" type="submit" form="op.deviceConfirmForm">Continue</button>' +
              '<button id="device-abort" type="submit" form="op.deviceConfirmForm" name="abort" value="yes">Abort</button>',
          )
        },
        successSource: (ctx) => {
          ctx.body = page(
            'Device signed in',
            '<h1 id="device-success">Sign-in successful</h1><p>You can close this page.</p>',
          )
        },
      },
    },
  }

  return deepMerge(
    base as PlainObject,
    (options.configuration ?? {}) as PlainObject,
  ) as Configuration
}

function defaultClients(pkjwtPublicJwk: JWK, options: DevProviderOptions): ClientMetadata[] {
  const web: Partial<ClientMetadata> = {
    redirect_uris: options.redirectUris ?? DEV_REDIRECT_URIS,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    post_logout_redirect_uris: options.postLogoutRedirectUris ?? [DEV_POST_LOGOUT_REDIRECT_URI],
  }
  return [
    { ...web, ...DEV_CLIENTS.basic, token_endpoint_auth_method: 'client_secret_basic' },
    { ...web, ...DEV_CLIENTS.post, token_endpoint_auth_method: 'client_secret_post' },
    { ...web, ...DEV_CLIENTS.none, token_endpoint_auth_method: 'none' },
    { ...web, ...DEV_CLIENTS.jwt, token_endpoint_auth_method: 'client_secret_jwt' },
    {
      ...web,
      ...DEV_CLIENTS.pkjwt,
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [pkjwtPublicJwk as ProviderJWK] },
    },
    {
      ...DEV_CLIENTS.service,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    },
    {
      ...DEV_CLIENTS.device,
      token_endpoint_auth_method: 'none',
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      redirect_uris: [],
      response_types: [],
    },
  ]
}

/** On a redirect_uri mismatch, the URI the app sent and the ones the client has, so the fix is obvious. */
function redirectMismatchHelp(ctx: KoaContextWithOIDC, error: string, description = ''): string {
  const client = ctx.oidc?.client
  // oidc-provider reports an unknown post_logout_redirect_uri as a plain invalid_request.
  const logout =
    error === 'invalid_request' && /post_logout_redirect_uri not registered/.test(description)
  if (!client || (error !== 'invalid_redirect_uri' && !logout)) return ''
  const sent =
    (ctx.oidc.params?.[logout ? 'post_logout_redirect_uri' : 'redirect_uri'] as
      string | undefined) ?? ''
  const registered = (logout ? client.postLogoutRedirectUris : client.redirectUris) ?? []
  const items = registered.map((uri) => `<li><code>${esc(uri)}</code></li>`).join('')
  return (
    `<p>The app sent <code id="sent-uri">${esc(sent)}</code>, but client <code>${esc(client.clientId)}</code> accepts only:</p>` +
    `<ul id="registered-uris">${items || '<li>(none)</li>'}</ul>` +
    `<p>Pass the app's callback URL to <code>startDevProvider({ ${logout ? 'postLogoutRedirectUris' : 'redirectUris'}: [...] })</code>.</p>`
  )
}

function toOidcAccount(account: DevAccount): Account {
  // Everything but the password is a claim; oidc-provider filters them by the granted scopes.
  const { password: _password, ...claims } = account
  return { accountId: account.sub, claims: () => claims }
}

/** issAuthResp: false — oidc-provider 9 always adds RFC 9207 `iss`, so remove it from responses after the fact. */
export function stripIssParameter(issuer: string) {
  const origin = new URL(issuer).origin
  return async (ctx: KoaContextWithOIDC, next: () => Promise<unknown>) => {
    await next()
    if (
      ctx.path === '/.well-known/openid-configuration' &&
      ctx.body &&
      typeof ctx.body === 'object'
    ) {
      delete (ctx.body as Record<string, unknown>).authorization_response_iss_parameter_supported
    }
    const location = ctx.response.get('location')
    if (location && new URL(location, issuer).origin !== origin) {
      const url = new URL(location)
      const fragment = new URLSearchParams(url.hash.slice(1))
      if (url.searchParams.has('iss') || fragment.has('iss')) {
        url.searchParams.delete('iss')
        if (fragment.has('iss')) {
          fragment.delete('iss')
          url.hash = fragment.toString()
        }
        ctx.set('location', url.href)
      }
    }
    if (typeof ctx.body === 'string' && ctx.body.includes('<input type="hidden" name="iss"')) {
      ctx.body = ctx.body.replace(/<input type="hidden" name="iss" value="[^"]*"\/>/, '')
    }
  }
}

type PlainObject = Record<string, unknown>

function isPlainObject(value: unknown): value is PlainObject {
  return (
    typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype
  )
}

function deepMerge(base: PlainObject, override: PlainObject): PlainObject {
  const out: PlainObject = { ...base }
  for (const [key, value] of Object.entries(override)) {
    const current = out[key]
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value
  }
  return out
}
