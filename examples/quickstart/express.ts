// The README's quick start: an Express app that signs in against the local dev provider. Plain
// JavaScript that is also strict TypeScript: save it as server.mjs (or server.ts) and run it.
// test/package/quickstart.test.ts runs it as written, from the packed tarball.
import express from 'express'
import { MemoryTokenStore, OAuth } from 'oauthkit'
import { oauthkit, oauthRoutes } from 'oauthkit/express'
import { DEV_CLIENTS, startDevProvider } from 'oauthkit/testing/dev-provider'

const baseUrl = process.env.BASE_URL ?? 'http://localhost:3000'
// A local OpenID provider: sign in as alice@example.test / pw. In production, your provider's metadata URL and client.
const dev = await startDevProvider({ redirectUris: [`${baseUrl}/auth/dev/callback`] })

const oauth = new OAuth({
  // Seals the logins, the session cookie and the stored tokens: 32+ characters, from the environment in production.
  secret: process.env.OAUTH_SECRET ?? 'dev-only-secret-replace-me-with-32-or-more-chars',
  // Each user's tokens, under your app's user id (oauthkit/stores/sqlite, …/postgres or …/redis in production).
  store: new MemoryTokenStore(),
}).register('dev', { serverMetadataUrl: dev.discoveryUrl, clientId: DEV_CLIENTS.basic.client_id, clientSecret: DEV_CLIENTS.basic.client_secret, scope: 'openid email profile' })

const app = express()
// req.oauth in every route; req.oauth.ctx.userId is the signed-in user's (from oauthkit's session cookie).
app.use(oauthkit(oauth, { baseUrl }))
// GET /auth/dev/login → the provider → GET /auth/dev/callback signs the user in; POST /auth/dev/logout signs out.
app.use('/auth', oauthRoutes(oauth, { baseUrl }))
app.get('/', async (req, res) => {
  if (req.oauth.ctx.userId === undefined) return void res.send('<a href="/auth/dev/login">Sign in</a>')
  const me = await oauth.bind(req.oauth.ctx).create('dev').userinfo() // the user's stored token, refreshed when due
  res.send(`Signed in as ${me.email}`)
})
app.listen(Number(new URL(baseUrl).port), () => console.log(`Listening on ${baseUrl}`))
