/**
 * An OpenID provider emulated with msw: keys and tokens minted with jose, every response overridable,
 * every call recorded. For quirks and faults; happy-path logins run against oidc-provider.
 */
import * as jose from 'jose'
import { http, HttpResponse, type HttpHandler } from 'msw'
import { registerAuthorization, registerCredential, registerCredentialFields } from './secrets.js'

export interface FakeIdpOptions {
  issuer?: string
  clientId?: string
  clientSecret?: string
  /** Advertise RFC 9207 `iss` in authorization responses (default true). */
  issParameter?: boolean
  metadata?: Record<string, unknown>
}

export interface PendingCode {
  code: string
  nonce?: string
  codeChallenge?: string
  redirectUri: string
  clientId: string
}

type Override = (request: Request) => Response | undefined | Promise<Response | undefined>

/** Register the credential fields of a JSON body of at most 64 KiB; a longer one is dropped unread. */
async function registerFromJson(stream: ReadableStream<Uint8Array>): Promise<void> {
  const reader = stream.getReader()
  const decoder = new TextDecoder()
  let text = ''
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    text += decoder.decode(value, { stream: true })
    if (text.length > 64 * 1024) return void reader.cancel().catch(() => {})
  }
  const body: unknown = JSON.parse(text)
  if (body && typeof body === 'object') registerCredentialFields(body as Record<string, unknown>)
}

export class FakeIdp {
  readonly issuer: string
  readonly clientId: string
  readonly clientSecret: string
  readonly calls: Array<{ endpoint: string; request: Request; body: string }> = []
  readonly codes = new Map<string, PendingCode>()
  readonly overrides: Partial<Record<'discovery' | 'jwks' | 'token' | 'userinfo', Override>> = {}
  idTokenClaims: Record<string, unknown> = {}
  userinfoClaims: Record<string, unknown> = { sub: 'user-1', email: 'user@example.test' }
  keys: Array<{ kid: string; alg: string; privateKey: CryptoKey; publicJwk: jose.JWK }> = []
  #options: FakeIdpOptions

  constructor(options: FakeIdpOptions = {}) {
    this.#options = options
    this.issuer = options.issuer ?? 'https://idp.test'
    this.clientId = options.clientId ?? 'client-1'
    this.clientSecret = options.clientSecret ?? 'client-secret-that-is-long-enough-000'
    registerCredential(this.clientSecret)
  }

  static async create(options: FakeIdpOptions = {}): Promise<FakeIdp> {
    const idp = new FakeIdp(options)
    await idp.addKey('key-1', 'RS256')
    return idp
  }

  async addKey(kid: string, alg: string): Promise<void> {
    const { privateKey, publicKey } = await jose.generateKeyPair(alg, { extractable: true })
    const publicJwk = { ...(await jose.exportJWK(publicKey)), kid, alg, use: 'sig' }
    this.keys.push({ kid, alg, privateKey, publicJwk })
  }

  get discoveryUrl(): string {
    return `${this.issuer}/.well-known/openid-configuration`
  }

  metadata(): Record<string, unknown> {
    return {
      issuer: this.issuer,
      authorization_endpoint: `${this.issuer}/authorize`,
      token_endpoint: `${this.issuer}/token`,
      userinfo_endpoint: `${this.issuer}/userinfo`,
      jwks_uri: `${this.issuer}/jwks`,
      revocation_endpoint: `${this.issuer}/revoke`,
      introspection_endpoint: `${this.issuer}/introspect`,
      end_session_endpoint: `${this.issuer}/logout`,
      response_types_supported: ['code'],
      id_token_signing_alg_values_supported: ['RS256', 'ES256'],
      authorization_response_iss_parameter_supported: this.#options.issParameter ?? true,
      ...this.#options.metadata,
    }
  }

  /** What the provider does at its authorize endpoint: remember the request, return the callback URL. */
  authorize(authorizationUrl: string | URL, extra: Record<string, string> = {}): URL {
    const url = new URL(authorizationUrl)
    const q = url.searchParams
    const code = `code-${crypto.randomUUID()}`
    registerCredential(code)
    this.codes.set(code, {
      code,
      nonce: q.get('nonce') ?? undefined,
      codeChallenge: q.get('code_challenge') ?? undefined,
      redirectUri: q.get('redirect_uri')!,
      clientId: q.get('client_id')!,
    })
    const callback = new URL(q.get('redirect_uri')!)
    callback.searchParams.set('code', code)
    if (q.get('state') !== null) callback.searchParams.set('state', q.get('state')!)
    if (this.#options.issParameter ?? true) callback.searchParams.set('iss', this.issuer)
    for (const [k, v] of Object.entries(extra)) callback.searchParams.set(k, v)
    return callback
  }

  /**
   * An ID token signed with one of the provider's keys (`kid`, default the first), or with `key`.
   * A claim set to `undefined` is left out; `kid: null` leaves the header's `kid` out; `alg: 'none'`
   * makes an unsigned token; `header` adds header parameters.
   */
  async idToken(
    claims: Record<string, unknown> = {},
    options: {
      kid?: string | null
      alg?: string
      key?: CryptoKey | Uint8Array
      header?: Record<string, unknown>
    } = {},
  ): Promise<string> {
    const keyEntry =
      this.keys.find((k) => k.kid === (options.kid ?? this.keys[0]!.kid)) ?? this.keys[0]!
    const alg = options.alg ?? keyEntry.alg
    const now = Math.floor(Date.now() / 1000)
    const payload = {
      iss: this.issuer,
      sub: 'user-1',
      aud: this.clientId,
      iat: now,
      exp: now + 300,
      ...this.idTokenClaims,
      ...claims,
    }
    for (const [k, v] of Object.entries(payload))
      if (v === undefined) delete (payload as Record<string, unknown>)[k]
    const header: jose.JWTHeaderParameters = {
      alg,
      ...(options.kid === null ? {} : { kid: options.kid ?? keyEntry.kid }),
      ...options.header,
    }
    if (alg === 'none') {
      const part = (value: unknown) => jose.base64url.encode(JSON.stringify(value))
      return `${part(header)}.${part(payload)}.`
    }
    return new jose.SignJWT(payload)
      .setProtectedHeader(header)
      .sign(options.key ?? keyEntry.privateKey)
  }

  /** Refresh tokens issued, each with its family (one per login) and whether it was already used. */
  readonly refreshTokens = new Map<string, { family: string; used: boolean }>()

  #issueRefreshToken(family: string): string {
    const token = `rt-${crypto.randomUUID()}`
    registerCredential(token)
    this.refreshTokens.set(token, { family, used: false })
    return token
  }

  async #token(request: Request, body: string): Promise<Response> {
    const params = new URLSearchParams(body)
    if (params.get('grant_type') === 'authorization_code') {
      const pending = this.codes.get(params.get('code') ?? '')
      if (!pending)
        return HttpResponse.json(
          { error: 'invalid_grant', error_description: 'unknown code' },
          { status: 400 },
        )
      this.codes.delete(pending.code)
      if (pending.redirectUri !== params.get('redirect_uri'))
        return HttpResponse.json(
          { error: 'invalid_grant', error_description: 'redirect_uri mismatch' },
          { status: 400 },
        )
      if (pending.codeChallenge) {
        const verifier = params.get('code_verifier') ?? ''
        const digest = new Uint8Array(
          await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier)),
        )
        if (jose.base64url.encode(digest) !== pending.codeChallenge)
          return HttpResponse.json(
            { error: 'invalid_grant', error_description: 'PKCE' },
            { status: 400 },
          )
      }
      const id_token = await this.idToken(pending.nonce ? { nonce: pending.nonce } : {})
      return HttpResponse.json({
        access_token: `at-${crypto.randomUUID()}`,
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_token: this.#issueRefreshToken(pending.code),
        id_token,
        scope: 'openid email',
      })
    }
    if (params.get('grant_type') === 'refresh_token') {
      // Refresh tokens rotate; reusing a rotated one revokes its whole family (RFC 9700 §4.14.2).
      const entry = this.refreshTokens.get(params.get('refresh_token') ?? '')
      if (!entry)
        return HttpResponse.json(
          { error: 'invalid_grant', error_description: 'unknown refresh token' },
          { status: 400 },
        )
      if (entry.used) {
        for (const [token, other] of this.refreshTokens)
          if (other.family === entry.family) this.refreshTokens.delete(token)
        return HttpResponse.json(
          { error: 'invalid_grant', error_description: 'refresh token reused; family revoked' },
          { status: 400 },
        )
      }
      entry.used = true
      return HttpResponse.json({
        access_token: `at-${crypto.randomUUID()}`,
        token_type: 'Bearer',
        expires_in: 3600,
        refresh_token: this.#issueRefreshToken(entry.family),
        id_token: await this.idToken(),
        scope: 'openid email',
      })
    }
    return HttpResponse.json({ error: 'unsupported_grant_type' }, { status: 400 })
  }

  handlers(): HttpHandler[] {
    const record = async (endpoint: string, request: Request) => {
      const body = await request.clone().text()
      this.calls.push({ endpoint, request, body })
      // Whatever the client sends as a credential (code, verifier, secret, tokens) is in play from now on.
      registerCredentialFields(new URLSearchParams(body))
      registerCredentialFields(new URL(request.url).searchParams)
      registerAuthorization(request.headers.get('authorization'))
      return body
    }
    // Whatever the provider answers with (its own tokens or a test's override) is in play too. Read from
    // a copy without waiting for it, and only its first 64 KiB: a test's body may stall or never end.
    const issued = (response: Response): Response => {
      const body = (response.headers.get('content-type') ?? '').includes('json')
        ? response.clone().body
        : null
      if (body) void registerFromJson(body).catch(() => {})
      return response
    }
    const discoveryPath = new URL(this.discoveryUrl).href
    return [
      http.get(discoveryPath, async ({ request }) => {
        await record('discovery', request)
        return (await this.overrides.discovery?.(request)) ?? HttpResponse.json(this.metadata())
      }),
      http.get(`${this.issuer}/jwks`, async ({ request }) => {
        await record('jwks', request)
        return (
          (await this.overrides.jwks?.(request)) ??
          HttpResponse.json({ keys: this.keys.map((k) => k.publicJwk) })
        )
      }),
      http.post(`${this.issuer}/token`, async ({ request }) => {
        const body = await record('token', request)
        return issued((await this.overrides.token?.(request)) ?? (await this.#token(request, body)))
      }),
      http.get(`${this.issuer}/userinfo`, async ({ request }) => {
        await record('userinfo', request)
        return (await this.overrides.userinfo?.(request)) ?? HttpResponse.json(this.userinfoClaims)
      }),
    ]
  }

  endpointCalls(endpoint: string): number {
    return this.calls.filter((c) => c.endpoint === endpoint).length
  }
}
