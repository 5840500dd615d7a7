/**
 * 2. Single-flight refresh: 100 concurrent `app.get` calls holding the same expired token (each call with
 *    its own copy, as if read from a store per request) against a loopback token endpoint and API. Counts
 *    refresh requests at the token endpoint and `updateToken` calls; the API checks every call carried
 *    the refreshed token.
 */
import http from 'node:http'
import { OAuth, type OAuth2Token } from '../src/index.js'

export interface RefreshTrial {
  /** Milliseconds the token endpoint waits before answering. */
  tokenLatencyMs: number
  concurrent: number
  tokenRequests: number
  updateTokenCalls: number
  apiRequests: number
  /** API calls that carried the refreshed access token. */
  apiWithNewToken: number
  /** `app.get` calls that did not resolve to the API's answer. */
  failures: number
}

interface Counters {
  token: number
  api: number
  apiWithNewToken: number
  latencyMs: number
}

const REFRESHED = 'refreshed-access-token'

async function startEndpoints(
  counters: Counters,
): Promise<{ origin: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/token') {
      counters.token++
      req.resume()
      req.on('end', () => {
        setTimeout(() => {
          const body = JSON.stringify({
            access_token: REFRESHED,
            token_type: 'Bearer',
            expires_in: 3600,
            refresh_token: 'rotated-refresh-token',
          })
          res
            .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
            .end(body)
        }, counters.latencyMs)
      })
      return
    }
    counters.api++
    if (req.headers.authorization === `Bearer ${REFRESHED}`) counters.apiWithNewToken++
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }))
  })
  server.keepAliveTimeout = 60_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => {
      server.closeAllConnections()
      return new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      )
    },
  }
}

/** One trial: a fresh registry (no cached refresh result), `concurrent` calls started at once. */
export async function refreshTrial(
  tokenLatencyMs: number,
  concurrent = 100,
): Promise<RefreshTrial> {
  const counters: Counters = { token: 0, api: 0, apiWithNewToken: 0, latencyMs: tokenLatencyMs }
  const endpoints = await startEndpoints(counters)
  let updates = 0
  try {
    const app = new OAuth({
      secret: 'bench-secret-that-is-at-least-32-characters-long',
      updateToken: () => void updates++,
    })
      .register('api', {
        clientId: 'bench-client',
        clientSecret: 'bench-client-secret',
        authorizeUrl: `${endpoints.origin}/authorize`,
        accessTokenUrl: `${endpoints.origin}/token`,
        apiBaseUrl: endpoints.origin,
      })
      .create('api')
    const expired: OAuth2Token = {
      access_token: 'expired-access-token',
      token_type: 'Bearer',
      refresh_token: 'old-refresh-token',
      expires_at: Math.floor(Date.now() / 1000) - 60,
    }
    const results = await Promise.allSettled(
      Array.from({ length: concurrent }, () =>
        app.get('resource', { token: { ...expired } }).json<{ ok?: boolean }>(),
      ),
    )
    return {
      tokenLatencyMs,
      concurrent,
      tokenRequests: counters.token,
      updateTokenCalls: updates,
      apiRequests: counters.api,
      apiWithNewToken: counters.apiWithNewToken,
      failures: results.filter((r) => r.status !== 'fulfilled' || r.value.ok !== true).length,
    }
  } finally {
    await endpoints.close()
  }
}
