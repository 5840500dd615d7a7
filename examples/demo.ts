/**
 * `npm run demo`: a local OpenID provider on 127.0.0.1 and the framework-free example app, so signing
 * in works with no network and no credentials. Sign in as alice@example.test / pw.
 */
import { startDevProvider } from 'oauthkit/testing'

const base = process.env.BASE_URL ?? 'http://127.0.0.1:3000'
const clientSecret = 'demo-secret-0123456789-0123456789-0123456789'
const provider = await startDevProvider({
  clients: [{ client_id: 'demo', client_secret: clientSecret, redirect_uris: [`${base}/auth/corp/callback`], grant_types: ['authorization_code', 'refresh_token'] }],
})
Object.assign(process.env, { BASE_URL: base, OIDC_DISCOVERY_URL: provider.discoveryUrl, OIDC_CLIENT_ID: 'demo', OIDC_CLIENT_SECRET: clientSecret })
console.log(`Local OpenID provider: ${provider.issuer} (sign in as alice@example.test / pw)`)
await import('./core/server.js')
console.log(`Open ${base}/ and click "Sign in"`)
