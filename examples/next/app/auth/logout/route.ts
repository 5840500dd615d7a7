import { appUrl, getSession, oauth } from '../../../lib/oauth'

// POST /auth/logout: forget the session, then end the provider's session too (RP-initiated logout),
// which sends the browser back to the home page.
export async function POST(): Promise<Response> {
  const session = await getSession()
  const token = session.token
  session.destroy()
  if (!token) return new Response(null, { status: 303, headers: { location: '/' } })
  return oauth.create('dev').logoutRedirect({ idTokenHint: token, postLogoutRedirectUri: `${appUrl}/` })
}
