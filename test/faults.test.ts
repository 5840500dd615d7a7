/**
 * Misbehaving providers: 5xx, hangs, non-JSON and oversized bodies, broken discovery. Each is a typed
 * error, no token comes back and nothing is stored.
 */
import { delay, http, HttpResponse } from 'msw'
import { beforeEach, describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth, type OAuth2Token } from '../src/index.js'
import { FakeIdp } from './support/fake-idp.js'
import { REDIRECT, SECRET, expectCode, useMsw } from './support/helpers.js'

const server = useMsw()
let idp: FakeIdp
let updates: OAuth2Token[]

beforeEach(async () => {
  idp = await FakeIdp.create()
  server.use(...idp.handlers())
  updates = []
})

function app(extra: { timeout?: number; maxResponseSize?: number } = {}) {
  return new OAuth({ secret: SECRET, updateToken: (_n, t: OAuth2Token) => void updates.push(t) })
    .register('idp', {
      serverMetadataUrl: idp.discoveryUrl,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      scope: 'openid',
      ...extra,
    })
    .create('idp')
}

async function loginWith(a: ReturnType<typeof app>) {
  const cookies = new MemoryCookieJar()
  const res = await a.authorizeRedirect({ cookies }, REDIRECT)
  return a.authorizeAccessToken({
    cookies,
    request: new Request(idp.authorize(res.headers.get('location')!)),
  })
}

describe('token endpoint faults', () => {
  const cases: Array<
    [string, () => Response | Promise<Response>, string, Record<string, unknown>?]
  > = [
    [
      'a 502 with an HTML page',
      () =>
        new HttpResponse('<html>Bad Gateway</html>', {
          status: 502,
          headers: { 'content-type': 'text/html' },
        }),
      ErrorCode.HTTP_ERROR,
      { status: 502 },
    ],
    [
      'a 500 with a JSON body',
      () =>
        HttpResponse.json({ error: 'server_error', error_description: 'db down' }, { status: 500 }),
      ErrorCode.HTTP_ERROR,
      { status: 500 },
    ],
    [
      'a 400 with an OAuth error body',
      () =>
        HttpResponse.json(
          { error: 'invalid_grant', error_description: 'code used' },
          { status: 400 },
        ),
      ErrorCode.TOKEN_ERROR,
      { error: 'invalid_grant', errorDescription: 'code used', status: 400 },
    ],
    [
      'a 200 that is not JSON',
      () =>
        new HttpResponse('<html>login</html>', {
          status: 200,
          headers: { 'content-type': 'text/html' },
        }),
      ErrorCode.INVALID_RESPONSE,
    ],
    ['a 200 JSON array', () => HttpResponse.json([1, 2]), ErrorCode.INVALID_RESPONSE],
    [
      'a body over the size limit',
      () => HttpResponse.json({ access_token: 'x'.repeat(2 * 1024 * 1024), token_type: 'bearer' }),
      ErrorCode.RESPONSE_TOO_LARGE,
    ],
    [
      'a streamed body over the size limit without content-length',
      () =>
        new HttpResponse(
          new ReadableStream({
            pull(c) {
              c.enqueue(new Uint8Array(64 * 1024))
            },
          }),
          { headers: { 'content-type': 'application/json' } },
        ),
      ErrorCode.RESPONSE_TOO_LARGE,
    ],
    ['a network error', () => HttpResponse.error(), ErrorCode.NETWORK_ERROR],
  ]
  for (const [what, respond, code, fields] of cases) {
    it(`turns ${what} into ${code}`, async () => {
      idp.overrides.token = respond
      const err = await expectCode(loginWith(app()), code)
      if (fields) expect(err).toMatchObject(fields)
      expect(updates).toHaveLength(0)
      expect(idp.endpointCalls('jwks')).toBe(0)
    })
  }

  it('bounds a token endpoint that hangs by the app timeout', async () => {
    idp.overrides.token = async () => {
      await delay('infinite')
      return HttpResponse.json({})
    }
    const err = await expectCode(loginWith(app({ timeout: 200 })), ErrorCode.TIMEOUT)
    expect(err.message).toMatch(/within 200 ms/)
    expect(updates).toHaveLength(0)
  })
})

describe('discovery faults', () => {
  it('does not cache a failed discovery: the next call tries again', async () => {
    let fail = true
    idp.overrides.discovery = () => (fail ? new HttpResponse('oops', { status: 500 }) : undefined)
    const a = app()
    await expectCode(a.loadServerMetadata(), ErrorCode.METADATA_INVALID)
    fail = false
    await expect(a.loadServerMetadata()).resolves.toMatchObject({ issuer: idp.issuer })
    await a.loadServerMetadata()
    expect(idp.endpointCalls('discovery')).toBe(2)
  })

  it('shares one discovery request among concurrent first calls', async () => {
    const a = app()
    await Promise.all(Array.from({ length: 10 }, () => a.loadServerMetadata()))
    expect(idp.endpointCalls('discovery')).toBe(1)
  })

  it('refuses a document whose issuer is not the one the URL names', async () => {
    idp.overrides.discovery = () =>
      HttpResponse.json({ ...idp.metadata(), issuer: 'https://evil.test' })
    await expectCode(app().loadServerMetadata(), ErrorCode.METADATA_INVALID)
  })

  it('refuses discovered endpoints over http on a public host', async () => {
    idp.overrides.discovery = () =>
      HttpResponse.json({ ...idp.metadata(), token_endpoint: 'http://idp.test/token' })
    await expectCode(app().loadServerMetadata(), ErrorCode.CONFIG_INVALID)
  })

  it('lets an explicit endpoint override the discovered one', async () => {
    server.use(
      http.post('https://other.test/token', () =>
        HttpResponse.json({ error: 'invalid_grant' }, { status: 400 }),
      ),
    )
    const a = new OAuth({ secret: SECRET })
      .register('idp', {
        serverMetadataUrl: idp.discoveryUrl,
        clientId: idp.clientId,
        clientSecret: idp.clientSecret,
        accessTokenUrl: 'https://other.test/token',
      })
      .create('idp')
    expect((await a.loadServerMetadata()).token_endpoint).toBe('https://other.test/token')
    await expectCode(loginWith(a), ErrorCode.TOKEN_ERROR)
    expect(idp.endpointCalls('token')).toBe(0)
  })

  it('refetches metadata after its TTL', async () => {
    const a = new OAuth({ secret: SECRET })
      .register('idp', {
        serverMetadataUrl: idp.discoveryUrl,
        clientId: idp.clientId,
        metadataTtl: 0,
      })
      .create('idp')
    await a.loadServerMetadata()
    await new Promise((r) => setTimeout(r, 2))
    await a.loadServerMetadata()
    expect(idp.endpointCalls('discovery')).toBe(2)
  })
})
