/**
 * app.fetch, PAR and DPoP: the README's "Any SDK that takes a fetch" and "PAR and DPoP" sections.
 */
import ky from 'ky'
import { MemoryTokenStore, OAuth } from 'oauthkit'

const oauth = new OAuth({ store: new MemoryTokenStore(), secret: process.env.OAUTH_SECRET })
  .register('github', {
    authorizeUrl: 'https://github.com/login/oauth/authorize',
    accessTokenUrl: 'https://github.com/login/oauth/access_token',
    apiBaseUrl: 'https://api.github.com',
    clientId: process.env.GITHUB_CLIENT_ID ?? 'github-client',
    clientSecret: process.env.GITHUB_CLIENT_SECRET,
  })
  .register('corp', {
    serverMetadataUrl: 'https://idp.example/.well-known/openid-configuration',
    clientId: 'corp-client',
    clientSecret: process.env.CORP_CLIENT_SECRET,
    scope: 'openid email',
    apiBaseUrl: 'https://api.example',
    // RFC 9126: the authorization request goes over the back channel; the browser sees only a request_uri.
    pushedAuthorizationRequests: 'required',
    // RFC 9449: tokens bound to a key made at login, proven on every call and refresh.
    dpop: true,
  })

export async function starredRepos(userId: string) {
  // Any client that takes a fetch calls the API as the signed-in user (here ky; Octokit, openapi-fetch, … alike).
  const github = ky.create({
    prefixUrl: 'https://api.github.com',
    fetch: oauth.bind({ cookies: noCookies, userId }).create('github').fetch,
  })
  return github.get('user/starred').json<Array<{ full_name: string }>>()
}

export async function corpProfile(userId: string) {
  // The same call with a DPoP-bound token: Authorization: DPoP … and a fresh proof, the nonce handled.
  const corp = oauth.create('corp')
  const response = await corp.fetcher({ ctx: { userId } })('me')
  return response.json()
}

const noCookies = { get: () => undefined, set: () => {}, delete: () => {} }
