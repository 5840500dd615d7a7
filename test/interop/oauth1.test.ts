/**
 * The OAuth 1.0a interop matrix: oauthkit's three-legged login (temporary credentials → the
 * provider's authorization → token credentials), then a signed GET with a query and a signed POST with
 * a form body, for each signature method and placement, against provider implementations other than
 * our own test provider, each started on 127.0.0.1 by this file. docs/interop.md is the table.
 */
import { generateKeyPairSync } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ErrorCode,
  OAuth,
  type OAuth1App,
  type OAuth1AppConfig,
  type SignatureMethod,
  type SignaturePlacement,
} from '../../src/index.js'
import { SECRET, expectCode } from '../support/helpers.js'
import { loginOAuth1, runPython, startPythonServer, type RunningServer } from './support.js'

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
const RSA_PRIVATE_PEM = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
const RSA_PUBLIC_PEM = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString()
/** A consumer key and secret with characters RFC 5849 §3.6 must percent-encode. */
const HMAC_CLIENT = { client_id: 'hmac-consumer_1', client_secret: 'c0ns+umer/sec=ret:%' }
const RSA_CLIENT = {
  client_id: 'rsa-consumer_2',
  client_secret: '',
  rsa_public_key: RSA_PUBLIC_PEM,
}
/** A consumer secret of unreserved characters only, which percent-encoding leaves as it is. */
const PLAIN_CLIENT = { client_id: 'plain-consumer_3', client_secret: 'PlainSecret-1.0_~' }
const QUERY = { q: 'a b&c=d/e', 'x y': '~!*', n: '1' }
const FORM = { text: 'hello wörld+1', tag: 'x/y', empty: '' }

const sorted = (params: Record<string, string>) =>
  Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))

interface Paths {
  requestToken: string
  authorize: string
  accessToken: string
}

function appFor(
  base: string,
  signatureMethod: SignatureMethod,
  signaturePlacement: SignaturePlacement,
  paths: Paths,
  onSigned?: (request: Request) => void,
  secretClient: { client_id: string; client_secret: string } = HMAC_CLIENT,
): OAuth1App {
  const credentials: Partial<OAuth1AppConfig> =
    signatureMethod === 'RSA-SHA1'
      ? { clientId: RSA_CLIENT.client_id, rsaKey: RSA_PRIVATE_PEM }
      : { clientId: secretClient.client_id, clientSecret: secretClient.client_secret }
  return new OAuth({ secret: SECRET })
    .register('p', {
      requestTokenUrl: `${base}${paths.requestToken}`,
      authorizeUrl: `${base}${paths.authorize}`,
      accessTokenUrl: `${base}${paths.accessToken}`,
      apiBaseUrl: base,
      signatureMethod,
      signaturePlacement,
      ...credentials,
      ...(onSigned ? { hooks: { protectedRequest: onSigned } } : {}),
    } as OAuth1AppConfig)
    .create('p')
}

const METHODS: SignatureMethod[] = ['HMAC-SHA1', 'PLAINTEXT', 'RSA-SHA1']

describe('Authlib flask_oauth1 AuthorizationServer + ResourceProtector (Debian python3-authlib 1.2.0)', () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startPythonServer('authlib_oauth1.py', [
      JSON.stringify([HMAC_CLIENT, RSA_CLIENT]),
    ])
  })
  afterAll(() => server?.close())
  const paths = {
    requestToken: '/request_token',
    authorize: '/authorize',
    accessToken: '/access_token',
  }

  it.each(METHODS)(
    '%s in the header: logs in (oauth_callback_confirmed=True), signed GET with a query and POST with a form body',
    async (method) => {
      const app = appFor(server.url, method, 'header', paths)
      const token = await loginOAuth1(app)
      expect(token).toEqual({
        oauth_token: expect.any(String),
        oauth_token_secret: expect.any(String),
      })
      expect(await app.get('api/me', { token, searchParams: QUERY }).json()).toEqual({
        user: 'alice',
        query: sorted(QUERY),
      })
      expect(await app.post('api/echo', { token, body: new URLSearchParams(FORM) }).json()).toEqual(
        { user: 'alice', form: sorted(FORM) },
      )
    },
  )

  it.each(METHODS)('%s in the body: logs in, signed POST with a form body', async (method) => {
    const app = appFor(server.url, method, 'body', paths)
    const token = await loginOAuth1(app)
    expect(await app.post('api/echo', { token, body: new URLSearchParams(FORM) }).json()).toEqual({
      user: 'alice',
      form: sorted(FORM),
    })
  })

  // Authlib's Flask ResourceProtector checks the signature against werkzeug's `request.url`, in which
  // `%2B` has become `+` (so a space): a query holding a `+` (a value, or a base64 signature) fails.
  it.each(
    METHODS.flatMap((m) =>
      (['query', 'body'] as const).map((p): [SignatureMethod, SignaturePlacement] => [m, p]),
    ),
  )(
    '%s in the %s: logs in; their bug: a GET signed in the query is refused (RSA-SHA1: 401 or HTTP 500) exactly when the signature holds a "+"',
    async (method, placement) => {
      const signatures: string[] = []
      const app = appFor(
        server.url,
        method,
        placement,
        paths,
        (request) =>
          void signatures.push(new URL(request.url).searchParams.get('oauth_signature') ?? ''),
      )
      const token = await loginOAuth1(app)
      for (let call = 0; call < 6; call++) {
        const response = await app.get('api/me', {
          token,
          searchParams: QUERY,
          throwHttpErrors: false,
        })
        const signature = signatures.at(-1)!
        expect(signature, 'GET is signed in the query').not.toBe('')
        if (!signature.includes('+')) expect(response.status).toBe(200)
        // A mangled RSA-SHA1 signature may no longer be base64: the server then fails (500) instead of refusing (401).
        else expect(method === 'RSA-SHA1' ? [401, 500] : [401]).toContain(response.status)
      }
    },
  )

  it('their bug: a "+" in a query value is refused (401), a non-ASCII query fails (500), however the request is signed', async () => {
    const app = appFor(server.url, 'HMAC-SHA1', 'header', paths)
    const token = await loginOAuth1(app)
    expect(
      (await app.get('api/me', { token, searchParams: { q: '1+1' }, throwHttpErrors: false }))
        .status,
    ).toBe(401)
    expect(
      (await app.get('api/me', { token, searchParams: { q: 'é' }, throwHttpErrors: false })).status,
    ).toBe(500)
  })

  it("their bug, proved with Authlib's own client (authlib.oauth1.ClientAuth) against the same server", async () => {
    const own = await runPython<{
      callback_confirmed: string
      plain_query_in_header: number
      plus_in_query_value: number
      non_ascii_query: number
      query_signed: Array<[boolean, number]>
    }>('authlib_oauth1_own_client.py', [
      server.url,
      HMAC_CLIENT.client_id,
      HMAC_CLIENT.client_secret,
    ])
    expect(own.callback_confirmed).toBe('True')
    expect(own.plain_query_in_header).toBe(200)
    expect(own.plus_in_query_value).toBe(401)
    expect(own.non_ascii_query).toBe(500)
    // Authlib's client signing in the query is refused every time, with or without a "+".
    expect(own.query_signed).toHaveLength(24)
    expect(own.query_signed.map(([, status]) => status)).toEqual(Array(24).fill(401))
  })
})

describe("oauthlib's WebApplicationServer with our RequestValidator (Debian python3-oauthlib 3.2.2, Flask)", () => {
  let server: RunningServer
  beforeAll(async () => {
    server = await startPythonServer('oauthlib_oauth1.py', [
      JSON.stringify([HMAC_CLIENT, RSA_CLIENT, PLAIN_CLIENT]),
    ])
  })
  afterAll(() => server?.close())
  const paths = {
    requestToken: '/request_token',
    authorize: '/authorize',
    accessToken: '/access_token',
  }
  // What Authlib's ResourceProtector mangles: a "+" in a value and non-ASCII text.
  const HARD_QUERY = { ...QUERY, plus: '1+1', accent: 'é€' }

  const combinations = METHODS.flatMap((m) =>
    (['header', 'body', 'query'] as const).map((p): [SignatureMethod, SignaturePlacement] => [
      m,
      p,
    ]),
  )
  const plaintextOutsideHeader = (m: SignatureMethod, p: SignaturePlacement) =>
    m === 'PLAINTEXT' && p !== 'header'

  it.each(combinations.filter(([m, p]) => !plaintextOutsideHeader(m, p)))(
    '%s in the %s: logs in, signed GETs with a query (+ and non-ASCII values, signatures with and without "+") and a POST with a form body',
    async (method, placement) => {
      const app = appFor(server.url, method, placement, paths)
      const token = await loginOAuth1(app)
      // oauthlib adds the realms granted (none here) to the token credentials.
      expect(token).toEqual({
        oauth_token: expect.any(String),
        oauth_token_secret: expect.any(String),
        oauth_authorized_realms: '',
      })
      for (let call = 0; call < 4; call++) {
        expect(await app.get('api/me', { token, searchParams: HARD_QUERY }).json()).toEqual({
          user: 'alice',
          query: sorted(HARD_QUERY),
        })
      }
      expect(await app.post('api/echo', { token, body: new URLSearchParams(FORM) }).json()).toEqual(
        { user: 'alice', form: sorted(FORM) },
      )
    },
  )

  // oauthlib form-decodes the body and the query, then percent-decodes every oauth_ value once more
  // (signature.collect_parameters): the encoded secret inside a PLAINTEXT signature no longer matches.
  it.each(combinations.filter(([m, p]) => plaintextOutsideHeader(m, p)))(
    '%s in the %s: logs in and calls the API with a secret of unreserved characters; their bug: a secret with + / = : % is refused (401) at once',
    async (method, placement) => {
      const plain = appFor(server.url, method, placement, paths, undefined, PLAIN_CLIENT)
      const token = await loginOAuth1(plain)
      expect(await plain.get('api/me', { token, searchParams: HARD_QUERY }).json()).toEqual({
        user: 'alice',
        query: sorted(HARD_QUERY),
      })
      expect(
        await plain.post('api/echo', { token, body: new URLSearchParams(FORM) }).json(),
      ).toEqual({ user: 'alice', form: sorted(FORM) })

      const escaped = appFor(server.url, method, placement, paths)
      const err = await expectCode(loginOAuth1(escaped), ErrorCode.TOKEN_ERROR)
      expect(err.status).toBe(401)
      expect(err.message).not.toContain(HMAC_CLIENT.client_secret)
    },
  )

  it("their bug, proved with oauthlib's own client (oauthlib.oauth1.Client) and urllib against the same server", async () => {
    const statuses = await runPython<Record<string, Record<SignaturePlacement, number>>>(
      'oauthlib_oauth1_own_client.py',
      [server.url, HMAC_CLIENT.client_id, HMAC_CLIENT.client_secret],
    )
    expect(statuses).toEqual({
      PLAINTEXT: { header: 200, body: 401, query: 401 },
      'HMAC-SHA1': { header: 200, body: 200, query: 200 },
    })
  })

  it("oauthlib's default nonce rule (20 to 30 letters and digits) accepts oauthkit's nonce; a 32-character one, as oauthkit sent before, is refused", async () => {
    // Every oauthlib server here runs with its default nonce_length; this pins the limit the nonce must fit.
    const app = appFor(server.url, 'HMAC-SHA1', 'header', paths)
    await expect(loginOAuth1(app)).resolves.toHaveProperty('oauth_token')
    const refused = await runPython<{ status: number; body: string }>(
      'oauthlib_oauth1_own_client.py',
      [
        server.url,
        HMAC_CLIENT.client_id,
        HMAC_CLIENT.client_secret,
        '--nonce=' + '0123456789abcdef'.repeat(2),
      ],
    )
    expect(refused).toEqual({
      status: 400,
      body: 'error=invalid_request&error_description=Invalid+nonce+format.',
    })
  })
})
