import { redirect } from '@sveltejs/kit'
import { isOAuthKitError } from 'oauthkit'
import { getSession } from '$lib/server/session'
import type { PageServerLoad } from './$types'

export const load: PageServerLoad = async (event) => {
  const session = await getSession(event)
  if (!session) redirect(303, '/')
  // An authenticated API call with the session's access token: the provider's userinfo endpoint.
  const userinfo = await event.locals.oauth
    .create('corp')
    .app.userinfo(session.token)
    .catch((error: unknown) => {
      // The provider no longer accepts the token (revoked, or replaced by a newer login in another tab):
      // sign in again, usually without a prompt, since the provider still knows the user.
      if (isOAuthKitError(error) && error.status === 401) redirect(303, '/auth/corp/login?returnTo=/profile')
      throw error
    })
  return { user: session.user, userinfo }
}
