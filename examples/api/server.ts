/**
 * Protecting your API: an Express app that signs users in at an OpenID provider (the local dev
 * provider here), then issues its own short-lived access token (broker mode) to its single-page app,
 * which calls the app's API with it. The API is guarded by requireAuth, which also accepts access
 * tokens the provider itself issues for this API.
 *
 *   node --import tsx --conditions=oauthkit-source examples/api/server.ts
 */
import { randomUUID } from 'node:crypto'
import express from 'express'
import { BearerGuard, OAuth, TokenBroker, generateBrokerKey, parseCookieHeader } from 'oauthkit'
import { authOf, jwksHandler, oauthRoutes, requireAuth } from 'oauthkit/express'
import { DEV_CLIENTS, startDevProvider } from 'oauthkit/testing/dev-provider'

const baseUrl = process.env.BASE_URL ?? 'http://localhost:3000'
const dev = await startDevProvider({ redirectUris: [`${baseUrl}/auth/dev/callback`] })
const oauth = new OAuth({ secret: process.env.OAUTH_SECRET ?? 'dev-only-secret-replace-me-with-32-or-more-chars' })
  .register('dev', { serverMetadataUrl: dev.discoveryUrl, clientId: DEV_CLIENTS.basic.client_id, clientSecret: DEV_CLIENTS.basic.client_secret, scope: 'openid email profile' })

// The app's own issuer. In production: keys: [JSON.parse(process.env.BROKER_KEY)], a private JWK made once
// with generateBrokerKey(); to rotate, put the new key first and drop the old one after ttlSeconds.
const broker = new TokenBroker({
  issuer: baseUrl,
  audience: `${baseUrl}/api`,
  keys: [await generateBrokerKey()],
  ttlSeconds: 300,
})
// One guard for the whole API: the app's own tokens, and the provider's access tokens for this API.
const guard = new BearerGuard({ audience: `${baseUrl}/api`, issuers: [broker, dev.issuer] })

const sessions = new Map<string, string>() // session cookie → your app's user id
const userOf = (cookieHeader = '') => sessions.get(parseCookieHeader(cookieHeader).get('sid') ?? '')

const app = express()
// After the login the upstream token stays on the server (a token store in a real app); the browser
// gets a session cookie, and the SPA asks /auth/token for the app's own short-lived access token.
app.use('/auth', oauthRoutes(oauth, {
  baseUrl,
  onSuccess: ({ token, res }) => {
    const sid = randomUUID()
    sessions.set(sid, String(token.userinfo?.sub))
    res.cookie('sid', sid, { httpOnly: true, sameSite: 'strict' })
  },
}))
// The SPA calls this with its session cookie (same origin, SameSite=Strict) and keeps the token in memory.
app.post('/auth/token', async (req, res) => {
  const userId = userOf(req.headers.cookie)
  if (!userId) return void res.status(401).json({ error: 'not signed in' })
  res.set('cache-control', 'no-store').json(await broker.issue({ sub: userId, scope: 'notes:read' }))
})
app.get('/.well-known/jwks.json', jwksHandler(broker))
app.get('/api/notes', requireAuth({ guard, scopes: ['notes:read'] }), (req, res) => {
  res.json({ owner: authOf(req).sub, notes: ['Buy milk'] })
})
app.listen(Number(new URL(baseUrl).port), () => console.log(`Listening on ${baseUrl}`))
