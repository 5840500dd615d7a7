import { oauthHandlers } from 'oauthkit/next'
import { appUrl, oauth } from '../../../../lib/oauth'

// Login and callback run on the Edge runtime: oauthkit needs only fetch, WebCrypto and cookies.
export const runtime = 'edge'

// GET /auth/dev/login?returnTo=/profile → the provider; GET /auth/dev/callback → updateToken saves the
// session, then a 303 to returnTo. Errors land on /auth/error?code=…
export const { GET, POST } = oauthHandlers(oauth, { baseUrl: appUrl, defaultReturnTo: '/profile', errorPath: '/auth/error' })
