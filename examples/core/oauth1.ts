/**
 * An OAuth 1.0a app beside the OAuth 2 ones: same registry, same calls. X's v1.1 API still signs
 * requests with OAuth 1.0a; test/oauth1/app.test.ts runs this flow against an RFC 5849 provider.
 */
import { MemoryCookieJar, OAuth, type OAuth1Token } from 'oauthkit'

const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register('x', {
  requestTokenUrl: 'https://api.x.com/oauth/request_token', // OAuth 1.0a: makes this an OAuth1App
  authorizeUrl: 'https://api.x.com/oauth/authenticate',
  accessTokenUrl: 'https://api.x.com/oauth/access_token',
  apiBaseUrl: 'https://api.x.com/1.1',
  clientId: process.env.X_CONSUMER_KEY ?? 'consumer-key',
  clientSecret: process.env.X_CONSUMER_SECRET ?? 'consumer-secret',
})

// The login route: temporary credentials, sealed in a cookie, then a redirect to X.
export function login(cookies: MemoryCookieJar): Promise<Response> {
  return oauth.create('x').authorizeRedirect({ cookies }, 'https://app.example/auth/x/callback')
}

// The callback route: oauth_token must match the sealed transaction; oauth_verifier is exchanged.
export async function callback(request: Request, cookies: MemoryCookieJar): Promise<OAuth1Token> {
  const token = await oauth.create('x').authorizeAccessToken({ cookies, request })
  console.log(token.screen_name, token.user_id) // the provider's extra fields are kept
  return token
}

// Signed API calls (HMAC-SHA1 in the Authorization header by default).
export function me(token: OAuth1Token) {
  return oauth.create('x').get('account/verify_credentials.json', { token, searchParams: { include_email: 'true' } }).json()
}
