/**
 * The OAuth 1.0a app end to end against the RFC 5849 test provider on 127.0.0.1: the three-legged
 * flow and signed API calls for every signature method and placement, and every way the provider or
 * the callback can refuse a login, each surfacing as a typed error.
 */
import { generateKeyPairSync } from 'node:crypto'
import { HTTPError } from 'ky'
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import {
  ErrorCode,
  MemoryCookieJar,
  OAuth,
  OAuth1App,
  OAuth2App,
  isOAuthKitError,
  type ApiRequestOptions,
  type OAuth1AppConfig,
  type OAuth1Token,
  type OAuth2Token,
  type OAuthKitError,
  type SignatureMethod,
  type SignaturePlacement,
  type UpdateTokenInfo,
} from '../../src/index.js'
import { signRequest } from '../../src/oauth1/signature.js'
import {
  startOAuth1Provider,
  type OAuth1Provider,
  type OAuth1ReceivedRequest,
} from '../support/oauth1-provider.js'
import { SECRET, expectCode } from '../support/helpers.js'

const HMAC_CONSUMER = { key: 'tw-consumer', secret: 'tw-consumer-secret !*()&=+%é' }
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const RSA_PRIVATE_PEM = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const RSA_CONSUMER = {
  key: 'rsa-consumer',
  secret: '',
  rsaPublicKey: rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
}
const CALLBACK = 'https://app.test/auth/tw/callback'
const USER = { user_id: '783214', screen_name: 'oauthkit_test' }

let provider: OAuth1Provider
/** Seconds added to the provider's clock (stale-timestamp tests). */
let skew = 0

beforeAll(async () => {
  provider = await startOAuth1Provider({
    consumers: [HMAC_CONSUMER, RSA_CONSUMER],
    now: () => Math.floor(Date.now() / 1000) + skew,
  })
})
afterAll(() => provider.close())
afterEach(() => {
  skew = 0
})

interface Setup {
  updates?: Array<[string, OAuth1Token, UpdateTokenInfo]>
  fetchToken?: () => OAuth1Token | undefined
}

/** The endpoints of the test provider, with the HMAC consumer. */
function endpoints(): OAuth1AppConfig {
  return {
    requestTokenUrl: `${provider.url}/oauth/request_token`,
    accessTokenUrl: `${provider.url}/oauth/access_token`,
    authorizeUrl: `${provider.url}/oauth/authorize`,
    apiBaseUrl: `${provider.url}/1.1`,
    clientId: HMAC_CONSUMER.key,
    clientSecret: HMAC_CONSUMER.secret,
  }
}

function credentialsFor(
  method: SignatureMethod,
): Pick<OAuth1AppConfig, 'clientId' | 'clientSecret' | 'rsaKey'> {
  return method === 'RSA-SHA1'
    ? { clientId: RSA_CONSUMER.key, clientSecret: undefined, rsaKey: RSA_PRIVATE_PEM }
    : { clientId: HMAC_CONSUMER.key, clientSecret: HMAC_CONSUMER.secret }
}

function makeApp(config: Partial<OAuth1AppConfig> = {}, setup: Setup = {}): OAuth1App {
  const full: OAuth1AppConfig = {
    ...endpoints(),
    ...config,
    updateToken: (name, token, info) => void setup.updates?.push([name, token, info]),
    fetchToken: setup.fetchToken,
  }
  return new OAuth({ secret: SECRET }).register('tw', full).create('tw')
}

/** authorizeRedirect, as the browser follows it: the authorization page, and the temporary token. */
async function start(app: OAuth1App, cookies = new MemoryCookieJar()) {
  const res = await app.authorizeRedirect({ cookies }, CALLBACK)
  expect(res.status).toBe(302)
  const location = new URL(res.headers.get('location')!)
  const oauthToken = location.searchParams.get('oauth_token')!
  return { res, location, oauthToken, cookies }
}

/** The whole flow: redirect, the user approves, the callback. */
async function login(app: OAuth1App, cookies = new MemoryCookieJar()) {
  const { oauthToken } = await start(app, cookies)
  const callback = provider.approve(oauthToken)
  const token = await app.authorizeAccessToken({ cookies, request: new Request(callback) })
  return { token, oauthToken, callback, cookies }
}

const last = (path: string): OAuth1ReceivedRequest =>
  provider.requests.filter((r) => r.path === path).at(-1)!

describe('OAuth1App: the three-legged flow and signed API calls', () => {
  const flows: Array<[SignatureMethod, SignaturePlacement]> = []
  for (const method of ['HMAC-SHA1', 'HMAC-SHA256', 'RSA-SHA1', 'PLAINTEXT'] as const) {
    for (const placement of ['header', 'query', 'body'] as const) flows.push([method, placement])
  }

  it.each(flows)(
    '%s in the %s: login, then GET with a query, POST with a form body and with a JSON body',
    async (signatureMethod, signaturePlacement) => {
      const updates: Setup['updates'] = []
      const app = makeApp(
        { ...credentialsFor(signatureMethod), signatureMethod, signaturePlacement },
        { updates },
      )
      expect(app).toBeInstanceOf(OAuth1App)
      expect(app.kind).toBe('oauth1')

      const { location, oauthToken } = await start(app, new MemoryCookieJar())
      expect(location.origin + location.pathname).toBe(`${provider.url}/oauth/authorize`)
      expect(last('/oauth/request_token')).toMatchObject({
        location: signaturePlacement,
        protocol: { oauth_callback: CALLBACK, oauth_signature_method: signatureMethod },
      })
      expect(last('/oauth/request_token').problem).toBeUndefined()
      // The browser lands on the provider's authorization page.
      expect((await fetch(location)).status).toBe(200)

      const { token } = await login(app)
      expect(token).toEqual({
        oauth_token: expect.any(String),
        oauth_token_secret: expect.any(String),
        ...USER,
      })
      expect(token.oauth_token).not.toBe(oauthToken)
      expect(last('/oauth/access_token')).toMatchObject({
        location: signaturePlacement,
        protocol: { oauth_verifier: expect.any(String) },
      })
      expect(last('/oauth/access_token').problem).toBeUndefined()
      expect(updates).toHaveLength(1)

      const get = await app
        .get('account/verify_credentials.json', {
          token,
          searchParams: { include_entities: 'true', q: 'a b&c' },
        })
        .json()
      expect(get).toEqual({
        id: 783214,
        id_str: USER.user_id,
        screen_name: USER.screen_name,
        query: [
          ['include_entities', 'true'],
          ['q', 'a b&c'],
        ],
      })
      // GET has no body: body placement falls back to the query.
      expect(last('/1.1/account/verify_credentials.json')).toMatchObject({
        method: 'GET',
        location: signaturePlacement === 'body' ? 'query' : signaturePlacement,
        protocol: { oauth_token: token.oauth_token },
      })

      const form = await app
        .post('/account/verify_credentials.json', {
          token,
          body: new URLSearchParams({ status: 'héllo wörld!', n: '1' }),
        })
        .json()
      expect(form).toMatchObject({
        form: [
          ['status', 'héllo wörld!'],
          ['n', '1'],
        ],
      })
      const signedForm = last('/1.1/account/verify_credentials.json')
      expect(signedForm).toMatchObject({ method: 'POST', location: signaturePlacement })
      expect(signedForm.baseString).toContain('status%3Dh%25C3%25A9llo%2520w%25C3%25B6rld%2521') // the form body is signed

      const json = await app
        .post('account/verify_credentials.json', {
          token,
          json: { status: 'unsigned-json-marker' },
        })
        .json()
      expect(json).toMatchObject({ form: [] })
      const signedJson = last('/1.1/account/verify_credentials.json')
      expect(signedJson).toMatchObject({
        method: 'POST',
        location: signaturePlacement === 'body' ? 'query' : signaturePlacement,
      })
      expect(signedJson.baseString).not.toContain('marker') // a JSON body is not signed
      expect(signedJson.problem).toBeUndefined()
    },
  )

  it('hands the token to updateToken once, with the name and the ctx, and returns it with the provider fields', async () => {
    const updates: Setup['updates'] = []
    const app = makeApp({}, { updates })
    const cookies = new MemoryCookieJar()
    const { oauthToken } = await start(app, cookies)
    const request = new Request(provider.approve(oauthToken))
    const token = await app.authorizeAccessToken({ cookies, request, userId: 'u1' })
    expect(updates).toEqual([
      ['tw', token, { reason: 'login', ctx: { cookies, request, userId: 'u1' } }],
    ])
    expect(token).toMatchObject(USER)
  })

  it('uses the registry-level updateToken and fetchToken when the app has none', async () => {
    const saved = new Map<string, unknown>()
    const oauth = new OAuth({
      secret: SECRET,
      // The registry's callbacks are shared by every kind of app: an OAuth 1 app hands them OAuth 1 tokens.
      updateToken: (name, token) => void saved.set(name, token),
      fetchToken: (name) => saved.get(name) as OAuth2Token | undefined,
    }).register('tw', endpoints())
    const app = oauth.create('tw')
    await expectCode(app.get('account/verify_credentials.json').json(), ErrorCode.TOKEN_MISSING)
    const { token } = await login(app)
    expect(saved.get('tw')).toEqual(token)
    expect(await app.fetchToken()).toEqual(token)
    expect(await app.get('account/verify_credentials.json').json()).toMatchObject({
      screen_name: USER.screen_name,
    })
  })

  it('reads the token with fetchToken(name, ctx) when none is passed, and says token_missing without one', async () => {
    const issued = provider.issueAccessToken(HMAC_CONSUMER.key)
    const stored: OAuth1Token = { oauth_token: issued.token, oauth_token_secret: issued.secret }
    const seen: unknown[] = []
    const app = new OAuth({ secret: SECRET })
      .register('tw', {
        ...endpoints(),
        fetchToken: (_name, ctx) => {
          seen.push(ctx?.userId)
          return ctx?.userId === 'alice' ? stored : null
        },
      })
      .create('tw')
    expect(
      await app.get('account/verify_credentials.json', { ctx: { userId: 'alice' } }).json(),
    ).toMatchObject({ screen_name: USER.screen_name })
    expect(await app.fetchToken({ userId: 'alice' })).toBe(stored)
    expect(last('/1.1/account/verify_credentials.json').protocol.oauth_token).toBe(issued.token)
    const missing = await expectCode(
      app.get('account/verify_credentials.json', { ctx: { userId: 'bob' } }).json(),
      ErrorCode.TOKEN_MISSING,
    )
    expect(missing.message).toMatch(/^tw: no token was passed and fetchToken returned none/)
    expect(seen).toEqual(['alice', 'alice', 'bob'])
    // An OAuth 2 token cannot sign an OAuth 1 request.
    const oauth2 = { access_token: 'at', token_type: 'bearer' } as unknown as OAuth1Token
    await expectCode(
      app.get('account/verify_credentials.json', { token: oauth2 }).json(),
      ErrorCode.TOKEN_MISSING,
    )
  })

  it('sends requestTokenParams (signed), authorizeParams and per-call params, and the realm in the header', async () => {
    const app = makeApp({
      requestTokenParams: { x_auth_access_type: 'read' },
      authorizeParams: { force_login: 'true', lang: 'en' },
      realm: 'https://api.test/',
    })
    const { location } = await start(app)
    expect(last('/oauth/request_token').realm).toBe('https://api.test/')
    expect(last('/oauth/request_token').problem).toBeUndefined()
    expect(last('/oauth/request_token').baseString).toContain('x_auth_access_type%3Dread')
    expect(location.searchParams.get('force_login')).toBe('true')
    expect(location.searchParams.get('lang')).toBe('en')
    const perCall = new URL(
      (
        await app.authorizeRedirect({ cookies: new MemoryCookieJar() }, CALLBACK, {
          params: { lang: 'fr', screen_name: 'x' },
        })
      ).headers.get('location')!,
    )
    expect(perCall.searchParams.get('lang')).toBe('fr')
    expect(perCall.searchParams.get('screen_name')).toBe('x')
    await expectCode(
      app.authorizeRedirect({ cookies: new MemoryCookieJar() }, CALLBACK, {
        params: { oauth_token: 'mine' },
      }),
      ErrorCode.INVALID_REQUEST,
    )
    await expectCode(
      app.authorizeRedirect({ cookies: new MemoryCookieJar() }, 'not a url'),
      ErrorCode.INVALID_REQUEST,
    )
  })

  it('seals the temporary credentials in one HttpOnly cookie per login and keeps returnTo', async () => {
    const app = makeApp()
    const cookies = new MemoryCookieJar()
    const { oauthToken } = await start(app, cookies)
    const headers = cookies.setCookieHeaders()
    expect(headers).toHaveLength(1)
    expect(headers[0]).toMatch(/HttpOnly/)
    expect(headers[0]).toMatch(/Secure/)
    expect(headers[0]).toMatch(/SameSite=Lax/)
    expect(headers[0]).not.toContain(oauthToken)
    // Two logins in flight (two tabs) both finish.
    await app.authorizeRedirect({ cookies }, CALLBACK, { returnTo: '/settings?tab=1' })
    expect(cookies.getAll()).toHaveLength(2)
  })

  it('completeAuthorization returns the returnTo the login started with', async () => {
    const app = makeApp()
    const cookies = new MemoryCookieJar()
    const res = await app.authorizeRedirect({ cookies }, CALLBACK, { returnTo: '/settings?tab=1' })
    const oauthToken = new URL(res.headers.get('location')!).searchParams.get('oauth_token')!
    const done = await app.completeAuthorization({
      cookies,
      request: new Request(provider.approve(oauthToken)),
    })
    expect(done.returnTo).toBe('/settings?tab=1')
    expect(done.token).toMatchObject(USER)
  })

  it('createAuthorizationUrl fetches temporary credentials and stores nothing', async () => {
    const app = makeApp()
    const { url, transaction } = await app.createAuthorizationUrl(CALLBACK, {
      returnTo: '//evil.test/',
    })
    expect(url.searchParams.get('oauth_token')).toBe(transaction.key)
    expect(transaction).toMatchObject({
      app: 'tw',
      redirectUri: CALLBACK,
      tokenSecret: expect.any(String),
    })
    expect(transaction.returnTo).toBeUndefined()
  })

  it('re-signs a request ky retries (fresh nonce, no duplicated parameters) in every placement', async () => {
    for (const signaturePlacement of ['header', 'query', 'body'] as const) {
      let failures = 0
      const sent: string[] = []
      const flaky: typeof fetch = async (input, init) => {
        const request = new Request(input, init)
        if (new URL(request.url).pathname.startsWith('/1.1/')) {
          sent.push(request.url)
          // The first attempt of each call gets a 503, which ky retries.
          if (failures++ % 2 === 0) return new Response('busy', { status: 503 })
        }
        return fetch(request)
      }
      const issued = provider.issueAccessToken(HMAC_CONSUMER.key)
      const app = makeApp({ signaturePlacement, fetch: flaky })
      const token = { oauth_token: issued.token, oauth_token_secret: issued.secret }
      const before = provider.requests.length
      const retry = { limit: 1, methods: ['get', 'post'], delay: () => 1 }
      const post = await app
        .post('account/verify_credentials.json', {
          token,
          body: new URLSearchParams({ a: '1' }),
          retry,
        })
        .json()
      expect(post).toMatchObject({ form: [['a', '1']] })
      const get = await app
        .get('account/verify_credentials.json', { token, searchParams: { x: 'y' }, retry })
        .json()
      expect(get).toMatchObject({ query: [['x', 'y']] })
      expect(sent).toHaveLength(4)
      const seen = provider.requests.slice(before)
      expect(seen.map((r) => [r.method, r.location, r.problem])).toEqual([
        ['POST', signaturePlacement, undefined],
        ['GET', signaturePlacement === 'body' ? 'query' : signaturePlacement, undefined],
      ])
    }
  })

  it('runs the protectedRequest hooks after signing', async () => {
    const issued = provider.issueAccessToken(HMAC_CONSUMER.key)
    const seen: Request[] = []
    const app = makeApp({ hooks: { protectedRequest: (request) => void seen.push(request) } })
    await app
      .get('account/verify_credentials.json', {
        token: { oauth_token: issued.token, oauth_token_secret: issued.secret },
      })
      .json()
    expect(seen).toHaveLength(1)
    expect(seen[0]!.headers.get('authorization')).toMatch(/^OAuth .*oauth_signature="/)
  })
})

describe('OAuth1App: refusals become typed errors', () => {
  it('a bad signature (wrong client secret) at the request token endpoint is token_error with the provider text', async () => {
    const app = makeApp({ clientSecret: 'not-the-secret' })
    const err = await expectCode(
      app.authorizeRedirect({ cookies: new MemoryCookieJar() }, CALLBACK),
      ErrorCode.TOKEN_ERROR,
    )
    expect(err).toMatchObject({
      app: 'tw',
      status: 401,
      error: 'signature_invalid',
      errorDescription: 'Could not authenticate you.',
    })
    expect(err.message).toBe(
      'tw: the request token endpoint refused the request with HTTP 401: signature_invalid: Could not authenticate you.',
    )
    expect(err.message).not.toContain('not-the-secret')
  })

  it('a reused nonce (the same signed request sent twice) is token_error nonce_used', async () => {
    // A fetch that replays the first request token request, byte for byte, in place of any later one.
    let recorded: Request | undefined
    const replaying: typeof fetch = async (input, init) => {
      const request = new Request(input, init)
      if (new URL(request.url).pathname === '/oauth/request_token') {
        if (recorded) return fetch(recorded.clone())
        recorded = request.clone()
      }
      return fetch(request)
    }
    const app = makeApp({ fetch: replaying })
    await start(app)
    const err = await expectCode(
      app.authorizeRedirect({ cookies: new MemoryCookieJar() }, CALLBACK),
      ErrorCode.TOKEN_ERROR,
    )
    expect(err).toMatchObject({
      status: 401,
      error: 'nonce_used',
      errorDescription: 'Nonce already used.',
    })
    expect(last('/oauth/request_token').problem).toBe('nonce_used')
  })

  it('a reused nonce at the API is refused by the provider, and the client reports it (ky HTTPError, as for OAuth 2)', async () => {
    const issued = provider.issueAccessToken(HMAC_CONSUMER.key)
    const signed = await signRequest(
      {
        clientId: HMAC_CONSUMER.key,
        clientSecret: HMAC_CONSUMER.secret,
        token: issued.token,
        tokenSecret: issued.secret,
      },
      {
        method: 'GET',
        url: `${provider.url}/1.1/account/verify_credentials.json`,
        nonce: 'fixed-nonce-for-replay',
      },
    )
    expect((await fetch(signed.url, { headers: signed.headers })).status).toBe(200)
    // The app sends the very same signed request again (its fetch replays it).
    const app = makeApp({ fetch: () => fetch(signed.url, { headers: signed.headers }) })
    const err = await app
      .get('account/verify_credentials.json', {
        token: { oauth_token: issued.token, oauth_token_secret: issued.secret },
      })
      .json()
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HTTPError)
    expect((err as HTTPError).response.status).toBe(401)
    expect(await (err as HTTPError).response.json()).toEqual({
      errors: [{ code: 218, message: 'Nonce already used.' }],
    })
  })

  it('a stale timestamp is token_error timestamp_refused at the token endpoints, and a 401 at the API', async () => {
    const app = makeApp()
    skew = 3600
    const err = await expectCode(
      app.authorizeRedirect({ cookies: new MemoryCookieJar() }, CALLBACK),
      ErrorCode.TOKEN_ERROR,
    )
    expect(err).toMatchObject({
      status: 401,
      error: 'timestamp_refused',
      errorDescription: 'Timestamp out of bounds.',
    })
    skew = 0
    const { token } = await login(app)
    skew = -3600
    const api = await app
      .get('account/verify_credentials.json', { token })
      .json()
      .catch((e: unknown) => e)
    expect(api).toBeInstanceOf(HTTPError)
    expect(await (api as HTTPError).response.json()).toEqual({
      errors: [{ code: 135, message: 'Timestamp out of bounds.' }],
    })
  })

  it('a wrong verifier is token_error verifier_invalid, and the login cannot be retried', async () => {
    const app = makeApp()
    const cookies = new MemoryCookieJar()
    const { oauthToken } = await start(app, cookies)
    const callback = new URL(provider.approve(oauthToken))
    const good = callback.href
    callback.searchParams.set('oauth_verifier', 'wrong-verifier')
    const err = await expectCode(
      app.authorizeAccessToken({ cookies, request: new Request(callback) }),
      ErrorCode.TOKEN_ERROR,
    )
    expect(err).toMatchObject({
      status: 401,
      error: 'verifier_invalid',
      errorDescription: 'Invalid oauth_verifier parameter.',
    })
    expect(err.message).toBe(
      'tw: the access token endpoint refused the request with HTTP 401: verifier_invalid: Invalid oauth_verifier parameter.',
    )
    await expectCode(
      app.authorizeAccessToken({ cookies, request: new Request(good) }),
      ErrorCode.TRANSACTION_NOT_FOUND,
    )
  })

  it('no oauth_callback_confirmed=true (OAuth 1.0, not 1.0a) is oauth1_error, and nothing is stored', async () => {
    const legacy = await startOAuth1Provider({
      consumers: [HMAC_CONSUMER],
      callbackConfirmed: false,
    })
    try {
      const app = makeApp({ requestTokenUrl: `${legacy.url}/oauth/request_token` })
      const cookies = new MemoryCookieJar()
      const err = await expectCode(
        app.authorizeRedirect({ cookies }, CALLBACK),
        ErrorCode.OAUTH1_ERROR,
      )
      expect(err.message).toMatch(/oauth_callback_confirmed=true/)
      expect(cookies.setCookieHeaders()).toEqual([])
      await expectCode(app.createAuthorizationUrl(CALLBACK), ErrorCode.OAUTH1_ERROR)
    } finally {
      await legacy.close()
    }
  })

  it.each([
    ['True', true],
    ['TRUE', true],
    ['yes', false],
    ['', false],
  ])(
    'oauth_callback_confirmed=%s is compared without case (Authlib sends True): accepted %s',
    async (value, accepted) => {
      // The provider's `oauth_callback_confirmed=true` rewritten as another implementation writes it.
      const rewrite = async (res: Response) => {
        const form = new URLSearchParams(await res.text())
        form.set('oauth_callback_confirmed', value)
        return new Response(form.toString(), { status: res.status, headers: res.headers })
      }
      const app = makeApp({ hooks: { requestTokenResponse: rewrite } })
      if (accepted) {
        const { token } = await login(app)
        expect(token).toMatchObject(USER)
      } else {
        await expectCode(app.createAuthorizationUrl(CALLBACK), ErrorCode.OAUTH1_ERROR)
      }
    },
  )

  it('denied is access_denied, and the transaction of that login is deleted', async () => {
    const app = makeApp()
    const cookies = new MemoryCookieJar()
    const { oauthToken } = await start(app, cookies)
    expect(cookies.getAll()).toHaveLength(1)
    const callback = provider.approve(oauthToken, { deny: true })
    expect(new URL(callback).searchParams.get('denied')).toBe(oauthToken)
    const err = await expectCode(
      app.authorizeAccessToken({ cookies, request: new Request(callback) }),
      ErrorCode.ACCESS_DENIED,
    )
    expect(err.message).not.toContain(oauthToken)
    expect(cookies.getAll()).toEqual([])
    // Also without the cookie (another browser): still access_denied.
    await expectCode(
      app.authorizeAccessToken({ cookies: new MemoryCookieJar(), request: new Request(callback) }),
      ErrorCode.ACCESS_DENIED,
    )
  })

  it('a callback without oauth_token is state_missing; an unknown one transaction_not_found', async () => {
    const app = makeApp()
    const cookies = new MemoryCookieJar()
    await start(app, cookies)
    await expectCode(
      app.authorizeAccessToken({ cookies, request: new Request(`${CALLBACK}?oauth_verifier=v`) }),
      ErrorCode.STATE_MISSING,
    )
    await expectCode(
      app.authorizeAccessToken({
        cookies,
        request: new Request(`${CALLBACK}?oauth_token=unknown&oauth_verifier=v`),
      }),
      ErrorCode.TRANSACTION_NOT_FOUND,
    )
    await expectCode(app.authorizeAccessToken({ cookies }), ErrorCode.INVALID_REQUEST)
  })

  it('a replayed callback is transaction_not_found, with or without the old cookie', async () => {
    const app = makeApp()
    const cookies = new MemoryCookieJar()
    const { oauthToken } = await start(app, cookies)
    const saved = cookies.getAll()
    const callback = provider.approve(oauthToken)
    await app.authorizeAccessToken({ cookies, request: new Request(callback) })
    expect(cookies.getAll()).toEqual([])
    await expectCode(
      app.authorizeAccessToken({ cookies, request: new Request(callback) }),
      ErrorCode.TRANSACTION_NOT_FOUND,
    )
    // The browser (or an attacker) sends the consumed cookie again.
    const replayed = new Request(callback, {
      headers: { cookie: saved.map((c) => `${c.name}=${c.value}`).join('; ') },
    })
    await expectCode(
      app.authorizeAccessToken({
        cookies: MemoryCookieJar.fromRequest(replayed),
        request: replayed,
      }),
      ErrorCode.TRANSACTION_NOT_FOUND,
    )
  })

  it('a callback routed to another OAuth 1 app is app_mismatch', async () => {
    const oauth = new OAuth({ secret: SECRET })
      .register('tw', endpoints())
      .register('other', endpoints())
    const cookies = new MemoryCookieJar()
    const { oauthToken } = await start(oauth.create('tw'), cookies)
    const err = await expectCode(
      oauth
        .create('other')
        .authorizeAccessToken({ cookies, request: new Request(provider.approve(oauthToken)) }),
      ErrorCode.APP_MISMATCH,
    )
    expect(err.message).toMatch(/login started with app "tw"/)
  })

  it('a callback without oauth_verifier is invalid_authorization_response', async () => {
    const app = makeApp()
    const cookies = new MemoryCookieJar()
    const { oauthToken } = await start(app, cookies)
    await expectCode(
      app.authorizeAccessToken({
        cookies,
        request: new Request(`${CALLBACK}?oauth_token=${oauthToken}`),
      }),
      ErrorCode.INVALID_AUTHORIZATION_RESPONSE,
    )
  })

  it('no secret, token, verifier or temporary credential appears in any error', async () => {
    const errors: unknown[] = []
    const keep = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (e: unknown) => void errors.push(e),
      )
    const app = makeApp()
    const known: string[] = [HMAC_CONSUMER.secret, 'not-the-secret']
    // Bad client secret.
    await keep(
      makeApp({ clientSecret: 'not-the-secret' }).authorizeRedirect(
        { cookies: new MemoryCookieJar() },
        CALLBACK,
      ),
    )
    // A transaction whose temporary secret we know.
    const { url, transaction } = await app.createAuthorizationUrl(CALLBACK)
    known.push(transaction.key, transaction.tokenSecret!)
    expect(url.searchParams.get('oauth_token')).toBe(transaction.key)
    // Wrong verifier, denied, unknown token, replayed callback, missing token.
    const cookies = new MemoryCookieJar()
    const { oauthToken } = await start(app, cookies)
    known.push(oauthToken)
    const callback = new URL(provider.approve(oauthToken))
    known.push(callback.searchParams.get('oauth_verifier')!)
    callback.searchParams.set('oauth_verifier', 'wrong-verifier-value')
    known.push('wrong-verifier-value')
    await keep(app.authorizeAccessToken({ cookies, request: new Request(callback) }))
    await keep(app.authorizeAccessToken({ cookies, request: new Request(callback) }))
    const second = await start(app, cookies)
    known.push(second.oauthToken)
    await keep(
      app.authorizeAccessToken({
        cookies,
        request: new Request(provider.approve(second.oauthToken, { deny: true })),
      }),
    )
    const { token } = await login(app)
    known.push(token.oauth_token, token.oauth_token_secret)
    skew = 3600
    await keep(app.get('account/verify_credentials.json', { token }).json())
    await keep(app.authorizeRedirect({ cookies: new MemoryCookieJar() }, CALLBACK))
    skew = 0
    await keep(
      app
        .get('account/verify_credentials.json', {
          token: { oauth_token: token.oauth_token, oauth_token_secret: 'wrong-token-secret' },
        })
        .json(),
    )
    known.push('wrong-token-secret')
    expect(errors.length).toBeGreaterThanOrEqual(7)
    expect(errors.filter((e) => e instanceof HTTPError)).toHaveLength(2)
    for (const err of errors) {
      // API errors are ky's HTTPError, as for OAuth 2: its message is checked; its options hold the request's ky context.
      const text = isOAuthKitError(err)
        ? `${String(err)} ${JSON.stringify(err)} ${err.error} ${err.errorDescription} ${String(err.cause)}`
        : String(err)
      for (const secret of known) expect(text).not.toContain(secret)
    }
  })
})

describe('OAuth1App: configuration', () => {
  const bad: Array<[string, Record<string, unknown>, RegExp]> = [
    ['a missing clientId', { clientId: '' }, /"bad": clientId is required/],
    [
      'a missing client secret for HMAC-SHA1',
      { clientSecret: undefined },
      /"bad": clientSecret is required for HMAC-SHA1/,
    ],
    [
      'RSA-SHA1 without rsaKey',
      { signatureMethod: 'RSA-SHA1', clientSecret: undefined },
      /"bad": rsaKey is required for RSA-SHA1/,
    ],
    [
      'a PKCS#1 rsaKey',
      {
        signatureMethod: 'RSA-SHA1',
        rsaKey: '-----BEGIN RSA PRIVATE KEY-----\nAA\n-----END RSA PRIVATE KEY-----',
      },
      /"bad": rsaKey is a PKCS#1 key/,
    ],
    [
      'a missing accessTokenUrl',
      { accessTokenUrl: undefined },
      /"bad": accessTokenUrl is required/,
    ],
    ['a missing authorizeUrl', { authorizeUrl: undefined }, /"bad": authorizeUrl is required/],
    [
      'a malformed URL',
      { accessTokenUrl: 'nope' },
      /"bad": accessTokenUrl is not a valid absolute URL/,
    ],
    [
      'http on a public host',
      { requestTokenUrl: 'http://api.test/oauth/request_token' },
      /"bad": requestTokenUrl uses http: on a non-loopback host/,
    ],
    [
      'PLAINTEXT over http, even when insecure requests are allowed',
      {
        signatureMethod: 'PLAINTEXT',
        authorizeUrl: 'http://api.test/a',
        allowInsecureRequests: true,
      },
      /"bad": authorizeUrl uses http: with PLAINTEXT/,
    ],
    [
      'an unknown signature method',
      { signatureMethod: 'HMAC-MD5' },
      /"bad": signatureMethod must be one of/,
    ],
    [
      'an unknown placement',
      { signaturePlacement: 'cookie' },
      /"bad": signaturePlacement must be one of/,
    ],
    [
      'an oauth_ request token parameter',
      { requestTokenParams: { oauth_callback: 'x' } },
      /"bad": requestTokenParams.oauth_callback is set by oauthkit/,
    ],
    ['an OAuth 2 option', { scope: 'read' }, /"bad": scope is an OAuth 2 option/],
    [
      'clientSecretBasicEncoding (OAuth 2 client authentication)',
      { clientSecretBasicEncoding: 'raw' },
      /"bad": clientSecretBasicEncoding is an OAuth 2 option/,
    ],
    [
      'clientAssertionAudience (OAuth 2 client authentication)',
      { clientAssertionAudience: 'token_endpoint' },
      /"bad": clientAssertionAudience is an OAuth 2 option/,
    ],
  ]
  for (const [what, config, message] of bad) {
    it(`fails at register on ${what}, naming the app and the field`, () => {
      let err: unknown
      try {
        new OAuth({ secret: SECRET }).register('bad', {
          ...endpoints(),
          ...config,
        } as unknown as OAuth1AppConfig)
      } catch (e) {
        err = e
      }
      expect(isOAuthKitError(err, ErrorCode.CONFIG_INVALID), String(err)).toBe(true)
      expect((err as OAuthKitError).message).toMatch(message)
    })
  }

  it('accepts http on loopback, elsewhere with allowInsecureRequests, and RSA-SHA1 with a key and no secret', () => {
    const oauth = new OAuth({ secret: SECRET })
    expect(() => oauth.register('a', endpoints())).not.toThrow()
    expect(() =>
      oauth.register('b', {
        ...endpoints(),
        authorizeUrl: 'http://api.lan/authorize',
        allowInsecureRequests: true,
      }),
    ).not.toThrow()
    expect(() =>
      oauth.register('c', {
        ...endpoints(),
        clientSecret: undefined,
        signatureMethod: 'RSA-SHA1' as const,
        rsaKey: RSA_PRIVATE_PEM,
      }),
    ).not.toThrow()
  })

  it('is typed: create returns an OAuth1App for a config with requestTokenUrl, an OAuth2App otherwise', () => {
    const oauth = new OAuth({ secret: SECRET }).register('tw', endpoints()).register('gh', {
      clientId: 'id',
      authorizeUrl: 'https://gh.test/authorize',
      accessTokenUrl: 'https://gh.test/token',
    })
    const tw = oauth.create('tw')
    const gh = oauth.create('gh')
    expectTypeOf(tw).toEqualTypeOf<OAuth1App>()
    expectTypeOf(gh).toEqualTypeOf<OAuth2App>()
    expectTypeOf(tw.authorizeAccessToken).returns.resolves.toEqualTypeOf<OAuth1Token>()
    expect(tw).toBeInstanceOf(OAuth1App)
    expect(gh).toBeInstanceOf(OAuth2App)
    expect(tw.kind).toBe('oauth1')
    // @ts-expect-error userinfo is OAuth 2 only
    expect(tw.userinfo).toBeUndefined()
    // @ts-expect-error refreshToken is OAuth 2 only: OAuth 1 tokens do not expire
    expect(tw.refreshToken).toBeUndefined()
    expect(typeof gh.userinfo).toBe('function')
  })

  it('types the token callbacks of an inline OAuth 1 config as OAuth 1 tokens', () => {
    const oauth = new OAuth({ secret: SECRET }).register('inline', {
      requestTokenUrl: 'https://api.test/oauth/request_token',
      accessTokenUrl: 'https://api.test/oauth/access_token',
      authorizeUrl: 'https://api.test/oauth/authorize',
      clientId: 'id',
      clientSecret: 'secret',
      signatureMethod: 'HMAC-SHA256',
      updateToken: (_name, token) => {
        expectTypeOf(token).toEqualTypeOf<OAuth1Token>()
      },
      fetchToken: () => ({ oauth_token: 't', oauth_token_secret: 's' }),
    })
    expectTypeOf(oauth.create('inline')).toEqualTypeOf<OAuth1App>()
    expectTypeOf(oauth.create('inline').get)
      .parameter(1)
      .toEqualTypeOf<ApiRequestOptions<OAuth1Token> | undefined>()
  })
})
