/**
 * Run the Express example against your OpenID provider (register the client with the redirect URI
 * <BASE_URL>/auth/oidc/callback and the post-logout redirect URI <BASE_URL>/signed-out):
 *
 *   OIDC_ISSUER=https://idp.example OIDC_CLIENT_ID=… OIDC_CLIENT_SECRET=… \
 *     node --import tsx --conditions=oauthkit-source examples/express/server.ts
 *
 * GITHUB_CLIENT_ID/GITHUB_CLIENT_SECRET add "Sign in with GitHub", and so on for every preset
 * (OPTIONAL_PROVIDERS; README.md lists the variables). `npm run demo` runs it against a
 * local provider instead, with no configuration.
 */
import { startExpressExample } from './app.js'

const env = process.env
if (!env.OIDC_CLIENT_ID || !(env.OIDC_ISSUER || env.OIDC_DISCOVERY_URL)) {
  console.error('Set OIDC_ISSUER (or OIDC_DISCOVERY_URL), OIDC_CLIENT_ID and OIDC_CLIENT_SECRET; or run `npm run demo`.')
  process.exit(1)
}
const example = await startExpressExample({
  port: Number(env.PORT ?? 3000),
  baseUrl: env.BASE_URL,
  issuer: env.OIDC_ISSUER,
  discoveryUrl: env.OIDC_DISCOVERY_URL,
  clientId: env.OIDC_CLIENT_ID,
  clientSecret: env.OIDC_CLIENT_SECRET,
  secret: env.OAUTH_SECRET,
  database: env.DATABASE ?? ':memory:',
})
console.log(`Listening on ${example.url}`)
