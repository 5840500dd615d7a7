import { oauthLogin } from 'oauthkit/sveltekit'

// /auth/corp/login?returnTo=/profile → 302 to the provider; the callback is /auth/corp/callback.
export const GET = oauthLogin({ errorPath: '/auth/error' })
