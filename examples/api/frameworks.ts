/**
 * The same guard and JWKS route in Next.js and SvelteKit, as the README shows them: what would go in
 * a route file and in src/hooks.server.ts. (Typechecked with the other examples.)
 */
import { BearerGuard, TokenBroker } from 'oauthkit'
import * as next from 'oauthkit/next'
import * as sveltekit from 'oauthkit/sveltekit'

const broker = new TokenBroker({ issuer: 'https://app.example', audience: 'https://app.example/api', keys: [JSON.parse(process.env.BROKER_KEY ?? '{}')] })
const guard = new BearerGuard({ audience: 'https://app.example/api', issuers: [broker, 'https://idp.example'] })

export const nextRoutes = () => {
  // app/api/notes/route.ts: the handler gets the validated claims beside Next's params.
  const GET = next.requireAuth({ guard, scopes: ['notes:read'] })(async (_request, { auth }) =>
    Response.json({ owner: auth.sub }),
  )
  // app/.well-known/jwks.json/route.ts
  const jwks = next.jwksHandler(broker)
  return { GET, jwks }
}

export const svelteKitHooks = () => {
  // src/hooks.server.ts (with oauthHandle too: sequence(oauthHandle(oauth), handle) from @sveltejs/kit/hooks).
  // Declare the local in src/app.d.ts: namespace App { interface Locals { auth?: AccessTokenClaims } }
  const handle = sveltekit.requireAuth({ guard, scopes: ['notes:read'], match: (event) => event.url.pathname.startsWith('/api/') })
  // src/routes/.well-known/jwks.json/+server.ts
  const GET = sveltekit.jwksHandler(broker)
  return { handle, GET }
}
