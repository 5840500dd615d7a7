/**
 * Credentials never reachable from what oauthkit throws or prints: ky's `HTTPError` and
 * `TimeoutError` of a failed API call (their `request`, `response`, `response.url`, `options`,
 * message), OAuth 1 signatures in every placement (PLAINTEXT's signature is the secrets themselves),
 * refresh and token endpoint failures, and `util.inspect` / `JSON.stringify` of the registry, apps,
 * bound apps and `app.config`. The check is test/support/secrets.ts's `expectNoCredentials`.
 */
import { randomUUID } from 'node:crypto'
import { inspect } from 'node:util'
import { HTTPError, TimeoutError } from 'ky'
import { delay, http, HttpResponse } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ErrorCode,
  MemoryCookieJar,
  OAuth,
  type OAuth1AppConfig,
  type OAuth2AppConfig,
  type OAuth2Token,
  type SignatureMethod,
  type SignaturePlacement,
} from '../../src/index.js'
import { SECRET, useMsw } from '../support/helpers.js'
import { hostileRig } from '../support/hostile-idp.js'
import { startOAuth1Provider, type OAuth1Provider } from '../support/oauth1-provider.js'
import {
  credentialsInPlay,
  expectNoCredentials,
  findCredentials,
  registerCredential,
} from '../support/secrets.js'

const server = useMsw()
const API = 'https://api.creds.test/v1'
const CLIENT_SECRET = `creds-client-secret-${randomUUID()}`
const ACCESS_TOKEN = `at-creds-${randomUUID()}`
const REFRESH_TOKEN = `rt-creds-${randomUUID()}`
const PRIVATE_D = `private-key-d-${randomUUID()}`
registerCredential(CLIENT_SECRET, ACCESS_TOKEN, REFRESH_TOKEN, PRIVATE_D)

const token = (): OAuth2Token => ({
  access_token: ACCESS_TOKEN,
  token_type: 'Bearer',
  refresh_token: REFRESH_TOKEN,
  expires_at: Math.floor(Date.now() / 1000) + 3600,
})

function oauth2(extra: Partial<OAuth2AppConfig> = {}) {
  return new OAuth({ secret: SECRET }).register('api', {
    clientId: 'creds-client',
    clientSecret: CLIENT_SECRET,
    authorizeUrl: 'https://idp.creds.test/authorize',
    accessTokenUrl: 'https://idp.creds.test/token',
    apiBaseUrl: API,
    ...extra,
  })
}

/** An API that refuses every call with `status`, recording what it was sent. */
function refusingApi(status: number) {
  const seen: Request[] = []
  server.use(
    http.all(
      `${API}/*`,
      ({ request }) => (seen.push(request), HttpResponse.json({ message: 'no' }, { status })),
    ),
  )
  return seen
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected a rejection')
    },
    (error: unknown) => error,
  )
}

describe('the credentials in play', () => {
  it('are every token, code and secret that crosses an emulated provider, so the checks cover emulations too', async () => {
    const issued = { access_token: `at-${randomUUID()}`, refresh_token: `rt-${randomUUID()}` }
    server.use(
      http.post('https://emulated.creds.test/token', () =>
        HttpResponse.json({ ...issued, token_type: 'Bearer', code: 'not_a_credential_code' }),
      ),
    )
    const code = `code-${randomUUID()}`
    await fetch('https://emulated.creds.test/token', {
      method: 'POST',
      body: new URLSearchParams({ code }),
      headers: { authorization: `Bearer sent-${code}` },
    })
    await new Promise((resolve) => setTimeout(resolve, 50)) // msw's lifecycle events run after the response
    for (const value of [issued.access_token, issued.refresh_token, code, `sent-${code}`])
      expect(credentialsInPlay().has(value), value).toBe(true)
    // An API's error `code` in a response is not an authorization code.
    expect(credentialsInPlay().has('not_a_credential_code')).toBe(false)
  })
})

describe('OAuth 2 API calls: ky errors carry no token', () => {
  it('bearer-http-error: a failed get or post throws an HTTPError whose request, response, options and message hold no token', async () => {
    const seen = refusingApi(403)
    const app = oauth2().create('api')
    for (const call of [
      () => app.get('me', { token: token() }),
      () => app.post('things', { token: token(), json: { a: 1 } }),
    ]) {
      const err = await rejection(call())
      expect(err).toBeInstanceOf(HTTPError)
      expect((err as HTTPError).response.status).toBe(403)
      expectNoCredentials(err)
      expect(inspect(err, { depth: 10 })).not.toContain(ACCESS_TOKEN) // what console.error(err) prints
    }
    // The token did go out, to the API.
    expect(seen.map((r) => r.headers.get('authorization'))).toEqual([
      `Bearer ${ACCESS_TOKEN}`,
      `Bearer ${ACCESS_TOKEN}`,
    ])
  })

  it('token-in-uri-http-error: with tokenPlacement uri the token is in the URL sent, not in err.message, err.request.url or err.response.url', async () => {
    const seen = refusingApi(404)
    const err = await rejection(
      oauth2({ tokenPlacement: 'uri' }).create('api').get('me?x=1', { token: token() }),
    )
    expect(err).toBeInstanceOf(HTTPError)
    const { request, response, message } = err as HTTPError
    expect(message).not.toContain(ACCESS_TOKEN)
    expect(request.url).toBe(`${API}/me?x=1`)
    expect(response.url).toBe(`${API}/me?x=1`)
    expectNoCredentials(err)
    expect(new URL(seen[0]!.url).searchParams.get('access_token')).toBe(ACCESS_TOKEN)
  })

  it('ky-timeout-error: a call that times out throws a TimeoutError whose request holds no token', async () => {
    server.use(http.get(`${API}/slow`, async () => (await delay(2_000), HttpResponse.json({}))))
    const err = await rejection(
      oauth2().create('api').get('slow', { token: token(), timeout: 100, retry: 0 }),
    )
    expect(err).toBeInstanceOf(TimeoutError)
    expectNoCredentials(err)
  })

  it('retried-401-error: the 401 left after the one refresh and retry names neither the old nor the new token', async () => {
    const fresh = `at-creds-new-${randomUUID()}`
    const rotated = `rt-creds-new-${randomUUID()}`
    registerCredential(fresh, rotated)
    server.use(
      http.all(
        `${API}/*`,
        () =>
          new HttpResponse(null, {
            status: 401,
            headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
          }),
      ),
      http.post('https://idp.creds.test/token', () =>
        HttpResponse.json({
          access_token: fresh,
          token_type: 'Bearer',
          expires_in: 3600,
          refresh_token: rotated,
        }),
      ),
    )
    const err = await rejection(oauth2().create('api').get('me', { token: token() }))
    expect((err as HTTPError).response.status).toBe(401)
    expectNoCredentials(err)
  })
})

describe('OAuth 2 token endpoint and refresh failures', () => {
  it('refresh-failure-error: a refused refresh is reauthentication_required with no token, secret or refresh token reachable', async () => {
    const r = await hostileRig(server, { config: { apiBaseUrl: API } })
    const login = await r.start()
    const signedIn = await r.signIn(login, r.idp.authorize(login.location))
    r.idp.overrides.token = async (request) =>
      new URLSearchParams(await request.text()).get('grant_type') === 'refresh_token'
        ? HttpResponse.json(
            { error: 'invalid_grant', error_description: 'revoked' },
            { status: 400 },
          )
        : undefined
    await r.expectRefused(
      () => r.app.get('me', { token: { ...signedIn, expires_at: 0 } }),
      ErrorCode.REAUTHENTICATION_REQUIRED,
      { calls: ['token'] },
    )
  })

  it('token-endpoint-error: a refused code exchange is token_error with no code, verifier or client secret reachable', async () => {
    const r = await hostileRig(server)
    const login = await r.start()
    const callback = r.idp.authorize(login.location)
    r.idp.overrides.token = () =>
      HttpResponse.json(
        { error: 'invalid_grant', error_description: 'the code was already used' },
        { status: 400 },
      )
    const err = await r.expectRefused(() => r.signIn(login, callback), ErrorCode.TOKEN_ERROR, {
      login,
      calls: ['token'],
    })
    expect(err.error).toBe('invalid_grant')
    // The exchange did send them, so the check above had something to look for.
    const sent = new URLSearchParams(r.idp.calls.at(-1)!.body)
    expect(sent.get('code')).toBe(callback.searchParams.get('code'))
    expect(sent.get('code_verifier')).toBeTruthy()
  })
})

describe('OAuth 1 signed API calls: no signature, token or secret in ky errors', () => {
  const consumer = { key: 'creds-consumer', secret: `creds-consumer-secret-${randomUUID()}` }
  let provider: OAuth1Provider
  beforeAll(async () => {
    provider = await startOAuth1Provider({ consumers: [consumer] })
  })
  afterAll(() => provider.close())

  const app = (signatureMethod: SignatureMethod, signaturePlacement: SignaturePlacement) =>
    new OAuth({ secret: SECRET })
      .register('tw', {
        requestTokenUrl: `${provider.url}/oauth/request_token`,
        accessTokenUrl: `${provider.url}/oauth/access_token`,
        authorizeUrl: `${provider.url}/oauth/authorize`,
        apiBaseUrl: `${provider.url}/1.1`,
        clientId: consumer.key,
        clientSecret: consumer.secret,
        signatureMethod,
        signaturePlacement,
      } satisfies OAuth1AppConfig)
      .create('tw')

  for (const method of ['HMAC-SHA1', 'PLAINTEXT'] as const) {
    for (const placement of ['header', 'query', 'body'] as const) {
      it(`oauth1-http-error: ${method} in the ${placement}: a refused GET and form POST throw HTTPErrors holding no credential`, async () => {
        const issued = provider.issueAccessToken(consumer.key)
        // A token secret the provider does not know: the signature is refused (and registered as in play).
        const wrong = {
          oauth_token: issued.token,
          oauth_token_secret: `wrong-secret-${randomUUID()}`,
        }
        registerCredential(wrong.oauth_token_secret)
        const a = app(method, placement)
        const calls = [
          () => a.get('account/verify_credentials.json?include_email=true', { token: wrong }),
          () =>
            a.post('account/verify_credentials.json', {
              token: wrong,
              body: new URLSearchParams({ status: 'hi' }),
            }),
          () =>
            a.get('missing.json', {
              token: { oauth_token: issued.token, oauth_token_secret: issued.secret },
            }), // a 404 the provider answers without checking
        ]
        for (const call of calls) {
          const err = await rejection(call())
          expect(err).toBeInstanceOf(HTTPError)
          expectNoCredentials(err)
        }
        const refused = provider.requests.slice(-2)
        expect(refused.map((r) => r.problem)).toEqual(['signature_invalid', 'signature_invalid'])
        expect(refused[0]!.location).toBe(placement === 'body' ? 'query' : placement)
      })
    }
  }
})

describe('apps, the registry and configs print without secrets', () => {
  it('inspect-apps: util.inspect and JSON.stringify of the registry, apps, bound apps and app.config show no secret', async () => {
    const rsaKey = (
      await crypto.subtle.generateKey(
        {
          name: 'RSASSA-PKCS1-v1_5',
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash: 'SHA-1',
        },
        true,
        ['sign', 'verify'],
      )
    ).privateKey
    const oauth = new OAuth({ secret: SECRET })
      .register('secret', {
        clientId: 'c1',
        clientSecret: CLIENT_SECRET,
        authorizeUrl: 'https://idp.creds.test/a',
        accessTokenUrl: 'https://idp.creds.test/t',
      })
      .register('pkjwt', {
        clientId: 'c2',
        privateKey: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: PRIVATE_D },
        authorizeUrl: 'https://idp.creds.test/a',
        accessTokenUrl: 'https://idp.creds.test/t',
      })
      .register('tw', {
        requestTokenUrl: 'https://api.x.test/oauth/request_token',
        accessTokenUrl: 'https://api.x.test/oauth/access_token',
        authorizeUrl: 'https://api.x.test/oauth/authorize',
        clientId: 'ck',
        clientSecret: CLIENT_SECRET,
      })
      .register('rsa', {
        requestTokenUrl: 'https://api.x.test/oauth/request_token',
        accessTokenUrl: 'https://api.x.test/oauth/access_token',
        authorizeUrl: 'https://api.x.test/oauth/authorize',
        clientId: 'ck',
        signatureMethod: 'RSA-SHA1',
        rsaKey,
      })
    const cookies = new MemoryCookieJar()
    cookies.set('session', ACCESS_TOKEN, { httpOnly: true })
    const bound = oauth.bind({
      cookies,
      request: new Request('https://app.test/', { headers: { cookie: `session=${ACCESS_TOKEN}` } }),
    })
    const printed: unknown[] = [oauth, bound]
    for (const name of oauth.names()) {
      const app = oauth.create(name)
      printed.push(app, app.config, bound.create(name))
    }
    for (const value of printed) {
      expect(inspect(value, { depth: 10, showHidden: true })).not.toContain(CLIENT_SECRET)
      expect(inspect(value, { depth: 10, showHidden: true })).not.toContain(PRIVATE_D)
      expect(inspect(value, { depth: 10, showHidden: true })).not.toContain(ACCESS_TOKEN)
      expect(JSON.stringify(value) ?? '').not.toMatch(
        new RegExp(`${CLIENT_SECRET}|${PRIVATE_D}|${ACCESS_TOKEN}`),
      )
      expect(findCredentials(inspect(value, { depth: 10, showHidden: true }))).toEqual([])
    }
    // The config still reads as registered, secrets included, for the app's own use.
    const app = oauth.create('secret')
    expect(app.config.clientId).toBe('c1')
    expect(app.config.clientSecret).toBe(CLIENT_SECRET)
    expect(inspect(app.config)).toContain("clientSecret: '[redacted]'")
    expect(JSON.parse(JSON.stringify(app.config))).toMatchObject({
      clientId: 'c1',
      clientSecret: '[redacted]',
    })
    expect(inspect(oauth)).toContain("'secret', 'pkjwt', 'tw', 'rsa'")
    expect(Object.keys(app.config)).toEqual([
      'clientId',
      'clientSecret',
      'authorizeUrl',
      'accessTokenUrl',
    ])
  })
})
