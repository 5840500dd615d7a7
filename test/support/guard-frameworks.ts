/**
 * The bearer guard mounted in every framework we integrate, each driven the way the integration
 * tests drive it: Express 5 and Express 4 apps on real HTTP (127.0.0.1), Next.js 16 and 15 route
 * handlers fed each version's `NextRequest`, and a SvelteKit `handle` fed `RequestEvent`s. Each
 * mount has its own guard (its own JWKS and introspection caches), its own `/api/notes` route that
 * needs `scopes`, and the broker's `/.well-known/jwks.json`.
 */
import { once } from 'node:events'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { RequestEvent } from '@sveltejs/kit'
import express5 from 'express'
import express4 from 'express4'
import * as next16 from 'next/server.js'
import * as next15 from 'next15/server.js'
import type { AccessTokenClaims, BearerGuard, TokenBroker } from '../../src/index.js'
import * as expressGuard from '../../integrations/express/index.js'
import * as nextGuard from '../../integrations/next/index.js'
import * as svelteGuard from '../../integrations/sveltekit/index.js'

/** What a request to a guarded route came back with. */
export interface GuardedAnswer {
  status: number
  headers: Headers
  text: string
  /** The claims the handler received, when the guard let the request through. */
  auth?: AccessTokenClaims
}

export interface Mount {
  name: string
  /** GET `path` (default `/api/notes`) with this `Authorization` header (none when undefined). */
  call(authorization?: string, path?: string): Promise<GuardedAnswer>
  close(): Promise<void>
}

async function answer(response: Response, auth?: AccessTokenClaims): Promise<GuardedAnswer> {
  return { status: response.status, headers: response.headers, text: await response.text(), auth }
}

async function mountExpress(
  label: string,
  express: typeof express5,
  guard: BearerGuard,
  scopes: string[],
  broker: TokenBroker,
): Promise<Mount> {
  const app = express()
  let auth: AccessTokenClaims | undefined
  app.get('/api/notes', expressGuard.requireAuth({ guard, scopes }), (req, res) => {
    auth = expressGuard.authOf(req)
    res.json({ sub: auth.sub })
  })
  app.get('/.well-known/jwks.json', expressGuard.jwksHandler(broker))
  const server: Server = createServer(app)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    name: label,
    async call(authorization, path = '/api/notes') {
      auth = undefined
      const response = await fetch(base + path, {
        headers: authorization === undefined ? {} : { authorization },
      })
      return answer(response, auth)
    },
    async close() {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    },
  }
}

function mountNext(
  label: string,
  server: typeof next16,
  guard: BearerGuard,
  scopes: string[],
  broker: TokenBroker,
): Mount {
  let auth: AccessTokenClaims | undefined
  const GET = nextGuard.requireAuth({ guard, scopes })(async (request, context) => {
    auth = context.auth
    await context.params // Next's own second argument is still there
    return Response.json({ sub: context.auth.sub })
  })
  const jwks = nextGuard.jwksHandler(broker)
  return {
    name: label,
    async call(authorization, path = '/api/notes') {
      auth = undefined
      const request = new server.NextRequest(`http://127.0.0.1:3000${path}`, {
        headers: authorization === undefined ? {} : { authorization },
      })
      const response =
        path === '/.well-known/jwks.json'
          ? await jwks()
          : await GET(request, { params: Promise.resolve({}) })
      return answer(response, auth)
    },
    close: async () => {},
  }
}

function mountSvelteKit(guard: BearerGuard, scopes: string[], broker: TokenBroker): Mount {
  const handle = svelteGuard.requireAuth({
    guard,
    scopes,
    match: (event) => event.url.pathname.startsWith('/api/'),
  })
  const jwks = svelteGuard.jwksHandler(broker)
  return {
    name: 'SvelteKit',
    async call(authorization, path = '/api/notes') {
      const url = `http://127.0.0.1:5173${path}`
      const event = {
        request: new Request(url, {
          headers: authorization === undefined ? {} : { authorization },
        }),
        url: new URL(url),
        locals: {},
        params: {},
      } as unknown as RequestEvent
      let auth: AccessTokenClaims | undefined
      const response = await handle({
        event,
        resolve: async (e) => {
          if (e.url.pathname === '/.well-known/jwks.json') return jwks(e as never)
          auth = (e.locals as { auth?: AccessTokenClaims }).auth
          return Response.json({ sub: auth?.sub ?? null })
        },
      })
      return answer(response, auth)
    },
    close: async () => {},
  }
}

/** Every framework, each with a guard of its own from `makeGuard`. */
export async function mountEverywhere(
  makeGuard: () => BearerGuard,
  scopes: string[],
  broker: TokenBroker,
): Promise<Mount[]> {
  return [
    await mountExpress('Express 5', express5, makeGuard(), scopes, broker),
    await mountExpress(
      'Express 4',
      express4 as unknown as typeof express5,
      makeGuard(),
      scopes,
      broker,
    ),
    mountNext('Next.js 16', next16, makeGuard(), scopes, broker),
    mountNext('Next.js 15', next15 as unknown as typeof next16, makeGuard(), scopes, broker),
    mountSvelteKit(makeGuard(), scopes, broker),
  ]
}
