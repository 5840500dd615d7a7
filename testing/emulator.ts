/**
 * Provider emulations for tests, on msw: the authorize, token, userinfo/profile and JWKS endpoints of
 * a provider, with its quirks, test users an app can configure, and a helper that completes a login
 * without a browser. oauthkit's own preset tests run on these, so what ships is what is tested.
 *
 * @module
 */
import * as jose from 'jose'
import { http, HttpResponse, type HttpHandler } from 'msw'
import { MemoryCookieJar } from '../src/session/cookies.js'
import type {
  EmulatedGrant,
  EmulatedUser,
  EmulationSpec,
  ProviderEmulation,
} from './emulator/spec.js'

export type {
  EmulatedGrant,
  EmulatedTokenContext,
  EmulatedUser,
  EmulationSpec,
  ProviderEmulation,
} from './emulator/spec.js'

/** One issued authorization code, as the token endpoint will see it. */
export interface IssuedCode {
  user: EmulatedUser
  clientId: string
  redirectUri: string
  scope: string
  nonce?: string
  codeChallenge?: string
  /** The authorization request's query parameters. */
  authorizeParams?: URLSearchParams
}

/**
 * Build an emulation from a spec. Presets' emulations (in `oauthkit/testing`) are built with it; an
 * app can build one for an in-house provider too.
 * @group Testing
 */
export async function createEmulation(
  spec: EmulationSpec,
  users: EmulatedUser[],
): Promise<ProviderEmulation> {
  if (users.length === 0) throw new Error(`${spec.name} emulation: at least one user is required`)
  const codes = new Map<string, IssuedCode>()
  const accessTokens = new Map<string, EmulatedUser>()
  const grants = new Map<string, EmulatedGrant>()
  const refreshTokens = new Map<string, { user: EmulatedUser; clientId: string; scope: string }>()
  const seenUsers = new Set<string>()
  const calls: ProviderEmulation['calls'] = []
  let key: { privateKey: CryptoKey; jwk: jose.JWK } | undefined
  if (spec.issuer) {
    const pair = await jose.generateKeyPair('RS256', { extractable: true })
    key = {
      privateKey: pair.privateKey,
      jwk: {
        ...(await jose.exportJWK(pair.publicKey)),
        kid: `${spec.name}-1`,
        alg: 'RS256',
        use: 'sig',
      },
    }
  }
  const find = (login?: string) => {
    const user =
      login === undefined
        ? users[0]
        : users.find((u) => u.id === login || u.email === login || u.login === login)
    if (!user) throw new Error(`${spec.name} emulation: no user "${login}"`)
    return user
  }
  const random = () => jose.base64url.encode(crypto.getRandomValues(new Uint8Array(24)))
  const record = async (request: Request) => {
    calls.push({
      url: request.url,
      method: request.method,
      body: await request.clone().text(),
      headers: new Headers(request.headers),
    })
  }
  const mint =
    (user: EmulatedUser, clientId: string, nonce?: string) =>
    async (claims: Record<string, unknown> = {}) => {
      if (!key || !spec.issuer) throw new Error(`${spec.name} emulation is not an OpenID provider`)
      const now = Math.floor(Date.now() / 1000)
      const base = {
        iss: spec.issuer,
        aud: clientId,
        sub: user.id,
        iat: now,
        exp: now + 600,
        ...(nonce !== undefined && { nonce }),
        ...spec.idTokenClaims?.(user),
      }
      const jwt = new jose.SignJWT({ ...base, ...claims })
      if (spec.idTokenSecret !== undefined)
        return jwt
          .setProtectedHeader({ alg: 'HS256' })
          .sign(new TextEncoder().encode(spec.idTokenSecret))
      return jwt.setProtectedHeader({ alg: 'RS256', kid: key.jwk.kid! }).sign(key.privateKey)
    }
  const tokenError = (error: string, description: string, request: Request) =>
    spec.tokenError?.(error, description, request) ??
    HttpResponse.json({ error, error_description: description }, { status: 400 })
  const issue = (
    user: EmulatedUser,
    clientId: string,
    scope: string,
    keepRefreshToken?: string,
  ) => {
    const accessToken = `${spec.name}-at-${random()}`
    const refreshToken = keepRefreshToken ?? `${spec.name}-rt-${random()}`
    accessTokens.set(accessToken, user)
    grants.set(accessToken, { clientId, scope })
    refreshTokens.set(refreshToken, { user, clientId, scope })
    return { accessToken, refreshToken }
  }

  const aliased = (params: URLSearchParams) => {
    for (const [alias, name] of Object.entries(spec.paramAliases ?? {}))
      if (params.has(alias) && !params.has(name)) params.set(name, params.get(alias)!)
    return params
  }
  const tokenMethod = spec.tokenMethod === 'GET' ? http.get : http.post
  const tokenEndpoint = async ({ request }: { request: Request }) => {
    await record(request)
    const params = aliased(
      spec.tokenMethod === 'GET'
        ? new URLSearchParams(new URL(request.url).search)
        : await tokenRequestParams(request),
    )
    const refused = await spec.checkTokenRequest?.(request, params)
    if (refused) return refused
    const clientId = params.get('client_id') ?? basicClientId(request) ?? ''
    const grantType = params.get('grant_type') ?? ''
    if (grantType === 'authorization_code') {
      const issued = codes.get(params.get('code') ?? '')
      codes.delete(params.get('code') ?? '')
      if (!issued)
        return tokenError('invalid_grant', 'The code is invalid or was already used', request)
      if (spec.tokenRedirectUri !== false && issued.redirectUri !== params.get('redirect_uri'))
        return tokenError('invalid_grant', 'redirect_uri mismatch', request)
      if (issued.clientId !== clientId)
        return tokenError('invalid_client', 'client mismatch', request)
      if (issued.codeChallenge !== undefined) {
        const digest = await crypto.subtle.digest(
          'SHA-256',
          new TextEncoder().encode(params.get('code_verifier') ?? ''),
        )
        if (jose.base64url.encode(new Uint8Array(digest)) !== issued.codeChallenge)
          return tokenError('invalid_grant', 'PKCE verification failed', request)
      }
      const { accessToken, refreshToken } = issue(issued.user, clientId, issued.scope)
      return spec.tokenResponse(
        {
          user: issued.user,
          clientId,
          scope: issued.scope,
          nonce: issued.nonce,
          grantType,
          idToken: mint(issued.user, clientId, issued.nonce),
          accessToken,
          refreshToken,
          authorizeParams: issued.authorizeParams,
          tokenParams: params,
        },
        request,
      )
    }
    if (grantType === 'refresh_token') {
      const old = refreshTokens.get(params.get('refresh_token') ?? '')
      if (!old) return tokenError('invalid_grant', 'The refresh token is invalid', request)
      const rotate = spec.rotateRefreshTokens !== false
      if (rotate) refreshTokens.delete(params.get('refresh_token')!)
      const { accessToken, refreshToken } = issue(
        old.user,
        old.clientId,
        old.scope,
        rotate ? undefined : params.get('refresh_token')!,
      )
      return spec.tokenResponse(
        {
          user: old.user,
          clientId: old.clientId,
          scope: old.scope,
          grantType,
          idToken: mint(old.user, old.clientId),
          accessToken,
          refreshToken,
          tokenParams: params,
        },
        request,
      )
    }
    return tokenError('unsupported_grant_type', `grant_type ${grantType} is not supported`, request)
  }
  const handlers: HttpHandler[] = [tokenMethod(spec.tokenUrl, tokenEndpoint)]
  if (spec.refreshUrl) handlers.push(tokenMethod(spec.refreshUrl, tokenEndpoint))
  if (spec.jwksUri && key) {
    const jwk = key.jwk
    handlers.push(
      http.get(
        spec.jwksUri,
        async ({ request }) => (await record(request), HttpResponse.json({ keys: [jwk] })),
      ),
    )
  }
  if (spec.discoveryUrl && spec.issuer) {
    const metadata = {
      issuer: spec.issuer,
      authorization_endpoint: spec.authorizeUrl,
      token_endpoint: spec.tokenUrl,
      jwks_uri: spec.jwksUri,
      response_types_supported: ['code'],
      id_token_signing_alg_values_supported: ['RS256'],
      ...spec.metadata,
    }
    handlers.push(
      http.get(
        spec.discoveryUrl,
        async ({ request }) => (await record(request), HttpResponse.json(metadata)),
      ),
    )
  }
  for (const [url, respond] of Object.entries(spec.api ?? {})) {
    const method = (spec.apiMethods?.[url] ?? 'GET').toLowerCase() as 'get' | 'post'
    handlers.push(
      http[method](url, async ({ request }) => {
        await record(request)
        const bearer =
          /^Bearer\s+(.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1] ??
          new URL(request.url).searchParams.get('access_token') ??
          ''
        const user = accessTokens.get(bearer)
        if (!user && spec.apiUnauthorized) return spec.apiUnauthorized(request)
        if (!user)
          return new HttpResponse(JSON.stringify({ message: 'Bad credentials' }), {
            status: 401,
            headers: {
              'content-type': 'application/json',
              'www-authenticate': 'Bearer error="invalid_token"',
            },
          })
        return respond(user, request, grants.get(bearer) ?? { clientId: '', scope: '' })
      }),
    )
  }

  return {
    name: spec.name,
    handlers,
    users,
    calls,
    async authorize(authorizationUrl, options = {}) {
      const url = new URL(authorizationUrl)
      const q = aliased(url.searchParams)
      const redirectUri = q.get('redirect_uri')
      if (!redirectUri)
        throw new Error(`${spec.name} emulation: the authorization request has no redirect_uri`)
      const callback = new URL(redirectUri)
      const params = new URLSearchParams()
      const refused = options.deny ? undefined : spec.checkAuthorizeRequest?.(q)
      if (options.deny) {
        params.set('error', 'access_denied')
      } else if (refused) {
        params.set('error', refused.error)
        if (refused.error_description) params.set('error_description', refused.error_description)
      } else {
        const user = find(options.user)
        const code = `${spec.name}-code-${random()}`
        codes.set(code, {
          user,
          clientId: q.get('client_id') ?? '',
          redirectUri,
          scope: q.get('scope') ?? '',
          nonce: q.get('nonce') ?? undefined,
          codeChallenge: q.get('code_challenge') ?? undefined,
          authorizeParams: new URLSearchParams(q),
        })
        params.set('code', code)
        for (const [k, v] of Object.entries(
          spec.callbackExtras?.(user, !seenUsers.has(user.id), q) ?? {},
        ))
          params.set(k, v)
        seenUsers.add(user.id)
      }
      if (q.get('state') !== null) params.set('state', q.get('state')!)
      if (spec.metadata?.authorization_response_iss_parameter_supported && spec.issuer)
        params.set('iss', spec.issuer)
      if ((q.get('response_mode') ?? spec.responseMode) === 'form_post') {
        return new Request(callback, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: params.toString(),
        })
      }
      for (const [k, v] of params) callback.searchParams.set(k, v)
      return new Request(callback)
    },
    issueToken(login) {
      const user = find(login)
      const { accessToken, refreshToken } = issue(user, 'test', '')
      return {
        access_token: accessToken,
        token_type: 'bearer',
        refresh_token: refreshToken,
        expires_at: Math.floor(Date.now() / 1000) + 3600,
      }
    },
  }
}

/** A token request's parameters: the form body, or a JSON object body (Notion documents JSON). */
async function tokenRequestParams(request: Request): Promise<URLSearchParams> {
  const text = await request.clone().text()
  if (!/json/i.test(request.headers.get('content-type') ?? '')) return new URLSearchParams(text)
  const params = new URLSearchParams()
  try {
    const body = JSON.parse(text) as unknown
    if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
      for (const [k, v] of Object.entries(body)) if (typeof v === 'string') params.set(k, v)
    }
  } catch {
    // Not JSON after all: no parameters, so the grant is refused as it would be.
  }
  return params
}

function basicClientId(request: Request): string | undefined {
  const match = /^Basic\s+(.+)$/i.exec(request.headers.get('authorization') ?? '')
  if (!match) return undefined
  try {
    return decodeURIComponent(atob(match[1]!).split(':')[0]!.replace(/\+/g, ' '))
  } catch {
    return undefined
  }
}

/** The app side of {@link completeLogin}. @group Testing */
export interface LoginApp<T> {
  authorizeRedirect(ctx: { cookies: MemoryCookieJar }, redirectUri: string): Promise<Response>
  authorizeAccessToken(ctx: { cookies: MemoryCookieJar; request: Request }): Promise<T>
}

/**
 * Complete a login in a test without a browser: start it with the app, approve it at the emulated
 * provider as `user`, and finish it on the app's callback. Returns the app's token.
 *
 * @example
 * ```ts
 * const token = await completeLogin(oauth.create('github'), emulation, { user: 'octocat' })
 * ```
 * @group Testing
 */
export async function completeLogin<T>(
  app: LoginApp<T>,
  emulation: Pick<ProviderEmulation, 'authorize'>,
  options: { user?: string; redirectUri?: string } = {},
): Promise<T> {
  const cookies = new MemoryCookieJar()
  const redirect = await app.authorizeRedirect(
    { cookies },
    options.redirectUri ?? 'https://app.test/auth/callback',
  )
  const location = redirect.headers.get('location')
  if (!location) throw new Error('completeLogin: the app did not redirect to the provider')
  const request = await emulation.authorize(location, { user: options.user })
  return app.authorizeAccessToken({ cookies, request })
}
