/**
 * Where credentials may go: an API call sends the token (or an OAuth 1 signature) only to the origin of
 * `apiBaseUrl`, of the provider's userinfo endpoint, or of the app's `trustedOrigins`, and never over
 * plain http beyond loopback. Anything else is refused (`untrusted_origin`) before the token is read or
 * anything is sent. A 401 from an origin that was not sent the token (after a redirect) refreshes nothing,
 * and a preset never follows a pagination link off the API.
 */
import { randomUUID } from 'node:crypto'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { HTTPError } from 'ky'
import { http, HttpResponse, passthrough } from 'msw'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  ErrorCode,
  OAuth,
  type OAuth1AppConfig,
  type OAuth2AppConfig,
  type OAuth2Token,
} from '../../src/index.js'
import { bitbucket } from '../../src/providers/index.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'
import { hostileRig } from '../support/hostile-idp.js'
import { registerCredential } from '../support/secrets.js'

const server = useMsw()
const API = 'https://api.origins.test/v1'
const ACCESS_TOKEN = `at-origins-${randomUUID()}`
const CLIENT_SECRET = `origins-client-secret-${randomUUID()}`
registerCredential(ACCESS_TOKEN, CLIENT_SECRET)

const token = (): OAuth2Token => ({
  access_token: ACCESS_TOKEN,
  token_type: 'Bearer',
  refresh_token: `rt-origins-${randomUUID()}`,
  expires_at: Math.floor(Date.now() / 1000) + 3600,
})

function oauth2(extra: Partial<OAuth2AppConfig> = {}, fetchToken?: () => OAuth2Token) {
  return new OAuth({ secret: SECRET, fetchToken }).register('api', {
    clientId: 'origins-client',
    clientSecret: CLIENT_SECRET,
    authorizeUrl: 'https://idp.origins.test/authorize',
    accessTokenUrl: 'https://idp.origins.test/token',
    apiBaseUrl: API,
    ...extra,
  })
}

/** Handlers answering on every origin a test names, recording the Authorization header of each call. */
function listen(...origins: string[]) {
  const seen: Array<{ url: string; authorization: string | null }> = []
  server.use(
    ...origins.map((origin) =>
      http.all(
        `${origin}/*`,
        ({ request }) => (
          seen.push({ url: request.url, authorization: request.headers.get('authorization') }),
          HttpResponse.json({ ok: true })
        ),
      ),
    ),
  )
  return seen
}

describe('credentials go only to the API and the provider', () => {
  it('foreign-origin: an absolute URL on another origin is refused before fetchToken runs or anything is sent, naming trustedOrigins', async () => {
    const seen = listen(
      'https://other.origins.test',
      'https://api.origins.test.evil.test',
      'https://api.origins.test:8443',
    )
    let reads = 0
    const app = oauth2({}, () => (reads++, token())).create('api')
    for (const url of [
      'https://other.origins.test/x',
      'https://api.origins.test.evil.test/v1/me',
      'https://api.origins.test:8443/v1/me',
      new URL('https://other.origins.test/y'),
    ]) {
      const err = await expectCode(app.get(url), ErrorCode.UNTRUSTED_ORIGIN)
      expect(err.message).toContain('trustedOrigins')
      expect(err.message).not.toContain('/x')
    }
    expect(seen).toEqual([])
    expect(reads).toBe(0)
    // The API's own origin, under any path, is fine.
    listen('https://api.origins.test')
    expect(await app.get('https://api.origins.test/v2/other').json()).toEqual({ ok: true })
  })

  it('token-base-hidden-url: with apiBaseUrlFromToken, a path that is itself an absolute URL is refused, not sent with the token', async () => {
    const seen = listen('https://own.origins.test', 'https://evil.origins.test')
    const app = oauth2({ apiBaseUrlFromToken: 'instance_url' }).create('api')
    const own = { ...token(), instance_url: 'https://own.origins.test/' }
    // '/https://…' is relative (it does not start with a scheme): it waits for the token's base.
    for (const path of ['/https://evil.origins.test/x', '//https://evil.origins.test/x'])
      await expectCode(app.get(path, { token: own }), ErrorCode.UNTRUSTED_ORIGIN)
    expect(seen).toEqual([])
    // Control: a path under the token's own base gets the token.
    await app.get('users/me', { token: own }).json()
    expect(seen).toEqual([
      { url: 'https://own.origins.test/users/me', authorization: `Bearer ${ACCESS_TOKEN}` },
    ])
  })

  it('http-api-call: plain http is refused beyond loopback, even to the API host, and allowed on loopback', async () => {
    const seen = listen('http://api.origins.test')
    const err = await expectCode(
      oauth2().create('api').get('http://api.origins.test/v1/me', { token: token() }),
      ErrorCode.UNTRUSTED_ORIGIN,
    )
    expect(err.message).toMatch(/http:.*allowInsecureRequests/)
    expect(seen).toEqual([])
    // Loopback is the exception (local development), like every endpoint's.
    const loopback = listen('http://127.0.0.1:9')
    await oauth2({ apiBaseUrl: 'http://127.0.0.1:9/api' })
      .create('api')
      .get('me', { token: token() })
      .json()
    expect(loopback.map((c) => c.authorization)).toEqual([`Bearer ${ACCESS_TOKEN}`])
  })

  it('trusted-origins: an origin the app lists gets the token; a test rig may list plain http with allowInsecureRequests', async () => {
    const seen = listen('https://files.origins.test', 'http://api.lan.test')
    const app = oauth2({ trustedOrigins: ['https://files.origins.test/'] }).create('api')
    await app.get('https://files.origins.test/download/1', { token: token() }).json()
    const rig = oauth2({
      allowInsecureRequests: true,
      trustedOrigins: ['http://api.lan.test'],
    }).create('api')
    await rig.get('http://api.lan.test/x', { token: token() }).json()
    expect(seen.map((c) => c.authorization)).toEqual([
      `Bearer ${ACCESS_TOKEN}`,
      `Bearer ${ACCESS_TOKEN}`,
    ])
  })

  it('trusted-origins-config: register refuses a trustedOrigins entry that is not an https origin', async () => {
    const bad: unknown[] = [
      'https://files.origins.test/path',
      'https://files.origins.test/?q=1',
      'https://user:pw@files.origins.test',
      'http://files.origins.test',
      'not a url',
      'ftp://files.origins.test',
      42,
    ]
    for (const entry of bad) {
      const err = await expectCode(
        Promise.resolve().then(() => oauth2({ trustedOrigins: [entry as string] })),
        ErrorCode.CONFIG_INVALID,
      )
      expect(err.message).toContain('trustedOrigins[0]')
    }
    await expectCode(
      Promise.resolve().then(() =>
        oauth2({ trustedOrigins: 'https://files.origins.test' as unknown as string[] }),
      ),
      ErrorCode.CONFIG_INVALID,
    )
  })

  it('userinfo-origin: the discovered userinfo endpoint may be called with the token; other origins of the provider may not', async () => {
    const r = await hostileRig(server)
    const app = new OAuth({ secret: SECRET })
      .register('idp', {
        serverMetadataUrl: r.idp.discoveryUrl,
        clientId: r.idp.clientId,
        clientSecret: r.idp.clientSecret,
      })
      .create('idp')
    expect(await app.get(`${r.idp.issuer}/userinfo`, { token: token() }).json()).toMatchObject({
      sub: 'user-1',
    })
    expect(r.idp.calls.at(-1)!.request.headers.get('authorization')).toBe(`Bearer ${ACCESS_TOKEN}`)
    await expectCode(
      app.get('https://cdn.idp.origins.test/x', { token: token() }),
      ErrorCode.UNTRUSTED_ORIGIN,
    )
  })

  it('oauth1-foreign-origin: an OAuth 1 app signs nothing for another origin, and never sends PLAINTEXT over http', async () => {
    const seen = listen('https://other.origins.test', 'http://api.lan.test')
    const consumerSecret = `origins-consumer-secret-${randomUUID()}`
    const tokenSecret = `origins-token-secret-${randomUUID()}`
    registerCredential(consumerSecret, tokenSecret)
    const config = (extra: Partial<OAuth1AppConfig> = {}): OAuth1AppConfig => ({
      requestTokenUrl: 'https://api.x.origins.test/oauth/request_token',
      accessTokenUrl: 'https://api.x.origins.test/oauth/access_token',
      authorizeUrl: 'https://api.x.origins.test/oauth/authorize',
      apiBaseUrl: 'https://api.x.origins.test/1.1',
      clientId: 'ck',
      clientSecret: consumerSecret,
      signatureMethod: 'PLAINTEXT',
      ...extra,
    })
    const oauth1Token = {
      oauth_token: `origins-token-${randomUUID()}`,
      oauth_token_secret: tokenSecret,
    }
    const app = new OAuth({ secret: SECRET }).register('tw', config()).create('tw')
    await expectCode(
      app.get('https://other.origins.test/1.1/statuses.json', { token: oauth1Token }),
      ErrorCode.UNTRUSTED_ORIGIN,
    )
    // Even where the app trusts a plain-http origin, PLAINTEXT would send the secrets in the clear (RFC 5849 §3.4.4).
    const rig = new OAuth({ secret: SECRET })
      .register(
        'tw',
        config({
          signatureMethod: 'HMAC-SHA1',
          allowInsecureRequests: true,
          trustedOrigins: ['http://api.lan.test'],
        }),
      )
      .create('tw')
    await rig.get('http://api.lan.test/x', { token: oauth1Token }).json()
    const plaintextRig = new OAuth({ secret: SECRET })
      .register(
        'tw',
        config({ allowInsecureRequests: true, trustedOrigins: ['http://api.lan.test'] }),
      )
      .create('tw')
    await expectCode(
      plaintextRig.get('http://api.lan.test/x', { token: oauth1Token }),
      ErrorCode.UNTRUSTED_ORIGIN,
    )
    expect(seen.map((c) => c.url)).toEqual(['http://api.lan.test/x'])
  })
})

describe('refresh and links', () => {
  let api: Server
  let elsewhere: Server
  let apiUrl = ''
  let elsewhereUrl = ''
  const received: Array<{ server: string; path: string; authorization: string | undefined }> = []
  beforeAll(async () => {
    const start = async (
      name: string,
      handle: (path: string, res: import('node:http').ServerResponse) => void,
    ) => {
      const s = createServer((req, res) => {
        received.push({
          server: name,
          path: req.url ?? '',
          authorization: req.headers.authorization,
        })
        handle(req.url ?? '', res)
      })
      await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve))
      return [s, `http://127.0.0.1:${(s.address() as AddressInfo).port}`] as const
    }
    ;[elsewhere, elsewhereUrl] = await start('elsewhere', (_path, res) => {
      res.writeHead(401, { 'www-authenticate': 'Bearer error="invalid_token"' }).end()
    })
    ;[api, apiUrl] = await start('api', (path, res) => {
      if (path === '/token')
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(
          JSON.stringify({
            access_token: `at-origins-new-${randomUUID()}`,
            token_type: 'Bearer',
            expires_in: 3600,
          }),
        )
      res.writeHead(302, { location: `${elsewhereUrl}/moved` }).end()
    })
  })
  afterAll(async () => {
    for (const s of [api, elsewhere]) await new Promise((resolve) => s.close(resolve))
  })

  it('foreign-401-no-refresh: a 401 invalid_token from the origin an API call was redirected to refreshes nothing', async () => {
    server.use(http.all(/^http:\/\/127\.0\.0\.1:\d+\//, () => passthrough()))
    const app = new OAuth({ secret: SECRET })
      .register('api', {
        clientId: 'c',
        clientSecret: CLIENT_SECRET,
        authorizeUrl: `${apiUrl}/authorize`,
        accessTokenUrl: `${apiUrl}/token`,
        apiBaseUrl: apiUrl,
      })
      .create('api')
    const err = await app.get('me', { token: token() }).then(
      () => undefined,
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(HTTPError)
    expect((err as HTTPError).response.status).toBe(401)
    expect(received.map((r) => `${r.server} ${r.path}`)).toEqual(['api /me', 'elsewhere /moved'])
    expect(received[1]!.authorization).toBeUndefined() // fetch drops Authorization on a cross-origin redirect
  })

  it('bitbucket-next-off-api: the Bitbucket preset follows a next link only on its API, never to another host', async () => {
    const stolen: Array<string | null> = []
    server.use(
      http.get('https://api.bitbucket.org/2.0/user', () =>
        HttpResponse.json({ uuid: '{u-1}', account_id: 'a-1', display_name: 'Ann', links: {} }),
      ),
      http.get('https://api.bitbucket.org/2.0/user/emails', () =>
        HttpResponse.json({
          values: [
            { email: 'old@example.test', is_primary: false, is_confirmed: true, type: 'email' },
          ],
          next: 'https://evil.origins.test/2.0/user/emails?page=2',
        }),
      ),
      http.get(
        'https://evil.origins.test/*',
        ({ request }) => (
          stolen.push(request.headers.get('authorization')),
          HttpResponse.json({
            values: [
              { email: 'evil@example.test', is_primary: true, is_confirmed: true, type: 'email' },
            ],
          })
        ),
      ),
    )
    const app = new OAuth({ secret: SECRET })
      .register('bitbucket', bitbucket({ clientId: 'bb', clientSecret: CLIENT_SECRET }))
      .create('bitbucket')
    const profile = await app.profile(token())
    expect(profile.email).toBeUndefined()
    expect(stolen).toEqual([])
  })
})
