/**
 * OAuth 2 provider from @node-oauth/oauth2-server 5 (npm) on node:http, in memory: authorization code
 * with PKCE, refresh with rotation, client credentials and password, and a bearer-protected
 * `GET /api/me`. The user `alice` is signed in and consents at once: `GET /authorize` redirects. The
 * library has no revocation, introspection or OpenID Connect.
 */
import { once } from 'node:events'
import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import OAuth2Server, {
  type AuthorizationCode,
  type Client,
  type Falsey,
  type RefreshToken,
  type Token,
  type User,
} from '@node-oauth/oauth2-server'
import type { RunningServer } from '../support.js'

export interface NodeOAuth2Client {
  client_id: string
  /** Absent for a public client (PKCE instead). */
  client_secret?: string
  grants: string[]
  redirect_uris?: string[]
}

const ALICE: User = { id: 'alice' }
const PASSWORD = { username: 'alice', password: 'wonder land+1' }
export const NODE_OAUTH2_PASSWORD = PASSWORD

export async function startNodeOAuth2Server(clients: NodeOAuth2Client[]): Promise<RunningServer> {
  const codes = new Map<string, AuthorizationCode>()
  const accessTokens = new Map<string, Token>()
  const refreshTokens = new Map<string, RefreshToken>()
  const asClient = (spec: NodeOAuth2Client): Client => ({
    id: spec.client_id,
    grants: spec.grants,
    redirectUris: spec.redirect_uris ?? [],
  })

  const oauth = new OAuth2Server({
    accessTokenLifetime: 3600,
    model: {
      getClient: async (clientId: string, clientSecret: string | null) => {
        const spec = clients.find((c) => c.client_id === clientId)
        if (!spec) return false
        // The library asks without a secret at the authorization endpoint, for PKCE code exchanges and
        // (requireClientAuthentication below) refreshes; with one, it must be the client's own.
        if (clientSecret != null && clientSecret !== spec.client_secret) return false
        return asClient(spec)
      },
      saveAuthorizationCode: async (
        code: Pick<
          AuthorizationCode,
          | 'authorizationCode'
          | 'expiresAt'
          | 'redirectUri'
          | 'scope'
          | 'codeChallenge'
          | 'codeChallengeMethod'
        >,
        client: Client,
        user: User,
      ) => {
        const saved = { ...code, client, user } as AuthorizationCode
        codes.set(code.authorizationCode, saved)
        return saved
      },
      getAuthorizationCode: async (code: string) => codes.get(code) ?? false,
      revokeAuthorizationCode: async (code: AuthorizationCode) =>
        codes.delete(code.authorizationCode),
      saveToken: async (token: Token, client: Client, user: User) => {
        const saved: Token = { ...token, client, user }
        accessTokens.set(token.accessToken, saved)
        if (token.refreshToken) refreshTokens.set(token.refreshToken, saved as RefreshToken)
        return saved
      },
      getAccessToken: async (accessToken: string) => accessTokens.get(accessToken) ?? false,
      getRefreshToken: async (refreshToken: string): Promise<RefreshToken | Falsey> =>
        refreshTokens.get(refreshToken) ?? false,
      revokeToken: async (token: RefreshToken | Token) =>
        refreshTokens.delete(token.refreshToken ?? ''),
      getUserFromClient: async () => ({ id: null }),
      getUser: async (username: string, password: string) =>
        username === PASSWORD.username && password === PASSWORD.password ? ALICE : false,
      validateScope: async (_user: User, _client: Client, scope?: string[]) => scope ?? ['api'],
      verifyScope: async () => true,
    },
  })

  const server = createServer((req, res) => {
    void handle(req).then(
      ({ status, headers, body }) => {
        res.writeHead(status, headers)
        res.end(body === undefined ? undefined : JSON.stringify(body))
      },
      () => {
        res.writeHead(500).end()
      },
    )
  })

  async function handle(
    req: IncomingMessage,
  ): Promise<{ status: number; headers: Record<string, string>; body?: unknown }> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const form = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')))
    const request = new OAuth2Server.Request({
      method: req.method ?? 'GET',
      query: Object.fromEntries(url.searchParams),
      headers: req.headers as Record<string, string>,
      body: form,
    })
    const response = new OAuth2Server.Response({ headers: {} })
    try {
      if (req.method === 'GET' && url.pathname === '/authorize') {
        // alice is signed in and consents: the code at once.
        await oauth.authorize(request, response, { authenticateHandler: { handle: () => ALICE } })
      } else if (req.method === 'POST' && url.pathname === '/token') {
        // A public client refreshes with its client_id alone (RFC 6749 §6).
        await oauth.token(request, response, {
          alwaysIssueNewRefreshToken: true,
          requireClientAuthentication: { refresh_token: false },
        })
      } else if (req.method === 'GET' && url.pathname === '/api/me') {
        const token = await oauth.authenticate(request, response)
        return {
          status: 200,
          headers: { 'content-type': 'application/json' },
          body: {
            sub: token.user.id,
            client_id: token.client.id,
            scope: (token.scope ?? []).join(' '),
          },
        }
      } else {
        return { status: 404, headers: {} }
      }
    } catch (error) {
      const e = error as { code?: number; name?: string; message?: string }
      // Errors on the authorization endpoint with a redirect are already in `response`.
      if (response.status === 302)
        return { status: 302, headers: response.headers as Record<string, string> }
      return {
        status: e.code ?? 500,
        headers: { 'content-type': 'application/json' },
        body: { error: e.name, error_description: e.message },
      }
    }
    const headers = response.headers as Record<string, string>
    return { status: response.status ?? 200, headers, body: response.body as unknown }
  }

  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    stderr: () => '',
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
