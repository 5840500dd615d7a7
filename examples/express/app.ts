/**
 * The Express example: sign in with an OpenID provider (and GitHub, or any preset listed in
 * OPTIONAL_PROVIDERS, when its credentials are set), a profile page with the user's claims and an
 * authenticated API call, and sign-out at the provider (RP-initiated logout).
 *
 * The user session is oauthkit's sealed cookie holding only the user id; the tokens live in SQLite
 * through oauthkit/stores/sqlite, sealed with the registry's secret and keyed by that user id.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express, { type NextFunction, type Request as ExpressRequest, type Response as ExpressResponse } from 'express'
import { OAuth, isOAuthKitError, type AppConfig, type NormalizedProfile, type OAuth2App, type OAuth2Token, type RemoteApp, type SealedTokenStore, type TokenOf } from 'oauthkit'
import { oauthkit, oauthRoutes } from 'oauthkit/express'
import * as presets from 'oauthkit/providers'
import { SqliteTokenStore } from 'oauthkit/stores/sqlite'
import { openDatabase, type Db, type Identity } from './db.js'

/** A way to sign in: a registered app, and an authenticated API call telling who signed in. */
export interface Provider {
  name: string
  label: string
  /** The app's config; or, for a preset that registers its client first (Mastodon), a function making it on first use from the callback URL. */
  config: AppConfig | ((callbackUrl: string) => Promise<AppConfig>)
  whoami(app: RemoteApp, token: TokenOf<RemoteApp>): Promise<Record<string, unknown>>
}

type Env = Record<string, string | undefined>

/** A sign-in option from oauthkit/providers, enabled by environment variables. */
export interface OptionalProvider {
  /** The preset's factory in oauthkit/providers. */
  preset: keyof typeof presets
  /** The variables' prefix; lower-cased, the app's name (`/auth/<name>/login`). */
  env: string
  label: string
  /** Which of `<env>_CLIENT_ID` and `<env>_CLIENT_SECRET` it takes (default both). */
  credentials?: Array<'CLIENT_ID' | 'CLIENT_SECRET'>
  /** The other variables it needs. */
  needs?: string[]
  config: (clientId: string, clientSecret: string, env: Env) => Provider['config']
}

/**
 * Extra sign-in options: every preset of oauthkit/providers, each enabled when `<env>_CLIENT_ID` and
 * `<env>_CLIENT_SECRET` are set (and the preset's other settings, named in `needs`). OAuth 2, OAuth
 * 1.0a (X's OAuth 1.0a, Tumblr, Trello) and OpenID 2.0 (Steam) apps all sign in through the same routes.
 */
export const OPTIONAL_PROVIDERS: OptionalProvider[] = [
  { preset: 'github', env: 'GITHUB', label: 'GitHub', config: (clientId, clientSecret) => presets.github({ clientId, clientSecret }) },
  { preset: 'google', env: 'GOOGLE', label: 'Google', config: (clientId, clientSecret) => presets.google({ clientId, clientSecret }) },
  { preset: 'microsoftEntraId', env: 'ENTRA', label: 'Microsoft', config: (clientId, clientSecret, env) => presets.microsoftEntraId({ clientId, clientSecret, tenant: env.ENTRA_TENANT ?? 'common' }) },
  // Apple's client secret is a JWT signed with the key of the .p8 file (its PEM in APPLE_PRIVATE_KEY).
  { preset: 'apple', env: 'APPLE', label: 'Apple', credentials: ['CLIENT_ID'], needs: ['APPLE_TEAM_ID', 'APPLE_KEY_ID', 'APPLE_PRIVATE_KEY'], config: (clientId, _, env) => presets.apple({ clientId, teamId: env.APPLE_TEAM_ID!, keyId: env.APPLE_KEY_ID!, privateKey: env.APPLE_PRIVATE_KEY! }) },
  { preset: 'gitlab', env: 'GITLAB', label: 'GitLab', config: (clientId, clientSecret, env) => presets.gitlab({ clientId, clientSecret, baseUrl: env.GITLAB_BASE_URL }) },
  { preset: 'slack', env: 'SLACK', label: 'Slack', config: (clientId, clientSecret) => presets.slack({ clientId, clientSecret }) },
  { preset: 'linkedin', env: 'LINKEDIN', label: 'LinkedIn', config: (clientId, clientSecret) => presets.linkedin({ clientId, clientSecret }) },
  { preset: 'facebook', env: 'FACEBOOK', label: 'Facebook', config: (clientId, clientSecret) => presets.facebook({ clientId, clientSecret }) },
  { preset: 'twitter', env: 'TWITTER', label: 'X', config: (clientId, clientSecret) => presets.twitter({ clientId, clientSecret }) },
  // X's OAuth 1.0a: the API key and its secret.
  { preset: 'twitterOAuth1', env: 'TWITTER_OAUTH1', label: 'X (OAuth 1.0a)', config: (clientId, clientSecret) => presets.twitterOAuth1({ clientId, clientSecret }) },
  { preset: 'discord', env: 'DISCORD', label: 'Discord', config: (clientId, clientSecret) => presets.discord({ clientId, clientSecret }) },
  { preset: 'spotify', env: 'SPOTIFY', label: 'Spotify', config: (clientId, clientSecret) => presets.spotify({ clientId, clientSecret }) },
  { preset: 'twitch', env: 'TWITCH', label: 'Twitch', config: (clientId, clientSecret) => presets.twitch({ clientId, clientSecret }) },
  { preset: 'reddit', env: 'REDDIT', label: 'Reddit', config: (clientId, clientSecret, env) => presets.reddit({ clientId, clientSecret, userAgent: env.REDDIT_USER_AGENT ?? 'web:oauthkit-demo:0.1 (by /u/oauthkit)' }) },
  { preset: 'dropbox', env: 'DROPBOX', label: 'Dropbox', config: (clientId, clientSecret) => presets.dropbox({ clientId, clientSecret }) },
  { preset: 'bitbucket', env: 'BITBUCKET', label: 'Bitbucket', config: (clientId, clientSecret) => presets.bitbucket({ clientId, clientSecret }) },
  { preset: 'strava', env: 'STRAVA', label: 'Strava', config: (clientId, clientSecret) => presets.strava({ clientId, clientSecret }) },
  { preset: 'zoom', env: 'ZOOM', label: 'Zoom', config: (clientId, clientSecret) => presets.zoom({ clientId, clientSecret }) },
  { preset: 'notion', env: 'NOTION', label: 'Notion', config: (clientId, clientSecret) => presets.notion({ clientId, clientSecret }) },
  // OAuth 1.0a: the consumer key and secret.
  { preset: 'tumblr', env: 'TUMBLR', label: 'Tumblr', config: (clientId, clientSecret) => presets.tumblr({ clientId, clientSecret }) },
  { preset: 'trello', env: 'TRELLO', label: 'Trello', config: (clientId, clientSecret) => presets.trello({ clientId, clientSecret, appName: 'oauthkit demo' }) },
  // OpenID 2.0: no client to register; the Web API key loads the profile (the user's name).
  { preset: 'steam', env: 'STEAM', label: 'Steam', credentials: [], needs: ['STEAM_API_KEY'], config: (_, __, env) => presets.steam({ apiKey: env.STEAM_API_KEY }) },
  { preset: 'okta', env: 'OKTA', label: 'Okta', needs: ['OKTA_ISSUER'], config: (clientId, clientSecret, env) => presets.okta({ clientId, clientSecret, issuer: env.OKTA_ISSUER! }) },
  { preset: 'auth0', env: 'AUTH0', label: 'Auth0', needs: ['AUTH0_DOMAIN'], config: (clientId, clientSecret, env) => presets.auth0({ clientId, clientSecret, domain: env.AUTH0_DOMAIN! }) },
  { preset: 'keycloak', env: 'KEYCLOAK', label: 'Keycloak', needs: ['KEYCLOAK_BASE_URL', 'KEYCLOAK_REALM'], config: (clientId, clientSecret, env) => presets.keycloak({ clientId, clientSecret, baseUrl: env.KEYCLOAK_BASE_URL!, realm: env.KEYCLOAK_REALM! }) },
  { preset: 'line', env: 'LINE', label: 'LINE', config: (clientId, clientSecret) => presets.line({ clientId, clientSecret }) },
  { preset: 'kakao', env: 'KAKAO', label: 'Kakao', config: (clientId, clientSecret) => presets.kakao({ clientId, clientSecret }) },
  { preset: 'naver', env: 'NAVER', label: 'Naver', config: (clientId, clientSecret) => presets.naver({ clientId, clientSecret }) },
  { preset: 'wechat', env: 'WECHAT', label: 'WeChat', config: (clientId, clientSecret) => presets.wechat({ clientId, clientSecret }) },
  { preset: 'salesforce', env: 'SALESFORCE', label: 'Salesforce', config: (clientId, clientSecret, env) => presets.salesforce({ clientId, clientSecret, loginUrl: env.SALESFORCE_LOGIN_URL }) },
  { preset: 'cognito', env: 'COGNITO', label: 'Amazon Cognito', needs: ['COGNITO_USER_POOL_ID', 'COGNITO_DOMAIN'], config: (clientId, clientSecret, env) => presets.cognito({ clientId, clientSecret, userPoolId: env.COGNITO_USER_POOL_ID!, domain: env.COGNITO_DOMAIN! }) },
  { preset: 'atlassian', env: 'ATLASSIAN', label: 'Atlassian', config: (clientId, clientSecret) => presets.atlassian({ clientId, clientSecret }) },
  // Mastodon registers the demo at the instance (RFC 7591) on the button's first click: no client id.
  { preset: 'mastodon', env: 'MASTODON', label: 'Mastodon', credentials: [], needs: ['MASTODON_INSTANCE'], config: (_, __, env) => (callbackUrl) => presets.mastodon({ instance: env.MASTODON_INSTANCE!, clientName: 'oauthkit demo', redirectUris: callbackUrl }) },
  { preset: 'yahoo', env: 'YAHOO', label: 'Yahoo', config: (clientId, clientSecret) => presets.yahoo({ clientId, clientSecret }) },
  { preset: 'amazon', env: 'AMAZON', label: 'Amazon', config: (clientId, clientSecret, env) => presets.amazon({ clientId, clientSecret, region: (env.AMAZON_REGION ?? 'na') as 'na' | 'eu' | 'fe' }) },
  { preset: 'box', env: 'BOX', label: 'Box', config: (clientId, clientSecret) => presets.box({ clientId, clientSecret }) },
  { preset: 'patreon', env: 'PATREON', label: 'Patreon', config: (clientId, clientSecret) => presets.patreon({ clientId, clientSecret }) },
  { preset: 'zitadel', env: 'ZITADEL', label: 'ZITADEL', needs: ['ZITADEL_ISSUER'], config: (clientId, clientSecret, env) => presets.zitadel({ clientId, clientSecret, issuer: env.ZITADEL_ISSUER! }) },
  { preset: 'authentik', env: 'AUTHENTIK', label: 'authentik', needs: ['AUTHENTIK_BASE_URL', 'AUTHENTIK_SLUG'], config: (clientId, clientSecret, env) => presets.authentik({ clientId, clientSecret, baseUrl: env.AUTHENTIK_BASE_URL!, slug: env.AUTHENTIK_SLUG! }) },
  { preset: 'dex', env: 'DEX', label: 'Dex', needs: ['DEX_ISSUER'], config: (clientId, clientSecret, env) => presets.dex({ clientId, clientSecret, issuer: env.DEX_ISSUER! }) },
]

/** The optional providers whose credentials and settings are in `env`. */
export function providersFromEnv(env: Env = process.env): Provider[] {
  return OPTIONAL_PROVIDERS.flatMap(({ env: prefix, label, credentials = ['CLIENT_ID', 'CLIENT_SECRET'], needs = [], config }) => {
    if ([...credentials.map((key) => `${prefix}_${key}`), ...needs].some((name) => !env[name])) return []
    const id = env[`${prefix}_CLIENT_ID`] ?? ''
    const secret = env[`${prefix}_CLIENT_SECRET`] ?? ''
    // Each preset maps its provider's profile to the same normalised fields.
    return [{ name: prefix.toLowerCase(), label: `Sign in with ${label}`, config: config(id, secret, env), whoami: async (app, token) => ({ ...(await app.profile(token as never)) }) }]
  })
}

/** Options of {@link startExpressExample}. */
export interface ExpressExampleOptions {
  /** Port on `host` (default 3000; 0 picks a free one). */
  port?: number
  /** Default 127.0.0.1. */
  host?: string
  /** The app's public URL (default `http://<host>:<port>`); redirect URIs are built from it. */
  baseUrl?: string
  /** The OpenID provider, by its issuer or its discovery document URL. */
  issuer?: string
  discoveryUrl?: string
  clientId: string
  clientSecret?: string
  /** Password sealing login transactions, the session cookie and the stored tokens (32+ characters; default: random per process). */
  secret?: string
  /** SQLite file of users and tokens (default `:memory:`). */
  database?: string
  /** More ways to sign in (default: {@link providersFromEnv}). */
  providers?: Provider[]
}

declare module 'oauthkit/express' {
  interface Register {
    oauth: OAuth<Record<string, RemoteApp>>
  }
}

/** A running example: its URL, and what a test may want to look at. */
export interface ExpressExample {
  url: string
  server: Server
  db: Db
  /** The users' tokens in SQLite, read and written unsealed (`oauth.tokens`). */
  tokens: SealedTokenStore
  close(): Promise<void>
}

/** Start the example app. It needs a client registered with `<baseUrl>/auth/oidc/callback` (and `<baseUrl>/signed-out` for sign-out). */
export async function startExpressExample(options: ExpressExampleOptions): Promise<ExpressExample> {
  const host = options.host ?? '127.0.0.1'
  const server = createServer()
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(options.port ?? 3000, host, resolve))
  const baseUrl = options.baseUrl ?? `http://${host}:${(server.address() as AddressInfo).port}`
  const db = openDatabase(options.database)
  const discoveryUrl = options.discoveryUrl ?? `${options.issuer}/.well-known/openid-configuration`
  const providers: Provider[] = [
    {
      name: 'oidc',
      label: 'Sign in',
      config: { serverMetadataUrl: discoveryUrl, clientId: options.clientId, clientSecret: options.clientSecret, scope: 'openid email profile' },
      whoami: (app, token) => (app as OAuth2App).userinfo(token as OAuth2Token),
    },
    ...(options.providers ?? providersFromEnv()),
  ]
  // Who signed in, asked of the provider's API with the token.
  const whoami = (name: string, token: TokenOf<RemoteApp>) => providers.find((p) => p.name === name)!.whoami(oauth.create(name), token)

  // The registry. Each user's tokens live in SQLite, sealed with the secret, under the app's user id:
  const oauth: OAuth<Record<string, RemoteApp>> = new OAuth({
    secret: options.secret ?? randomBytes(32).toString('base64url'), // seals login transactions, the session and the tokens
    store: new SqliteTokenStore(db.sqlite), // API calls read the signed-in user's token here; logins and refreshes write it
  })
  for (const { name, config } of providers) if (typeof config !== 'function') oauth.register(name, config)
  // A preset that registers its client first (Mastodon) is registered on its first use, once.
  const registering = new Map<string, Promise<unknown>>()
  const registered = async (name: string) => {
    const config = providers.find((p) => p.name === name)?.config
    if (typeof config !== 'function' || oauth.names().includes(name)) return
    if (!registering.has(name))
      registering.set(name, config(`${baseUrl}/auth/${name}/callback`).then((c) => oauth.register(name, c)).finally(() => registering.delete(name)))
    await registering.get(name)
  }

  const app = express().disable('x-powered-by')
  // Mastodon's button: its app is registered before its routes run.
  app.use('/auth/:name', (req, _res, next) => void registered(req.params.name!).then(() => next(), next))
  // req.oauth in every route; its ctx.userId is the session's user id (oauthkit's sealed session cookie).
  app.use(oauthkit(oauth, { baseUrl }))
  // GET /auth/:name/login?returnTo=…, GET|POST /auth/:name/callback, POST /auth/:name/logout; failures go to the error handler below.
  app.use(
    '/auth',
    oauthRoutes(oauth, {
      baseUrl,
      // The app's user for the provider account that signed in (created on first sign-in): the session's user id and the tokens' key.
      userId: ({ name, profile }) => db.upsertUser(name, identity(profile)),
      // Sign-out ends the app's session, revokes and forgets the tokens, then ends the provider's session (RP-initiated logout).
      logout: { revoke: true, endSession: true, returnTo: '/signed-out' },
      onError: (error, { next }) => next(error),
    }),
  )

  const signedInUser = (req: ExpressRequest) => (typeof req.oauth.ctx.userId === 'number' ? db.user(req.oauth.ctx.userId) : undefined)

  app.get(['/', '/signed-out'], (req, res) => {
    const user = signedInUser(req)
    const notice = req.path === '/signed-out' && !user ? '<p id="signed-out">Signed out.</p>' : ''
    const body = user
      ? `<p>Signed in as <strong>${esc(user.email ?? user.name ?? user.subject)}</strong>. <a id="profile" href="/profile">Profile</a></p>${signOutForm(user.provider)}`
      : providers
          .map((p) => `<p><a id="${p.name === 'oidc' ? 'sign-in' : `sign-in-${p.name}`}" href="/auth/${p.name}/login?returnTo=/profile">${esc(p.label)}</a></p>`)
          .join('')
    res.type('html').send(page('oauthkit + Express', `${notice}${body}`))
  })

  app.get('/profile', async (req, res) => {
    const user = signedInUser(req)
    if (!user) return res.redirect(303, '/')
    await registered(user.provider)
    // The token comes from SQLite through the store (refreshed first if it is about to expire).
    const token = await req.oauth
      .create(user.provider)
      .fetchToken()
      .catch((err: unknown) => {
        if (isOAuthKitError(err, 'token_missing') || isOAuthKitError(err, 'reauthentication_required')) return undefined
        throw err
      })
    if (!token) return res.redirect(303, `/auth/${user.provider}/login?returnTo=/profile`) // sign in again
    const api = await whoami(user.provider, token).catch((err: unknown) => {
      // The provider no longer accepts the token (revoked, or replaced by a newer login in another tab).
      if (isOAuthKitError(err, 'userinfo_invalid') && err.status === 401) return undefined
      throw err
    })
    if (!api) return res.redirect(303, `/auth/${user.provider}/login?returnTo=/profile`) // sign in again, no prompt while the provider session lasts
    res.type('html').send(
      page(
        'Profile',
        '<h1>Profile</h1><dl>' +
          `<dt>Email</dt><dd id="email">${esc(user.email ?? '')}</dd>` +
          `<dt>Name</dt><dd id="name">${esc(user.name ?? '')}</dd>` +
          `<dt>Subject</dt><dd id="subject">${esc(user.subject)}</dd>` +
          `<dt>Signed in with</dt><dd id="provider">${esc(user.provider)}</dd></dl>` +
          `<h2>From the provider's API</h2><pre id="api">${esc(JSON.stringify(api, null, 2))}</pre>${signOutForm(user.provider)}`,
      ),
    )
  })

  // Failed logins arrive here as OAuthKitErrors with a stable code.
  app.use((err: unknown, _req: ExpressRequest, res: ExpressResponse, _next: NextFunction) => {
    if (!isOAuthKitError(err)) console.error(err)
    const code = isOAuthKitError(err) ? err.code : 'unexpected'
    res
      .status(isOAuthKitError(err) ? 400 : 500)
      .type('html')
      .send(page('Sign-in failed', `<h1>Something went wrong</h1><p>Error: <code id="error-code">${esc(code)}</code></p><p><a href="/">Home</a></p>`))
  })

  server.on('request', app)
  return {
    url: baseUrl,
    server,
    db,
    tokens: oauth.tokens!,
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      db.close()
    },
  }
}

function identity(profile: NormalizedProfile | undefined): Identity {
  if (!profile) throw new Error('every provider of this example has a profile')
  return { subject: profile.sub, email: profile.email, name: profile.name }
}

/** Sign-out is a same-origin POST (the route refuses one from another site). */
const signOutForm = (provider: string) =>
  `<form method="post" action="/auth/${esc(provider)}/logout"><button id="sign-out" type="submit">Sign out</button></form>`

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><main>${body}</main></body></html>`
}

function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
