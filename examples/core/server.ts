/**
 * The core API with no framework: a node:http server that signs users in with an OpenID provider
 * (configured by discovery) and with GitHub (configured by explicit endpoints).
 *
 *   OIDC_DISCOVERY_URL=… OIDC_CLIENT_ID=… OIDC_CLIENT_SECRET=… node --import tsx --conditions=oauthkit-source examples/core/server.ts
 */
import { createServer } from 'node:http'
import { MemoryCookieJar, OAuth, isOAuthKitError, type OAuth2Token } from 'oauthkit'

// A real app keeps these in its session store and database.
const sessions = new Map<string, string>() // session cookie → your app's user id
const tokens = new Map<string, OAuth2Token>() // `${app}:${user id}` → that user's token for that app

export const oauth = new OAuth({
  secret: process.env.OAUTH_SECRET ?? 'change-me-to-a-long-random-secret-of-32+chars',
  updateToken: (name, token: OAuth2Token, { ctx }) => void tokens.set(`${name}:${String(ctx?.userId)}`, token),
})
  // Discovery: endpoints, issuer and keys come from the provider's metadata.
  .register('corp', {
    serverMetadataUrl: process.env.OIDC_DISCOVERY_URL ?? 'https://idp.example/.well-known/openid-configuration',
    clientId: process.env.OIDC_CLIENT_ID ?? 'corp-client',
    clientSecret: process.env.OIDC_CLIENT_SECRET,
    scope: 'openid email profile',
  })
  // Explicit endpoints: a plain OAuth 2.0 provider without discovery.
  .register('github', {
    authorizeUrl: 'https://github.com/login/oauth/authorize',
    accessTokenUrl: 'https://github.com/login/oauth/access_token',
    apiBaseUrl: 'https://api.github.com',
    clientId: process.env.GITHUB_CLIENT_ID ?? 'github-client',
    clientSecret: process.env.GITHUB_CLIENT_SECRET,
    scope: 'read:user user:email',
    userAgent: 'oauthkit-example',
    hooks: {
      // GitHub reports token errors with HTTP 200; RFC 6749 §5.2 says 400.
      accessTokenResponse: async (res) => {
        const body = (await res.clone().json().catch(() => null)) as { error?: string } | null
        return body?.error ? Response.json(body, { status: 400 }) : res
      },
    },
  })

const base = process.env.BASE_URL ?? 'http://127.0.0.1:3000'

async function handle(request: Request): Promise<Response> {
  const url = new URL(request.url)
  const cookies = MemoryCookieJar.fromRequest(request)
  const userId = sessions.get(cookies.get('sid') ?? '') // who is signed in, if anyone
  const [, auth, name, step] = url.pathname.split('/')
  let response: Response
  if (auth === 'auth' && (name === 'corp' || name === 'github') && step === 'login') {
    response = await oauth.create(name).authorizeRedirect({ cookies }, `${base}/auth/${name}/callback`)
  } else if (auth === 'auth' && (name === 'corp' || name === 'github') && step === 'callback') {
    try {
      const user = userId ?? crypto.randomUUID() // a first sign-in makes a new user of your app
      await oauth.create(name).authorizeAccessToken({ cookies, request, userId: user }) // updateToken saves the token under it
      const sid = crypto.randomUUID()
      sessions.set(sid, user)
      cookies.set('sid', sid, { path: '/', httpOnly: true, sameSite: 'lax' })
      response = new Response(null, { status: 303, headers: { location: '/', 'referrer-policy': 'no-referrer' } })
    } catch (err) {
      const code = isOAuthKitError(err) ? err.code : 'unexpected'
      response = new Response(`Sign-in failed: ${code}`, { status: 400 })
    }
  } else if (url.pathname === '/') {
    const token = userId ? tokens.get(`corp:${userId}`) : undefined
    const who = token ? await oauth.create('corp').userinfo(token) : undefined
    response = new Response(who ? `Signed in as ${who.email}` : '<a href="/auth/corp/login">Sign in</a>', { headers: { 'content-type': 'text/html' } })
  } else {
    response = new Response('Not found', { status: 404 })
  }
  cookies.applyTo(response.headers) // the session and transaction cookies set or cleared above
  return response
}

// node:http ↔ Web Request/Response, so `handle` stays framework-free.
const server = createServer(async (req, res) => {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const request = new Request(new URL(req.url ?? '/', base), {
    method: req.method,
    headers: req.headers as Record<string, string>,
    body: chunks.length ? Buffer.concat(chunks) : undefined,
  })
  const response = await handle(request)
  res.statusCode = response.status
  response.headers.forEach((value, key) => key !== 'set-cookie' && res.setHeader(key, value))
  res.setHeader('set-cookie', response.headers.getSetCookie())
  res.end(Buffer.from(await response.arrayBuffer()))
})
server.listen(Number(new URL(base).port || 80), new URL(base).hostname, () => console.log(`Listening on ${base}`))
