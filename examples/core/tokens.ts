/**
 * Persisting tokens with fetchToken/updateToken, and an authenticated API call. `db` stands for the
 * app's own storage; see test/api.test.ts for these calls against an emulated provider.
 */
import { OAuth, type OAuth2Token } from 'oauthkit'

declare const db: {
  load(app: string, userId: string): Promise<OAuth2Token | null>
  save(app: string, userId: string, token: OAuth2Token): Promise<void>
}

const oauth = new OAuth({
  secret: process.env.OAUTH_SECRET,
  // Read the signed-in user's token for an app…
  fetchToken: (name, ctx) => db.load(name, String(ctx?.userId)),
  // …and save it after a login and after every refresh (exactly once per refresh).
  updateToken: (name, token: OAuth2Token, { ctx }) => db.save(name, String(ctx?.userId), token),
}).register('github', {
  authorizeUrl: 'https://github.com/login/oauth/authorize',
  accessTokenUrl: 'https://github.com/login/oauth/access_token',
  apiBaseUrl: 'https://api.github.com',
  clientId: process.env.GITHUB_CLIENT_ID ?? 'github-client',
  clientSecret: process.env.GITHUB_CLIENT_SECRET,
  userAgent: 'my-app',
})

export async function listRepos(userId: string) {
  // The token comes from fetchToken; it is refreshed first when it expires within 60 s.
  return oauth.create('github').get('user/repos', { ctx: { userId } }).json<Array<{ full_name: string }>>()
}
