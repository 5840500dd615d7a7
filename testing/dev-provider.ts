/**
 * A local OpenID provider for development and end-to-end tests, built on the real `oidc-provider`
 * package (an optional peer dependency of oauthkit).
 *
 * `startDevProvider()` listens on 127.0.0.1 (free port), registers a fixed set of clients (DEV_CLIENTS) and
 * accounts, replaces oidc-provider's dev interactions with a tiny login page, and can script a browser login
 * (`authorize()`) or a device-flow approval (`approveDevice()`) over plain HTTP. Nothing reaches the internet.
 *
 * Also exported by `oauthkit/testing`; this entry point loads without msw, for apps that only need the
 * dev provider. oidc-provider is imported when {@link startDevProvider} first runs, not at import time.
 *
 * @module oauthkit/testing/dev-provider
 */
import { randomBytes } from 'node:crypto'
import http from 'node:http'
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import type Provider from 'oidc-provider'
import type {
  Account,
  Adapter,
  AdapterFactory,
  AdapterPayload,
  ClientMetadata,
  Configuration,
  Interaction,
  JWK as ProviderJWK,
  KoaContextWithOIDC,
} from 'oidc-provider'

let oidcProvider: Promise<typeof import('oidc-provider')> | undefined

/**
 * oidc-provider, imported on the first {@link startDevProvider} call, never at import time: the emulations
 * share this module's entry point and must load with msw alone. oidc-provider 9 prints "Unsupported
 * runtime" at import time on Node 20 (it targets 22+) although it works there: that one line is muted.
 */
function importOidcProvider(): Promise<typeof import('oidc-provider')> {
  oidcProvider ??= importMuted()
  oidcProvider.catch(() => (oidcProvider = undefined))
  return oidcProvider
}

async function importMuted(): Promise<typeof import('oidc-provider')> {
  const warn = console.warn
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('Unsupported runtime')) warn(...args)
  }
  try {
    return await import('oidc-provider')
  } catch (cause) {
    const missing = (cause as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND'
    if (!missing) throw cause
    throw new Error(
      'startDevProvider needs oidc-provider, an optional peer dependency of oauthkit: npm install --save-dev oidc-provider',
      { cause },
    )
  } finally {
    console.warn = warn
  }
}

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

const PKJWT_ALG = 'ES256'

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

/**
 * Start a local OpenID provider on 127.0.0.1 with configurable users and clients and a simple login
 * page: for the demo, examples, and end-to-end tests of apps built on oauthkit. No network needed.
 *
 * Resolves once it listens, with its `issuer` and `discoveryUrl`, the clients' keys, helpers that script
 * a login (`authorize`) or a device approval (`approveDevice`) without a browser, and `close()`. The
 * clients are {@link DEV_CLIENTS} (one per client authentication method, plus a client credentials and a
 * device client); sign in as {@link DEFAULT_DEV_ACCOUNT} (`alice@example.test` / `pw`) unless `accounts`
 * says otherwise. A redirect URI the client does not accept gets an error page that lists the ones it does.
 *
 * @example
 * ```ts
 * const idp = await startDevProvider({ port: 4000, redirectUris: ['http://localhost:3000/auth/dev/callback'] })
 * oauth.register('dev', { serverMetadataUrl: idp.discoveryUrl, clientId: DEV_CLIENTS.basic.client_id,
 *                        clientSecret: DEV_CLIENTS.basic.client_secret, scope: 'openid email' })
 * ```
 * @group Testing
 */
export async function startDevProvider(options: DevProviderOptions = {}): Promise<DevProvider> {
  const accounts = options.accounts ?? [DEFAULT_DEV_ACCOUNT]
  if (accounts.length === 0) throw new Error('startDevProvider: at least one account is required')
  for (const uri of [...(options.redirectUris ?? []), ...(options.postLogoutRedirectUris ?? [])]) {
    if (!URL.canParse(uri))
      throw new Error(
        `startDevProvider: "${uri}" is not an absolute URL (redirectUris and postLogoutRedirectUris need full URLs)`,
      )
  }
  const { default: OidcProvider } = await importOidcProvider()

  const [rsaJwk, ecJwk, pkjwt] = await Promise.all([
    signingJwk('RS256'),
    signingJwk('ES256'),
    generateKeyPair(PKJWT_ALG, { extractable: true }),
  ])
  const pkjwtKid = `pkjwt-${randomBytes(4).toString('hex')}`
  const privateKeyJwk: JWK = {
    ...(await exportJWK(pkjwt.privateKey)),
    kid: pkjwtKid,
    alg: PKJWT_ALG,
    use: 'sig',
  }
  const publicKeyJwk: JWK = {
    ...(await exportJWK(pkjwt.publicKey)),
    kid: pkjwtKid,
    alg: PKJWT_ALG,
    use: 'sig',
  }

  // The issuer embeds the port, so listen first and attach the provider afterwards.
  let handler: http.RequestListener = (_req, res) => res.writeHead(503).end()
  const server = http.createServer((req, res) => handler(req, res))
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as { port: number }
  const issuer = `http://127.0.0.1:${port}`

  const on = (flag: boolean | undefined) => flag ?? true
  const ttl = options.accessTokenTtl ?? 3600
  const day = 24 * 60 * 60

  const base: Configuration = {
    clients: options.clients ?? defaultClients(publicKeyJwk, options),
    adapter: memoryAdapter(),
    jwks: { keys: [rsaJwk, ecJwk] as ProviderJWK[] },
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

  const configuration = deepMerge(
    base as PlainObject,
    (options.configuration ?? {}) as PlainObject,
  ) as Configuration
  const provider = new OidcProvider(issuer, configuration)
  for (const middleware of options.middleware ?? []) provider.use(middleware)
  if (options.issAuthResp === false) provider.use(stripIssParameter(issuer))

  const callback = provider.callback()
  handler = (req, res) => {
    const match = /^\/interaction\/([\w-]+)(?:\/(login|abort))?$/.exec(
      new URL(req.url ?? '/', issuer).pathname,
    )
    if (!match) return void callback(req, res)
    handleInteraction(
      provider,
      accounts,
      req,
      res,
      match[2] as 'login' | 'abort' | undefined,
    ).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' })
      res.end(`interaction failed: ${err instanceof Error ? err.message : String(err)}`)
    })
  }

  const findLogin = (login?: string): DevAccount => {
    const account = login === undefined ? accounts[0] : findAccountByLogin(accounts, login)
    if (!account) throw new Error(`dev provider: no account matches login "${login}"`)
    return account
  }

  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    provider,
    privateKeyJwk,
    privateKey: pkjwt.privateKey,

    async authorize(authorizationUrl, opts = {}) {
      const browser = new ScriptedBrowser(issuer, findLogin(opts.login), opts.deny ?? false)
      const { status, url, html } = await browser.run(new URL(authorizationUrl))
      if (html === undefined) return { url }
      // response_mode=form_post: an auto-submitting form aimed at the client (status 400 when it carries an error).
      const form = parseForm(html)
      if (form && new URL(form.action, url).origin !== new URL(issuer).origin) {
        return { url: new URL(form.action, url), form: form.fields }
      }
      throw new Error(`authorize(): unexpected ${status} from ${url.href}: ${summarize(html)}`)
    },

    async approveDevice(userCode, opts = {}) {
      const browser = new ScriptedBrowser(issuer, findLogin(opts.login), false)
      const deviceUrl = new URL('/device', issuer)
      const input = await browser.fetch(deviceUrl)
      const xsrf = parseForm(await input.text())?.fields.get('xsrf')
      if (!xsrf) throw new Error('approveDevice(): no xsrf token on the user code page')

      // Submitting the code shows the confirmation page; confirming (or aborting) it is a second POST.
      const confirmPage = await browser.fetch(
        deviceUrl,
        new URLSearchParams({ xsrf, user_code: userCode }),
      )
      const confirmHtml = await confirmPage.text()
      if (!confirmHtml.includes('id="device-confirm"')) {
        throw new Error(`approveDevice(): user code rejected: ${summarize(confirmHtml)}`)
      }
      const decision = new URLSearchParams({ xsrf, user_code: userCode })
      decision.set(opts.deny ? 'abort' : 'confirm', 'yes')
      const { status, url, html = '' } = await browser.run(deviceUrl, decision)
      if (!html.includes(opts.deny ? 'id="device-aborted"' : 'id="device-success"')) {
        throw new Error(
          `approveDevice(): unexpected ${status} from ${url.href}: ${summarize(html)}`,
        )
      }
    },

    async close() {
      const closed = new Promise<void>((resolve, reject) =>
        server.close((err) => (err ? reject(err) : resolve())),
      )
      server.closeAllConnections()
      await closed
    },
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Interactions: a login page that also grants everything requested, so consent is never asked separately.

async function handleInteraction(
  provider: Provider,
  accounts: DevAccount[],
  req: http.IncomingMessage,
  res: http.ServerResponse,
  action: 'login' | 'abort' | undefined,
): Promise<void> {
  const details = await provider.interactionDetails(req, res)

  if (req.method === 'GET' && action === undefined) {
    // Already logged in (e.g. a real browser's second client): only consent is missing, grant it silently.
    if (details.prompt.name === 'consent' && details.session) {
      const grantId = await grantEverything(provider, details, details.session.accountId)
      return provider.interactionFinished(req, res, { consent: { grantId } })
    }
    return sendHtml(res, 200, loginPage(details))
  }
  if (req.method !== 'POST' || action === undefined)
    return sendHtml(res, 405, page('Error', '<p>Method not allowed</p>'))

  if (action === 'abort') {
    return provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'End-User aborted interaction' },
      { mergeWithLastSubmission: false },
    )
  }

  const body = new URLSearchParams(await readBody(req))
  const login = body.get('login') ?? ''
  const account = findAccountByLogin(accounts, login)
  if (!account || (account.password !== undefined && account.password !== body.get('password'))) {
    return sendHtml(res, 200, loginPage(details, 'Invalid login or password', login))
  }
  const grantId = await grantEverything(provider, details, account.sub)
  await provider.interactionFinished(req, res, {
    login: { accountId: account.sub },
    consent: { grantId },
  })
}

/** Grant all requested scopes (and any claims/resource scopes the consent prompt reports missing). */
async function grantEverything(
  provider: Provider,
  details: Interaction,
  accountId: string,
): Promise<string> {
  const clientId = String(details.params.client_id)
  const existing = details.grantId ? await provider.Grant.find(details.grantId) : undefined
  const grant = existing ?? new provider.Grant({ accountId, clientId })
  if (typeof details.params.scope === 'string') grant.addOIDCScope(details.params.scope)
  const missing = details.prompt.details as {
    missingOIDCScope?: string[]
    missingOIDCClaims?: string[]
    missingResourceScopes?: Record<string, string[]>
  }
  if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope)
  if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims)
  for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes)
  }
  return grant.save()
}

function loginPage(details: Interaction, error?: string, login?: string): string {
  const uid = esc(details.uid)
  const hint =
    login ?? (typeof details.params.login_hint === 'string' ? details.params.login_hint : '')
  return page(
    'Sign in',
    `<h1>Sign in</h1><p>to <strong id="client-id">${esc(String(details.params.client_id))}</strong></p>` +
      (error ? `<p id="error" role="alert">${esc(error)}</p>` : '') +
      `<form id="login-form" method="post" action="/interaction/${uid}/login">` +
      `<label for="login">Email or username</label><input id="login" name="login" type="text" autocomplete="username" value="${esc(hint)}" autofocus required>` +
      '<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password">' +
      '<button id="sign-in" type="submit">Sign in</button></form>' +
      `<form id="abort-form" method="post" action="/interaction/${uid}/abort"><button id="cancel" type="submit">Cancel</button></form>`,
  )
}

// ---------------------------------------------------------------------------------------------------------------
// Scripted browser: fetch with redirect: 'manual' and a path-aware cookie jar for the provider's origin.

class ScriptedBrowser {
  private readonly cookies = new Map<string, { name: string; value: string; path: string }>()
  private readonly origin: string

  constructor(
    issuer: string,
    private readonly account: DevAccount,
    private readonly deny: boolean,
  ) {
    this.origin = new URL(issuer).origin
  }

  async fetch(url: URL, form?: URLSearchParams): Promise<Response> {
    const cookie = [...this.cookies.values()]
      .filter(
        (c) =>
          url.pathname === c.path ||
          url.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`),
      )
      .map((c) => `${c.name}=${c.value}`)
      .join('; ')
    const headers: Record<string, string> = { accept: 'text/html' }
    if (cookie) headers.cookie = cookie
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded'
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      body: form,
      headers,
      redirect: 'manual',
    })
    for (const line of response.headers.getSetCookie()) this.store(line)
    return response
  }

  /**
   * Request `url`, then follow same-origin redirects and answer login pages until the provider answers with
   * something else. A redirect off the provider's origin (the client's redirect_uri) is returned as `url` without
   * `html`, not followed; any other final response is returned with its body as `html`.
   */
  async run(
    start: URL,
    form?: URLSearchParams,
  ): Promise<{ status: number; url: URL; html?: string }> {
    let url = start
    let body = form
    for (let hop = 0; hop < 20; hop++) {
      const response = await this.fetch(url, body)
      body = undefined
      const location = response.headers.get('location')
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel()
        const next = new URL(location, url)
        if (next.origin !== this.origin) return { status: response.status, url: next }
        url = next
        continue
      }
      const html = await response.text()
      const interaction = /^\/interaction\/([\w-]+)$/.exec(url.pathname)
      if (interaction && response.status === 200 && html.includes('id="login-form"')) {
        // Our login page: "click" Sign in or Cancel.
        url = new URL(
          `/interaction/${interaction[1]}/${this.deny ? 'abort' : 'login'}`,
          this.origin,
        )
        body = new URLSearchParams({
          login: this.account.sub,
          password: this.account.password ?? '',
        })
        continue
      }
      return { status: response.status, url, html }
    }
    throw new Error(`scripted browser: too many redirects from ${start.href}`)
  }

  private store(setCookie: string): void {
    const [pair = '', ...attributes] = setCookie.split(';').map((part) => part.trim())
    const eq = pair.indexOf('=')
    const name = pair.slice(0, eq)
    const value = pair.slice(eq + 1)
    let path = '/'
    let expired = value === ''
    for (const attribute of attributes) {
      const [key = '', val = ''] = attribute.split('=')
      if (key.toLowerCase() === 'path') path = val || '/'
      if (key.toLowerCase() === 'expires' && Date.parse(val) <= Date.now()) expired = true
      if (key.toLowerCase() === 'max-age' && Number(val) <= 0) expired = true
    }
    const key = `${name};${path}`
    if (expired) this.cookies.delete(key)
    else this.cookies.set(key, { name, value, path })
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Helpers

async function signingJwk(alg: 'RS256' | 'ES256'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true })
  return {
    ...(await exportJWK(privateKey)),
    kid: `${alg.toLowerCase()}-${randomBytes(4).toString('hex')}`,
    alg,
    use: 'sig',
  }
}

function toOidcAccount(account: DevAccount): Account {
  // Everything but the password is a claim; oidc-provider filters them by the granted scopes.
  const { password: _password, ...claims } = account
  return { accountId: account.sub, claims: () => claims }
}

function findAccountByLogin(accounts: DevAccount[], login: string): DevAccount | undefined {
  const wanted = login.trim().toLowerCase()
  return accounts.find((a) => a.sub.toLowerCase() === wanted || a.email.toLowerCase() === wanted)
}

/** A per-provider store (oidc-provider's default MemoryAdapter is process-global and warns on every start). */
function memoryAdapter(): AdapterFactory {
  const store = new Map<string, AdapterPayload>()
  // Expiry is checked by oidc-provider's models themselves, so entries simply live as long as the provider.
  return (model: string): Adapter => {
    const key = (id: string) => `${model}:${id}`
    const findBy = (field: 'uid' | 'userCode', value: string) => {
      for (const [k, payload] of store)
        if (k.startsWith(`${model}:`) && payload[field] === value) return payload
      return undefined
    }
    return {
      upsert: async (id, payload) => void store.set(key(id), payload),
      find: async (id) => store.get(key(id)),
      findByUid: async (uid) => findBy('uid', uid),
      findByUserCode: async (userCode) => findBy('userCode', userCode),
      consume: async (id) => {
        const payload = store.get(key(id))
        if (payload) payload.consumed = Math.floor(Date.now() / 1000)
      },
      destroy: async (id) => void store.delete(key(id)),
      revokeByGrantId: async (grantId) => {
        for (const [k, payload] of store) if (payload.grantId === grantId) store.delete(k)
      },
    }
  }
}

/** issAuthResp: false — oidc-provider 9 always adds RFC 9207 `iss`, so remove it from responses after the fact. */
function stripIssParameter(issuer: string) {
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

/** Parse the first <form> of a page: its action and the (hidden or visible) inputs' name/value pairs. */
function parseForm(html: string): { action: string; fields: URLSearchParams } | undefined {
  const form = /<form\b([^>]*)>([\s\S]*?)<\/form>/i.exec(html)
  if (!form) return undefined
  const action = unescapeHtml(/\baction="([^"]*)"/i.exec(form[1] ?? '')?.[1] ?? '')
  const fields = new URLSearchParams()
  for (const [input] of (form[2] ?? '').matchAll(/<input\b[^>]*>/gi)) {
    const name = /\bname="([^"]*)"/i.exec(input)?.[1]
    if (name !== undefined)
      fields.append(unescapeHtml(name), unescapeHtml(/\bvalue="([^"]*)"/i.exec(input)?.[1] ?? ''))
  }
  return { action, fields }
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c)
}

function unescapeHtml(value: string): string {
  return value
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/&#x([0-9a-f]+);/gi, (_, code: string) => String.fromCharCode(parseInt(code, 16)))
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
}

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><main>${body}</main></body></html>`
}

function sendHtml(res: http.ServerResponse, status: number, html: string): void {
  res
    .writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
    .end(html)
}

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

function summarize(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300)
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
