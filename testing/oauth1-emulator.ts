/**
 * OAuth 1.0a provider emulations for tests, on msw: the OAuth 1.0a counterpart of
 * {@link createEmulation}. Temporary credentials, the user's side of the authorization step, token
 * credentials and signed API calls, each request checked the way a provider checks it.
 *
 * Signatures are verified in full, independently of the code under test (`oauth1-emulator/verify.ts`
 * parses the request, builds the RFC 5849 §3.4.1 signature base string and percent-encodes (§3.6)
 * with its own code, and computes HMAC-SHA1 / HMAC-SHA256 with `node:crypto`; PLAINTEXT is compared
 * as §3.4.4 says). It imports nothing from `src/oauth1`, so a signing bug in oauthkit fails here as
 * it would at the provider. RSA-SHA1 is not emulated (it needs the client's public key; no provider
 * with a preset uses it).
 *
 * Node only (`node:crypto`).
 *
 * @module
 */
import { randomBytes } from 'node:crypto'
import { http, HttpResponse, type HttpHandler } from 'msw'
import type { OAuth1Token } from '../src/types.js'
import type { EmulatedUser, ProviderEmulation } from './emulator.js'
import { FORM, Refusal, sameText, verifySignedRequest } from './oauth1-emulator/verify.js'
import type {
  EmulatedConsumer,
  EmulatedSignatureMethod,
  OAuth1EmulatedGrant,
  OAuth1Problem,
  OAuth1VerifiedRequest,
} from './oauth1-emulator/verify.js'

export type {
  EmulatedConsumer,
  EmulatedSignatureMethod,
  OAuth1EmulatedGrant,
  OAuth1Problem,
  OAuth1VerifiedRequest,
} from './oauth1-emulator/verify.js'

/** How an OAuth 1.0a provider behaves; each OAuth 1 preset's emulation is one of these. @group Testing */
export interface OAuth1EmulationSpec {
  /** Display name, for messages and token prefixes. */
  name: string
  /** Temporary credentials endpoint (RFC 5849 §2.1), answered to POST. */
  requestTokenUrl: string
  /** The authorization endpoint(s) {@link OAuth1Emulation.authorize} accepts (X has `authenticate` and `authorize`). */
  authorizeUrl: string | string[]
  /** Token credentials endpoint (RFC 5849 §2.3), answered to POST. */
  accessTokenUrl: string
  /** The clients the provider knows: every request must be signed by one of them. */
  consumers: EmulatedConsumer[]
  /** Accepted signature methods. Default `['HMAC-SHA1']`. */
  signatureMethods?: EmulatedSignatureMethod[]
  /** Largest accepted distance between `oauth_timestamp` and the clock, in seconds. Default 300. */
  timestampWindow?: number
  /** Send `oauth_callback_confirmed=true` with temporary credentials (OAuth 1.0a). Default true. */
  callbackConfirmed?: boolean
  /** Content type of the token endpoints' form bodies. Default `application/x-www-form-urlencoded`. */
  formContentType?: string
  /** Fields the access-token response adds for the user (X: `user_id`, `screen_name`). Default `{ user_id }`. */
  accessTokenFields?(user: EmulatedUser): Record<string, string>
  /**
   * The provider's refusal of a request (default: `oauth_problem=…` form-encoded, 400 for malformed
   * requests, 401 otherwise, as the OAuth Problem Reporting extension has it).
   */
  problem?(problem: OAuth1Problem, request: Request): Response
  /** Refuse a request-token request the provider would refuse (unregistered callback, …): return the response to send. */
  checkRequestTokenRequest?(request: Request, verified: OAuth1VerifiedRequest): Response | undefined
  /** The provider's API: absolute URL → handler given the user of the token credentials the request was signed with. */
  api?: Record<
    string,
    (
      user: EmulatedUser,
      request: Request,
      grant: OAuth1EmulatedGrant,
    ) => Response | Promise<Response>
  >
  /** HTTP methods of `api` entries other than GET: `{ [url]: 'POST' }`. */
  apiMethods?: Record<string, string>
}

/** A running OAuth 1 emulation: msw handlers plus the user's side of the login. @group Testing */
export interface OAuth1Emulation {
  readonly name: string
  /** Hand these to msw's `setupServer(...)` / `server.use(...)`. */
  readonly handlers: HttpHandler[]
  /** The test users; the first is the default. */
  readonly users: EmulatedUser[]
  /** Every request the emulation received, in order. */
  readonly calls: ProviderEmulation['calls']
  /**
   * The user's side at the authorization endpoint: approve as `user` (id or email; default the first
   * user), or deny, and return the callback request the browser would send to the app — with
   * `oauth_token` and `oauth_verifier`, or `denied=<temporary token>` (as X sends). Same shape as
   * {@link ProviderEmulation.authorize}, so {@link completeLogin} drives an OAuth 1 login too.
   */
  authorize(
    authorizationUrl: string | URL,
    options?: { user?: string; deny?: boolean },
  ): Promise<Request>
  /** Token credentials for `user` valid at the API, without a login (for tests of API calls). */
  issueToken(user?: string): OAuth1Token
}

/** Reasons a request is malformed: 400 rather than 401 by default. */
const BAD_REQUEST: ReadonlySet<OAuth1Problem> = new Set([
  'parameter_absent',
  'parameter_rejected',
  'version_rejected',
  'signature_method_rejected',
])

/**
 * Build an OAuth 1.0a emulation from a spec. The OAuth 1 presets' emulations (in `oauthkit/testing`)
 * are built with it; an app can build one for an in-house provider too.
 *
 * Every request to the token endpoints and the API is checked as a provider would: a known
 * `oauth_consumer_key`, a supported `oauth_signature_method`, `oauth_timestamp` within the window,
 * an unused `oauth_nonce`, `oauth_version` absent or `1.0`, a known `oauth_token` of the right kind,
 * and the signature itself, recomputed from RFC 5849 (see the module docs).
 *
 * @example
 * ```ts
 * const emulation = await createOAuth1Emulation({
 *   name: 'garmin',
 *   requestTokenUrl: 'https://connectapi.garmin.test/oauth-service/oauth/request_token',
 *   authorizeUrl: 'https://connect.garmin.test/oauthConfirm',
 *   accessTokenUrl: 'https://connectapi.garmin.test/oauth-service/oauth/access_token',
 *   consumers: [{ key: 'ck', secret: 'cs' }],
 *   api: { 'https://apis.garmin.test/wellness-api/rest/user/id': (user) => Response.json({ userId: user.id }) },
 * }, [{ id: 'u-1' }])
 * server.use(...emulation.handlers)
 * const token = await completeLogin(oauth.create('garmin'), emulation)
 * ```
 * @group Testing
 */
export async function createOAuth1Emulation(
  spec: OAuth1EmulationSpec,
  users: EmulatedUser[],
): Promise<OAuth1Emulation> {
  if (users.length === 0) throw new Error(`${spec.name} emulation: at least one user is required`)
  if (spec.consumers.length === 0)
    throw new Error(`${spec.name} emulation: at least one consumer is required`)
  const methods = new Set<string>(spec.signatureMethods ?? ['HMAC-SHA1'])
  const window = spec.timestampWindow ?? 300
  const authorizeUrls = [spec.authorizeUrl].flat().map((u) => new URL(u))
  const temporary = new Map<
    string,
    {
      secret: string
      clientId: string
      callback: string
      requestTokenParams: URLSearchParams
      user?: EmulatedUser
      verifier?: string
      authorizeParams?: URLSearchParams
    }
  >()
  const tokens = new Map<
    string,
    { secret: string; user: EmulatedUser; grant: OAuth1EmulatedGrant }
  >()
  const nonces = new Set<string>()
  const calls: OAuth1Emulation['calls'] = []

  const random = () => randomBytes(18).toString('base64url')
  const find = (login?: string) => {
    const user =
      login === undefined ? users[0] : users.find((u) => u.id === login || u.email === login)
    if (!user) throw new Error(`${spec.name} emulation: no user "${login}"`)
    return user
  }
  const record = async (request: Request) => {
    calls.push({
      url: request.url,
      method: request.method,
      body: await request.clone().text(),
      headers: new Headers(request.headers),
    })
  }
  const form = (fields: Record<string, string>) =>
    new HttpResponse(new URLSearchParams(fields).toString(), {
      headers: { 'content-type': spec.formContentType ?? FORM },
    })
  const refuse = (problem: OAuth1Problem, request: Request) =>
    spec.problem?.(problem, request) ??
    new HttpResponse(new URLSearchParams({ oauth_problem: problem }).toString(), {
      status: BAD_REQUEST.has(problem) ? 400 : 401,
      headers: { 'content-type': FORM },
    })

  const state = { consumers: spec.consumers, methods, window, nonces }
  const verify = (
    request: Request,
    secretOf: ((token: string) => string | undefined) | undefined,
  ) => verifySignedRequest(request, state, secretOf)

  /** Run a handler, turning a refusal into the provider's error response. */
  const guarded =
    (run: (request: Request) => Promise<Response>) =>
    async ({ request }: { request: Request }) => {
      await record(request)
      try {
        return await run(request)
      } catch (error) {
        if (error instanceof Refusal) return refuse(error.problem, request)
        throw error
      }
    }

  const handlers: HttpHandler[] = [
    http.post(
      spec.requestTokenUrl,
      guarded(async (request) => {
        const verified = await verify(request, undefined)
        // OAuth 1.0a: the callback is given here (or `oob`), never at the authorization step.
        const callback = verified.oauth.oauth_callback
        if (callback === undefined) throw new Refusal('parameter_absent')
        if (callback !== 'oob' && !URL.canParse(callback)) throw new Refusal('parameter_rejected')
        const refused = spec.checkRequestTokenRequest?.(request, verified)
        if (refused) return refused
        const token = `${spec.name}-rt-${random()}`
        const secret = random()
        temporary.set(token, {
          secret,
          clientId: verified.oauth.oauth_consumer_key!,
          callback,
          requestTokenParams: verified.params,
        })
        const confirmed = spec.callbackConfirmed ?? true
        return form({
          oauth_token: token,
          oauth_token_secret: secret,
          ...(confirmed && { oauth_callback_confirmed: 'true' }),
        })
      }),
    ),
    http.post(
      spec.accessTokenUrl,
      guarded(async (request) => {
        // Only temporary credentials the user approved can be exchanged (a verifier was issued for them).
        const verified = await verify(request, (token) => {
          const tx = temporary.get(token)
          return tx?.verifier === undefined ? undefined : tx.secret
        })
        const tx = temporary.get(verified.oauth.oauth_token!)!
        // Temporary credentials are exchanged once, whether the verifier is right or not.
        temporary.delete(verified.oauth.oauth_token!)
        if (tx.clientId !== verified.oauth.oauth_consumer_key) throw new Refusal('token_rejected')
        if (verified.oauth.oauth_verifier === undefined) throw new Refusal('parameter_absent')
        if (!sameText(verified.oauth.oauth_verifier, tx.verifier!))
          throw new Refusal('verifier_invalid')
        const user = tx.user!
        const token = `${spec.name}-at-${random()}`
        const secret = random()
        tokens.set(token, {
          secret,
          user,
          grant: {
            clientId: tx.clientId,
            requestTokenParams: tx.requestTokenParams,
            callback: tx.callback,
            ...(tx.authorizeParams && { authorizeParams: tx.authorizeParams }),
            issuedAt: Date.now(),
          },
        })
        return form({
          oauth_token: token,
          oauth_token_secret: secret,
          ...(spec.accessTokenFields?.(user) ?? { user_id: user.id }),
        })
      }),
    ),
  ]
  for (const [url, respond] of Object.entries(spec.api ?? {})) {
    const method = (spec.apiMethods?.[url] ?? 'GET').toLowerCase() as
      'get' | 'post' | 'put' | 'patch' | 'delete'
    handlers.push(
      http[method](
        url,
        guarded(async (request) => {
          const verified = await verify(request, (token) => tokens.get(token)?.secret)
          const issued = tokens.get(verified.oauth.oauth_token!)!
          if (issued.grant.clientId !== verified.oauth.oauth_consumer_key)
            throw new Refusal('token_rejected')
          return respond(issued.user, request, issued.grant)
        }),
      ),
    )
  }

  return {
    name: spec.name,
    handlers,
    users,
    calls,
    async authorize(authorizationUrl, options = {}) {
      const url = new URL(authorizationUrl)
      if (!authorizeUrls.some((u) => u.origin === url.origin && u.pathname === url.pathname)) {
        throw new Error(
          `${spec.name} emulation: ${url.origin}${url.pathname} is not an authorization endpoint of this provider`,
        )
      }
      const token = url.searchParams.get('oauth_token')
      const tx = token === null ? undefined : temporary.get(token)
      if (token === null || !tx)
        throw new Error(
          `${spec.name} emulation: the authorization URL has no oauth_token this provider issued`,
        )
      if (tx.callback === 'oob')
        throw new Error(
          `${spec.name} emulation: the login asked for an out-of-band (PIN) callback; there is nothing to redirect to`,
        )
      const callback = new URL(tx.callback)
      if (options.deny) {
        // The temporary credentials are dead: a later access-token request with them is refused.
        temporary.delete(token)
        callback.searchParams.set('denied', token)
      } else {
        tx.user = find(options.user)
        tx.verifier = random()
        tx.authorizeParams = new URLSearchParams(url.searchParams)
        callback.searchParams.set('oauth_token', token)
        callback.searchParams.set('oauth_verifier', tx.verifier)
      }
      return new Request(callback)
    },
    issueToken(login) {
      const consumerKey = spec.consumers[0]!.key
      const user = find(login)
      const token = `${spec.name}-at-${random()}`
      const secret = random()
      tokens.set(token, {
        secret,
        user,
        grant: {
          clientId: consumerKey,
          requestTokenParams: new URLSearchParams(),
          callback: 'oob',
        },
      })
      return { oauth_token: token, oauth_token_secret: secret }
    },
  }
}
