/**
 * `npm run demo`: a local OpenID provider on 127.0.0.1 and the Express example app on
 * http://127.0.0.1:3000, so signing in works with no network and no credentials (sign in as
 * alice@example.test / pw). Set `<PREFIX>_CLIENT_ID` and `<PREFIX>_CLIENT_SECRET` for any preset in
 * OPTIONAL_PROVIDERS (GITHUB, GOOGLE, ENTRA, GITLAB, SLACK, TUMBLR, …), with its other settings, to get
 * its "Sign in with …" button too; Steam needs only STEAM_API_KEY, Mastodon only MASTODON_INSTANCE
 * (examples/express/README.md lists them all).
 */
import { startDevProvider } from 'oauthkit/testing'
import { providersFromEnv, startExpressExample } from './express/app.js'

const port = Number(process.env.PORT ?? 3000)
const base = `http://127.0.0.1:${port}`
const clientSecret = 'demo-secret-0123456789-0123456789-0123456789'
const provider = await startDevProvider({
  clients: [
    {
      client_id: 'demo',
      client_secret: clientSecret,
      redirect_uris: [`${base}/auth/oidc/callback`],
      post_logout_redirect_uris: [`${base}/signed-out`],
      grant_types: ['authorization_code', 'refresh_token'],
    },
  ],
})
const providers = providersFromEnv()
const example = await startExpressExample({ port, discoveryUrl: provider.discoveryUrl, clientId: 'demo', clientSecret, providers })
console.log(`Local OpenID provider: ${provider.issuer} (sign in as alice@example.test / pw)`)
for (const { name, label, config } of providers) {
  // Steam (OpenID 2.0) has no client to register; Mastodon registers the demo itself on first use.
  const registered = typeof config === 'function' || 'openIdEndpoint' in config
  console.log(registered ? `${label}: ready` : `${label}: register ${base}/auth/${name}/callback as its callback URL`)
}
console.log(`Open ${example.url}/ and click "Sign in"`)
