/**
 * The example's registry and session. The session is an iron-session sealed cookie holding the
 * token set (ID token claims included), so every route reads it the same way on the Node.js and the
 * Edge runtime, and no server-side store is needed.
 */
import { getIronSession } from 'iron-session'
import { cookies } from 'next/headers'
import { OAuth, type OAuth2Token } from 'oauthkit'

/** The app's public origin: redirect URIs and the post-logout return are built on it. */
export const appUrl = process.env.APP_URL ?? 'http://127.0.0.1:3000'
const issuer = process.env.OIDC_ISSUER ?? 'http://127.0.0.1:4000'

export interface Session {
  token?: OAuth2Token
}

/** The session sealed in the `session` cookie (iron-session needs SESSION_SECRET: 32+ characters). */
export async function getSession() {
  return getIronSession<Session>(await cookies(), {
    password: process.env.SESSION_SECRET ?? '',
    cookieName: 'session',
    cookieOptions: { httpOnly: true, sameSite: 'lax', secure: appUrl.startsWith('https:'), path: '/' },
  })
}

export const oauth = new OAuth({
  // Seals login transactions: set it, or a login cannot finish on another process.
  secret: process.env.OAUTH_SECRET,
  fetchToken: async () => (await getSession()).token ?? null,
  // After the login (in the callback Route Handler) and after a refresh. Next.js refuses cookie writes
  // while a Server Component renders: refresh in a Route Handler or Server Action, or keep tokens in a
  // server-side store keyed by a session id.
  updateToken: async (_name, token: OAuth2Token) => {
    const session = await getSession()
    session.token = token
    await session.save()
  },
}).register('dev', {
  serverMetadataUrl: `${issuer}/.well-known/openid-configuration`,
  clientId: process.env.OIDC_CLIENT_ID ?? 'next-example',
  clientSecret: process.env.OIDC_CLIENT_SECRET,
  scope: 'openid email profile',
})
