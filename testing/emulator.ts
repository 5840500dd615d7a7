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
import type { OAuth2Token } from '../src/types.js'

/** A user of an emulated provider. Extra fields go into the provider's profile as the emulation maps them. @group Testing */
export interface EmulatedUser {
  /** The provider's user id. */
  id: string
  email?: string
  email_verified?: boolean
  name?: string
  picture?: string
  [field: string]: unknown
}

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

/** What a token endpoint emulation gets to build its answer. @group Testing */
export interface EmulatedTokenContext {
  user: EmulatedUser
  clientId: string
  scope: string
  nonce?: string
  grantType: string
  /** Mint an ID token signed with the emulation's key (OpenID providers). */
  idToken(claims?: Record<string, unknown>): Promise<string>
  accessToken: string
  refreshToken: string
  /** The authorization request's query parameters (code grant only): `duration`, `token_access_type`, … */
  authorizeParams?: URLSearchParams
  /** The token request's parameters (form or JSON body). */
  tokenParams?: URLSearchParams
}

/** What an access token presented to an emulated API was issued for. @group Testing */
export interface EmulatedGrant {
  clientId: string
  /** The scope the authorization request asked for (as sent, with the provider's separator). */
  scope: string
}

/** How a provider behaves; each preset's emulation is one of these. @group Testing */
export interface EmulationSpec {
  /** Display name, for messages. */
  name: string
  authorizeUrl: string
  tokenUrl: string
  /** OpenID providers: issuer, jwks_uri and (optionally) discovery. */
  issuer?: string
  jwksUri?: string
  discoveryUrl?: string
  /** Extra discovery metadata. */
  metadata?: Record<string, unknown>
  /** `form_post` providers POST the callback (Apple). */
  responseMode?: 'query' | 'form_post'
  /** Build the token endpoint's success response (wire format, quirks included). */
  tokenResponse(ctx: EmulatedTokenContext, request: Request): Response | Promise<Response>
  /** Build the token endpoint's error response (default: RFC 6749 §5.2 JSON with 400). */
  tokenError?(error: string, description: string, request: Request): Response
  /** The provider's API and userinfo endpoints: path (absolute URL) → handler given the token's user. */
  api?: Record<
    string,
    (user: EmulatedUser, request: Request, grant: EmulatedGrant) => Response | Promise<Response>
  >
  /** `GET`: the token endpoint takes its parameters in the query (WeChat). Default POST. */
  tokenMethod?: 'GET' | 'POST'
  /** A separate refresh endpoint (WeChat's `/sns/oauth2/refresh_token`), with the token endpoint's method. */
  refreshUrl?: string
  /** `false`: the code exchange carries no `redirect_uri` (WeChat), so none is compared. Default true. */
  tokenRedirectUri?: boolean
  /** The provider's names of standard parameters, in authorize and token requests: `{ appid: 'client_id' }`. */
  paramAliases?: Record<string, string>
  /** How `api` answers an unknown or expired token (default: 401 with an RFC 6750 challenge). */
  apiUnauthorized?(request: Request): Response
  /** HTTP methods of `api` entries other than GET: `{ [url]: 'POST' }`. */
  apiMethods?: Record<string, string>
  /** Extra query parameters the provider adds to the callback (Apple's `user` goes in the form). */
  callbackExtras?(
    user: EmulatedUser,
    firstLogin: boolean,
    authorizeParams: URLSearchParams,
  ): Record<string, string>
  /**
   * Refuse an authorization request the provider would refuse (missing PKCE, malformed scope, …):
   * return the error the provider redirects back with.
   */
  checkAuthorizeRequest?(
    params: URLSearchParams,
  ): { error: string; error_description?: string } | undefined
  /**
   * Refuse a token request the provider would refuse (wrong client authentication, missing
   * User-Agent, wrong body encoding, …) before the grant is looked at: return the response to send.
   */
  checkTokenRequest?(
    request: Request,
    params: URLSearchParams,
  ): Response | undefined | Promise<Response | undefined>
  /** `false`: a refresh keeps the same refresh token valid (and `ctx.refreshToken` is it). Default true. */
  rotateRefreshTokens?: boolean
  /** How the ID token's `sub` is derived from the user (default: `user.id`). */
  idTokenClaims?(user: EmulatedUser): Record<string, unknown>
  /** Sign ID tokens with HS256 keyed by this secret (the client secret: LINE) instead of the RS256 key. */
  idTokenSecret?: string
}

/** A running emulation: msw handlers plus the user's side of the login. @group Testing */
export interface ProviderEmulation {
  readonly name: string
  /** Hand these to msw's `setupServer(...)` / `server.use(...)`. */
  readonly handlers: HttpHandler[]
  /** The test users; the first is the default. */
  readonly users: EmulatedUser[]
  /** Every request the emulation received, in order. */
  readonly calls: Array<{ url: string; method: string; body: string; headers: Headers }>
  /**
   * The user's side at the authorize endpoint: approve (or deny) as `user` (id, email or login; default the
   * first user) and return the callback request the browser would send to the app.
   */
  authorize(
    authorizationUrl: string | URL,
    options?: { user?: string; deny?: boolean },
  ): Promise<Request>
  /** Make a token for `user` valid at the API, without a login (for tests of API calls). */
  issueToken(user?: string): OAuth2Token
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
