// The README's quick start: an Express app that signs in against the local dev provider. Plain
// JavaScript that is also strict TypeScript: save it as server.mjs (or server.ts) and run it.
// test/package/quickstart.test.ts runs it as written, from the packed tarball.
import { randomUUID } from 'node:crypto'
import express from 'express'
import { OAuth, parseCookieHeader } from 'oauthkit'
import { oauthkit, oauthRoutes } from 'oauthkit/express'
import { DEV_CLIENTS, startDevProvider } from 'oauthkit/testing/dev-provider'

const baseUrl = process.env.BASE_URL ?? 'http://localhost:3000'
// A local OpenID provider: sign in as alice@example.test / pw. In production, your provider's metadata URL and client.
const dev = await startDevProvider({ redirectUris: [`${baseUrl}/auth/dev/callback`] })

const sessions = new Map() // session cookie → your app's user id (use your session library)
const tokens = new Map() // your app's user id → that user's token (a database table in a real app)
const userOf = (cookieHeader = '') => sessions.get(parseCookieHeader(cookieHeader).get('sid'))

const oauth = new OAuth({
  secret: process.env.OAUTH_SECRET ?? 'dev-only-secret-replace-me-with-32-or-more-chars',
  fetchToken: (_app, ctx) => tokens.get(ctx?.userId),
  // A refreshed token replaces the signed-in user's (the login's own is saved by onSuccess below).
  updateToken: (_app, token, { ctx }) => void (ctx?.userId && tokens.set(ctx.userId, token)),
}).register('dev', { serverMetadataUrl: dev.discoveryUrl, clientId: DEV_CLIENTS.basic.client_id, clientSecret: DEV_CLIENTS.basic.client_secret, scope: 'openid email profile' })

const app = express()
app.use(oauthkit(oauth, { baseUrl, context: (req) => ({ userId: userOf(req.headers.cookie) }) }))
// GET /auth/dev/login → the provider → GET /auth/dev/callback: onSuccess saves the token and starts a session.
app.use('/auth', oauthRoutes(oauth, {
  baseUrl,
  onSuccess: ({ token, res }) => {
    // Right after a login nobody is signed in yet: this app's user id is the provider's subject.
    const sid = randomUUID()
    sessions.set(sid, token.userinfo?.sub)
    tokens.set(token.userinfo?.sub, token)
    res.cookie('sid', sid, { httpOnly: true, sameSite: 'lax' })
  },
}))
app.get('/', async (req, res) => {
  const userId = userOf(req.headers.cookie)
  if (!userId) return void res.send('<a href="/auth/dev/login">Sign in</a>')
  const token = await oauth.create('dev').fetchToken({ userId }) // from fetchToken, refreshed when due
  const me = await oauth.create('dev').userinfo(token)
  res.send(`Signed in as ${me.email}`)
})
app.listen(Number(new URL(baseUrl).port), () => console.log(`Listening on ${baseUrl}`))
