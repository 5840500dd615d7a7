import { oauthCallback } from 'oauthkit/sveltekit'
import { startSession } from '$lib/server/session'

export const GET = oauthCallback({
  // The token's ID token claims are validated; keep what the app needs in its own session.
  onSuccess: ({ event, token }) => startSession(event, token),
  // Failed logins land on /auth/error?code=<OAuthKitError code>.
  errorPath: '/auth/error',
})

// For providers answering with response_mode=form_post (allow their origin in kit.csrf.trustedOrigins).
export const POST = GET
