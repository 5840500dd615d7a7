import { oauthHandle } from 'oauthkit/sveltekit'
import { oauth } from '$lib/server/oauth'

// Every request gets `event.locals.oauth`: the registry bound to its request and cookies.
export const handle = oauthHandle(oauth)
