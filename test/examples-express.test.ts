/**
 * The Express example when the provider stops accepting the stored token (revoked, or replaced by a
 * newer login in another tab): the profile page signs the user in again instead of failing.
 */
import { afterAll, beforeAll, expect, it } from 'vitest'
import { startExpressExample, type ExpressExample } from '../examples/express/app.js'
import type { OAuth2Token } from '../src/index.js'
import { startDevProvider, type DevProvider } from '../testing/index.js'
import { freePort } from './support/ports.js'

const SECRET = 'express-example-secret-0123456789-0123456789'
let provider: DevProvider
let example: ExpressExample

beforeAll(async () => {
  const port = await freePort()
  const base = `http://127.0.0.1:${port}`
  provider = await startDevProvider({
    clients: [
      {
        client_id: 'ex',
        client_secret: SECRET,
        redirect_uris: [`${base}/auth/oidc/callback`],
        grant_types: ['authorization_code', 'refresh_token'],
      },
    ],
  })
  example = await startExpressExample({
    port,
    discoveryUrl: provider.discoveryUrl,
    clientId: 'ex',
    clientSecret: SECRET,
    providers: [],
  })
})

afterAll(async () => {
  await example?.close()
  await provider?.close()
})

const cookiesOf = (res: Response) =>
  res.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ')

it('sends the user to sign in again when userinfo refuses the stored token', async () => {
  const login = await fetch(`${example.url}/auth/oidc/login?returnTo=/profile`, {
    redirect: 'manual',
  })
  const { url } = await provider.authorize(login.headers.get('location')!)
  const callback = await fetch(url, { redirect: 'manual', headers: { cookie: cookiesOf(login) } })
  const session = cookiesOf(callback)
  expect((await fetch(`${example.url}/profile`, { headers: { cookie: session } })).status).toBe(200)

  // The provider revokes the token behind the app's back.
  const token = (await example.tokens.get(1, 'oidc')) as OAuth2Token
  const revoked = await fetch(`${provider.issuer}/token/revocation`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${btoa(`ex:${SECRET}`)}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({ token: token.access_token }),
  })
  expect(revoked.status).toBe(200)

  const again = await fetch(`${example.url}/profile`, {
    redirect: 'manual',
    headers: { cookie: session },
  })
  expect(again.status).toBe(303)
  expect(again.headers.get('location')).toBe('/auth/oidc/login?returnTo=/profile')
})
