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
import { parseForm, ScriptedBrowser, summarize } from './dev-provider/browser.js'
import { devProviderConfiguration, stripIssParameter } from './dev-provider/configuration.js'
import { findAccountByLogin, handleInteraction } from './dev-provider/interaction.js'
import type { DevAccount, DevProvider, DevProviderOptions } from './dev-provider/types.js'
import { DEFAULT_DEV_ACCOUNT } from './dev-provider/types.js'

export {
  DEFAULT_DEV_ACCOUNT,
  DEV_CLIENTS,
  DEV_POST_LOGOUT_REDIRECT_URI,
  DEV_REDIRECT_URI,
  DEV_REDIRECT_URIS,
} from './dev-provider/types.js'
export type {
  AuthorizeResult,
  DevAccount,
  DevProvider,
  DevProviderOptions,
} from './dev-provider/types.js'

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

const PKJWT_ALG = 'ES256'

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

  const configuration = devProviderConfiguration(options, accounts, {
    signing: [rsaJwk, ecJwk],
    pkjwtPublic: publicKeyJwk,
  })
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

/** A fresh private signing key for the provider's JWKS (oidc-provider publishes its public half). */
async function signingJwk(alg: 'RS256' | 'ES256'): Promise<JWK> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true })
  return {
    ...(await exportJWK(privateKey)),
    kid: `${alg.toLowerCase()}-${randomBytes(4).toString('hex')}`,
    alg,
    use: 'sig',
  }
}
