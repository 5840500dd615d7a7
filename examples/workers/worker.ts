// The README's Cloudflare Workers example; test/runtimes/edge-runtimes.test.ts runs it in workerd
// (no nodejs_compat) against the dev provider.
import { MemoryCookieJar, OAuth } from 'oauthkit'

/** The Worker's bindings: `vars` and secrets in wrangler's config. */
interface Env {
  OAUTH_SECRET: string
  OIDC_DISCOVERY_URL: string
  OIDC_CLIENT_ID: string
  OIDC_CLIENT_SECRET: string
}

// No process.env on Workers without nodejs_compat: the registry is made from the fetch handler's env,
// on the first request, and kept for the isolate's life.
const registry = (env: Env) =>
  new OAuth({ secret: env.OAUTH_SECRET }).register('corp', {
    serverMetadataUrl: env.OIDC_DISCOVERY_URL,
    clientId: env.OIDC_CLIENT_ID,
    clientSecret: env.OIDC_CLIENT_SECRET,
    scope: 'openid email',
  })
let oauth: ReturnType<typeof registry> | undefined

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    oauth ??= registry(env)
    const url = new URL(request.url)
    const cookies = MemoryCookieJar.fromRequest(request)
    let response: Response
    if (url.pathname === '/auth/corp/login') {
      response = await oauth.create('corp').authorizeRedirect({ cookies }, `${url.origin}/auth/corp/callback`)
    } else if (url.pathname === '/auth/corp/callback') {
      const token = await oauth.create('corp').authorizeAccessToken({ cookies, request })
      // Save the token under your user's id (KV, D1, a Durable Object) and start your session here.
      response = new Response(`Signed in as ${token.userinfo?.email}`)
    } else {
      response = new Response('<a href="/auth/corp/login">Sign in</a>', { headers: { 'content-type': 'text/html' } })
    }
    cookies.applyTo(response.headers) // the login's transaction cookie, set or cleared
    return response
  },
}
