import { env } from '$env/dynamic/private'
import type { RequestEvent } from '@sveltejs/kit'
import { sealData, unsealData } from 'iron-session'
import type { OAuth2Token } from 'oauthkit'

/** The app's session, sealed by iron-session into the `app_session` cookie. */
export interface Session {
  /** Who signed in: claims of the validated ID token, shown on /profile. */
  user: { sub: string; email?: string; name?: string }
  /** The access token for API calls (userinfo), and the ID token as the logout's id_token_hint. */
  token: Pick<OAuth2Token, 'access_token' | 'token_type' | 'expires_at' | 'id_token'>
}

const COOKIE = 'app_session'

function password(): string {
  const secret = env.SESSION_SECRET
  if (!secret || secret.length < 32) throw new Error('set SESSION_SECRET to a random string of 32+ characters')
  return secret
}

/** Start the session after a login; it lasts as long as the access token (no refresh token is kept). */
export async function startSession(event: RequestEvent, token: OAuth2Token): Promise<void> {
  const claims = token.userinfo
  if (!claims) throw new Error('the login returned no ID token (is "openid" in the scope?)')
  const ttl = token.expires_at ? token.expires_at - Math.floor(Date.now() / 1000) : 3600
  const session: Session = {
    user: { sub: claims.sub, email: claims.email, name: claims.name },
    token: { access_token: token.access_token, token_type: token.token_type, expires_at: token.expires_at, id_token: token.id_token },
  }
  const sealed = await sealData(session, { password: password(), ttl })
  event.cookies.set(COOKIE, sealed, { path: '/', httpOnly: true, sameSite: 'lax', secure: event.url.protocol === 'https:', maxAge: ttl })
}

/** The current session, or undefined when signed out (no cookie, expired, or not ours). */
export async function getSession(event: RequestEvent): Promise<Session | undefined> {
  const sealed = event.cookies.get(COOKIE)
  if (!sealed) return undefined
  const session = await unsealData<Partial<Session>>(sealed, { password: password() }).catch(() => ({}) as Partial<Session>)
  return session.user && session.token ? (session as Session) : undefined
}

/** Sign out of the app (the provider's session is ended by /logout). */
export function endSession(event: RequestEvent): void {
  event.cookies.delete(COOKIE, { path: '/' })
}
