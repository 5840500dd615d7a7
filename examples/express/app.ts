/**
 * The Express example: sign in with an OpenID provider (and GitHub, or any provider listed in
 * OPTIONAL_PROVIDERS, when its credentials are set), a profile page with the user's claims and an
 * authenticated API call, and sign-out at the provider (RP-initiated logout).
 *
 * The app's own session is an iron-session cookie holding only the user id; the tokens live in SQLite
 * (better-sqlite3), read and written by the registry's fetchToken/updateToken.
 */
import { randomBytes } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import express, { type NextFunction, type Request as ExpressRequest, type Response as ExpressResponse } from 'express'
import { getIronSession, type IronSession } from 'iron-session'
import { OAuth, isOAuthKitError, type OAuth2App, type OAuth2AppConfig, type OAuth2Token } from 'oauthkit'
import { oauthkit, oauthRoutes, sendResponse } from 'oauthkit/express'
import * as presets from 'oauthkit/providers'
import { openDatabase, type Db, type Identity } from './db.js'

/** A way to sign in: a registered app, and an authenticated API call telling who signed in. */
export interface Provider {
  name: string
  label: string
  config: OAuth2AppConfig
  whoami(app: OAuth2App, token: OAuth2Token): Promise<Record<string, unknown>>
}

type Env = Record<string, string | undefined>

/**
 * Extra sign-in options from oauthkit/providers, each enabled when `<env>_CLIENT_ID` and
 * `<env>_CLIENT_SECRET` are set (and the preset's other settings, named in `needs`).
 */
export const OPTIONAL_PROVIDERS: Array<{ env: string; label: string; needs?: string[]; config: (clientId: string, clientSecret: string, env: Env) => OAuth2AppConfig }> = [
  { env: 'GITHUB', label: 'GitHub', config: (clientId, clientSecret) => presets.github({ clientId, clientSecret }) },
  { env: 'GOOGLE', label: 'Google', config: (clientId, clientSecret) => presets.google({ clientId, clientSecret }) },
  { env: 'ENTRA', label: 'Microsoft', config: (clientId, clientSecret, env) => presets.microsoftEntraId({ clientId, clientSecret, tenant: env.ENTRA_TENANT ?? 'common' }) },
  { env: 'GITLAB', label: 'GitLab', config: (clientId, clientSecret, env) => presets.gitlab({ clientId, clientSecret, baseUrl: env.GITLAB_BASE_URL }) },
  { env: 'SLACK', label: 'Slack', config: (clientId, clientSecret) => presets.slack({ clientId, clientSecret }) },
  { env: 'LINKEDIN', label: 'LinkedIn', config: (clientId, clientSecret) => presets.linkedin({ clientId, clientSecret }) },
  { env: 'FACEBOOK', label: 'Facebook', config: (clientId, clientSecret) => presets.facebook({ clientId, clientSecret }) },
  { env: 'TWITTER', label: 'X', config: (clientId, clientSecret) => presets.twitter({ clientId, clientSecret }) },
  { env: 'DISCORD', label: 'Discord', config: (clientId, clientSecret) => presets.discord({ clientId, clientSecret }) },
  { env: 'SPOTIFY', label: 'Spotify', config: (clientId, clientSecret) => presets.spotify({ clientId, clientSecret }) },
  { env: 'TWITCH', label: 'Twitch', config: (clientId, clientSecret) => presets.twitch({ clientId, clientSecret }) },
  { env: 'REDDIT', label: 'Reddit', config: (clientId, clientSecret, env) => presets.reddit({ clientId, clientSecret, userAgent: env.REDDIT_USER_AGENT ?? 'web:oauthkit-demo:0.1 (by /u/oauthkit)' }) },
  { env: 'DROPBOX', label: 'Dropbox', config: (clientId, clientSecret) => presets.dropbox({ clientId, clientSecret }) },
  { env: 'BITBUCKET', label: 'Bitbucket', config: (clientId, clientSecret) => presets.bitbucket({ clientId, clientSecret }) },
  { env: 'STRAVA', label: 'Strava', config: (clientId, clientSecret) => presets.strava({ clientId, clientSecret }) },
  { env: 'ZOOM', label: 'Zoom', config: (clientId, clientSecret) => presets.zoom({ clientId, clientSecret }) },
  { env: 'NOTION', label: 'Notion', config: (clientId, clientSecret) => presets.notion({ clientId, clientSecret }) },
  { env: 'OKTA', label: 'Okta', needs: ['OKTA_ISSUER'], config: (clientId, clientSecret, env) => presets.okta({ clientId, clientSecret, issuer: env.OKTA_ISSUER! }) },
  { env: 'AUTH0', label: 'Auth0', needs: ['AUTH0_DOMAIN'], config: (clientId, clientSecret, env) => presets.auth0({ clientId, clientSecret, domain: env.AUTH0_DOMAIN! }) },
  { env: 'KEYCLOAK', label: 'Keycloak', needs: ['KEYCLOAK_BASE_URL', 'KEYCLOAK_REALM'], config: (clientId, clientSecret, env) => presets.keycloak({ clientId, clientSecret, baseUrl: env.KEYCLOAK_BASE_URL!, realm: env.KEYCLOAK_REALM! }) },
  { env: 'LINE', label: 'LINE', config: (clientId, clientSecret) => presets.line({ clientId, clientSecret }) },
  { env: 'KAKAO', label: 'Kakao', config: (clientId, clientSecret) => presets.kakao({ clientId, clientSecret }) },
  { env: 'NAVER', label: 'Naver', config: (clientId, clientSecret) => presets.naver({ clientId, clientSecret }) },
  { env: 'WECHAT', label: 'WeChat', config: (clientId, clientSecret) => presets.wechat({ clientId, clientSecret }) },
  { env: 'SALESFORCE', label: 'Salesforce', config: (clientId, clientSecret, env) => presets.salesforce({ clientId, clientSecret, loginUrl: env.SALESFORCE_LOGIN_URL }) },
  { env: 'COGNITO', label: 'Amazon Cognito', needs: ['COGNITO_USER_POOL_ID', 'COGNITO_DOMAIN'], config: (clientId, clientSecret, env) => presets.cognito({ clientId, clientSecret, userPoolId: env.COGNITO_USER_POOL_ID!, domain: env.COGNITO_DOMAIN! }) },
  { env: 'ATLASSIAN', label: 'Atlassian', config: (clientId, clientSecret) => presets.atlassian({ clientId, clientSecret }) },
  { env: 'YAHOO', label: 'Yahoo', config: (clientId, clientSecret) => presets.yahoo({ clientId, clientSecret }) },
  { env: 'AMAZON', label: 'Amazon', config: (clientId, clientSecret, env) => presets.amazon({ clientId, clientSecret, region: (env.AMAZON_REGION ?? 'na') as 'na' | 'eu' | 'fe' }) },
  { env: 'BOX', label: 'Box', config: (clientId, clientSecret) => presets.box({ clientId, clientSecret }) },
  { env: 'PATREON', label: 'Patreon', config: (clientId, clientSecret) => presets.patreon({ clientId, clientSecret }) },
  { env: 'ZITADEL', label: 'ZITADEL', needs: ['ZITADEL_ISSUER'], config: (clientId, clientSecret, env) => presets.zitadel({ clientId, clientSecret, issuer: env.ZITADEL_ISSUER! }) },
  { env: 'AUTHENTIK', label: 'authentik', needs: ['AUTHENTIK_BASE_URL', 'AUTHENTIK_SLUG'], config: (clientId, clientSecret, env) => presets.authentik({ clientId, clientSecret, baseUrl: env.AUTHENTIK_BASE_URL!, slug: env.AUTHENTIK_SLUG! }) },
  { env: 'DEX', label: 'Dex', needs: ['DEX_ISSUER'], config: (clientId, clientSecret, env) => presets.dex({ clientId, clientSecret, issuer: env.DEX_ISSUER! }) },
]

/** The optional providers whose credentials are in `env`. */
export function providersFromEnv(env: Env = process.env): Provider[] {
  return OPTIONAL_PROVIDERS.flatMap(({ env: prefix, label, needs = [], config }) => {
    const id = env[`${prefix}_CLIENT_ID`]
    const secret = env[`${prefix}_CLIENT_SECRET`]
    if (!id || !secret || needs.some((name) => !env[name])) return []
    // Each preset maps its provider's profile to the same normalised fields.
    return [{ name: prefix.toLowerCase(), label: `Sign in with ${label}`, config: config(id, secret, env), whoami: async (app, token) => ({ ...(await app.profile(token)) }) }]
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
  /** Password sealing login transactions (32+ characters; default: random per process). */
  secret?: string
  /** Password sealing the session cookie (32+ characters; default: random per process). */
  sessionSecret?: string
  /** SQLite file of users and tokens (default `:memory:`). */
  database?: string
  /** More ways to sign in (default: {@link providersFromEnv}). */
  providers?: Provider[]
}

interface SessionData {
  userId?: number
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      session: IronSession<SessionData>
    }
  }
}

declare module 'oauthkit/express' {
  interface Register {
    oauth: OAuth<Record<string, OAuth2App>>
  }
}

/** A running example: its URL, and what a test may want to look at. */
export interface ExpressExample {
  url: string
  server: Server
  db: Db
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
      whoami: (app, token) => app.userinfo(token),
    },
    ...(options.providers ?? providersFromEnv()),
  ]
  const sessionSecret = options.sessionSecret ?? randomBytes(32).toString('base64url')
  // Who signed in, asked of the provider's API with the token.
  const whoami = (name: string, token: OAuth2Token) => providers.find((p) => p.name === name)!.whoami(oauth.create(name), token)

  // The registry. Tokens live in the database, per user:
  const oauth: OAuth<Record<string, OAuth2App>> = new OAuth({
    secret: options.secret ?? randomBytes(32).toString('base64url'), // seals login transactions
    // API calls read the signed-in user's token here (ctx.userId comes from the session: see `context` below)…
    fetchToken: (name, ctx) => (typeof ctx?.userId === 'number' ? db.loadToken(ctx.userId, name) : null),
    // …and every new token is saved here: a refreshed one for the same user; a login's for the user the
    // provider says signed in (created on first sign-in), whom onSuccess then puts in the session.
    updateToken: async (name, token: OAuth2Token, { ctx, reason }) => {
      const refreshed = reason === 'refresh' && typeof ctx?.userId === 'number'
      const userId = refreshed ? Number(ctx.userId) : db.upsertUser(name, identity(await whoami(name, token)))
      db.saveToken(userId, name, token)
      if (ctx) ctx.userId = userId
    },
  })
  for (const provider of providers) oauth.register(provider.name, provider.config)

  const app = express().disable('x-powered-by')
  // The app's own session: an iron-session cookie holding the user id.
  app.use(async (req, res, next) => {
    res.locals.session = await getIronSession<SessionData>(req, res, {
      password: sessionSecret,
      cookieName: 'example_session',
      cookieOptions: { secure: baseUrl.startsWith('https:'), httpOnly: true, sameSite: 'lax', path: '/' },
    })
    next()
  })
  // req.oauth in every route; its token callbacks see the session's user id.
  app.use(oauthkit(oauth, { baseUrl, context: (_req, res) => ({ userId: res.locals.session.userId }) }))
  // GET /auth/:name/login?returnTo=… and GET|POST /auth/:name/callback; failures go to the error handler below.
  app.use(
    '/auth',
    oauthRoutes(oauth, {
      baseUrl,
      onSuccess: async ({ req, res }) => {
        res.locals.session.userId = Number(req.oauth.ctx.userId) // set by updateToken
        await res.locals.session.save()
      },
      onError: (error, { next }) => next(error),
    }),
  )

  const signedInUser = (res: ExpressResponse) => (res.locals.session.userId === undefined ? undefined : db.user(res.locals.session.userId))

  app.get(['/', '/signed-out'], (req, res) => {
    const user = signedInUser(res)
    const notice = req.path === '/signed-out' && !user ? '<p id="signed-out">Signed out.</p>' : ''
    const body = user
      ? `<p>Signed in as <strong>${esc(user.email ?? user.name ?? user.subject)}</strong>. <a id="profile" href="/profile">Profile</a></p>${signOutForm}`
      : providers
          .map((p) => `<p><a id="${p.name === 'oidc' ? 'sign-in' : `sign-in-${p.name}`}" href="/auth/${p.name}/login?returnTo=/profile">${esc(p.label)}</a></p>`)
          .join('')
    res.type('html').send(page('oauthkit + Express', `${notice}${body}`))
  })

  app.get('/profile', async (req, res) => {
    const user = signedInUser(res)
    if (!user) return res.redirect(303, '/')
    // The token comes from the database through fetchToken (refreshed first if it is about to expire).
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
          `<h2>From the provider's API</h2><pre id="api">${esc(JSON.stringify(api, null, 2))}</pre>${signOutForm}`,
      ),
    )
  })

  // Sign out: end the app's session, forget the tokens, then end the provider's session (RP-initiated logout).
  app.post('/logout', async (_req, res) => {
    const user = signedInUser(res)
    const token = user && db.loadToken(user.id, user.provider)
    res.locals.session.destroy()
    if (user) db.deleteTokens(user.id)
    if (!user || !token?.id_token) return res.redirect(303, '/signed-out')
    await sendResponse(res, await oauth.create(user.provider).logoutRedirect({ idTokenHint: token, postLogoutRedirectUri: `${baseUrl}/signed-out` }))
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
    close: async () => {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
      db.close()
    },
  }
}

function identity(profile: Record<string, unknown>): Identity {
  const str = (value: unknown) => (typeof value === 'string' && value ? value : undefined)
  return { subject: String(profile.sub ?? profile.id), email: str(profile.email), name: str(profile.name) ?? str(profile.login) }
}

const signOutForm = '<form method="post" action="/logout"><button id="sign-out" type="submit">Sign out</button></form>'

function page(title: string, body: string): string {
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><main>${body}</main></body></html>`
}

function esc(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}
