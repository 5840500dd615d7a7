import { endSession, getSession } from '$lib/server/session'
import type { RequestHandler } from './$types'

// Ends the app's session, then the provider's (RP-initiated logout), which sends the user back home.
export const POST: RequestHandler = async (event) => {
  const session = await getSession(event)
  endSession(event)
  const url = await event.locals.oauth.create('corp').app.createLogoutUrl({
    idTokenHint: session?.token.id_token,
    postLogoutRedirectUri: `${event.url.origin}/`,
  })
  return new Response(null, { status: 303, headers: { location: url.href } })
}
