import type { BoundOAuthOf } from 'oauthkit/sveltekit'
import type { oauth } from '$lib/server/oauth'

declare global {
  namespace App {
    interface Locals {
      /** The registry bound to this request, set by `oauthHandle` in hooks.server.ts. */
      oauth: BoundOAuthOf<typeof oauth>
    }
  }
}

export {}
