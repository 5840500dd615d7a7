/**
 * `app.fetch`: a WHATWG fetch bound to the app, handed to clients that take a custom fetch (a plain
 * function, and ky as a third-party SDK), against a loopback API and token endpoint on 127.0.0.1, and
 * OAuth 1 signing checked by the test OAuth 1 provider.
 */
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import ky from 'ky'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import {
  ErrorCode,
  MemoryCookieJar,
  OAuth,
  type OAuth1Token,
  type OAuth2Token,
} from '../src/index.js'
import { startOAuth1Provider, type OAuth1Provider } from './support/oauth1-provider.js'
import { SECRET, expectCode } from './support/helpers.js'

interface Seen {
  method: string
  path: string
  authorization?: string
  body: string
}

let server: http.Server
let origin = ''
let seen: Seen[] = []
let tokenRequests: URLSearchParams[] = []
let valid = new Set<string>()
/** What a 401 says in WWW-Authenticate. */
let challenge = 'Bearer error="invalid_token"'
/** The API refuses every token. */
let refuseAll = false

async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    void (async () => {
      const body = await readBody(req)
      const path = req.url ?? '/'
      if (path === '/token') {
        const params = new URLSearchParams(body)
        tokenRequests.push(params)
        const n = tokenRequests.length
        valid.add(`at-new-${n}`)
        await new Promise((r) => setTimeout(r, 20))
        res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        res.end(
          JSON.stringify({
            access_token: `at-new-${n}`,
            token_type: 'Bearer',
            expires_in: 3600,
            refresh_token: `rt-new-${n}`,
          }),
        )
        return
      }
      seen.push({ method: req.method ?? '', path, authorization: req.headers.authorization, body })
      const token = (req.headers.authorization ?? '').replace(/^Bearer /, '')
      if (refuseAll || !valid.has(token)) {
        res.writeHead(401, { 'www-authenticate': challenge, 'content-length': '0' }).end()
        return
      }
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ path, method: req.method, body }))
    })()
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())))

beforeEach(() => {
  seen = []
  tokenRequests = []
  valid = new Set(['at-valid'])
  challenge = 'Bearer error="invalid_token"'
  refuseAll = false
})

function token(access = 'at-valid', expiresIn = 3600): OAuth2Token {
  return {
    access_token: access,
    token_type: 'bearer',
    refresh_token: 'rt-1',
    expires_at: Math.floor(Date.now() / 1000) + expiresIn,
  }
}

function makeApp(stored: () => OAuth2Token | undefined, updates: OAuth2Token[] = []) {
  return new OAuth({
    secret: SECRET,
    fetchToken: () => stored(),
    updateToken: (_name, t) => void updates.push(t as OAuth2Token),
  })
    .register('api', {
      clientId: 'client',
      clientSecret: 'client-secret',
      authorizeUrl: `${origin}/authorize`,
      accessTokenUrl: `${origin}/token`,
      apiBaseUrl: `${origin}/v1`,
    })
    .create('api')
}

/** A third-party style client that only knows the fetch contract. */
async function listRepos(fetchFn: typeof fetch, base: string): Promise<unknown> {
  const response = await fetchFn(`${base}/v1/user/repos?per_page=2`, {
    headers: { accept: 'application/json' },
  })
  if (!response.ok) throw new Error(`HTTP ${response.status}`)
  return response.json()
}

describe('app.fetch as a custom fetch', () => {
  it('works for a plain function consumer: the Bearer token is added', async () => {
    const app = makeApp(() => token())
    expect(await listRepos(app.fetch, origin)).toEqual({
      path: '/v1/user/repos?per_page=2',
      method: 'GET',
      body: '',
    })
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer at-valid'])
  })

  it('works as the fetch of ky, a real client that takes one, including a JSON POST', async () => {
    const app = makeApp(() => token())
    const client = ky.create({ prefixUrl: `${origin}/v1`, fetch: app.fetch, retry: 0 })
    const got = await client.post('items', { json: { name: 'a' } }).json()
    expect(got).toEqual({ path: '/v1/items', method: 'POST', body: '{"name":"a"}' })
    expect(seen[0]!.authorization).toBe('Bearer at-valid')
  })

  it('accepts a Request, a URL and a path relative to apiBaseUrl', async () => {
    const app = makeApp(() => token())
    await app.fetch(new Request(`${origin}/v1/a`, { method: 'DELETE' }))
    await app.fetch(new URL(`${origin}/v1/b`))
    await app.fetch('c')
    expect(seen.map((s) => `${s.method} ${s.path} ${s.authorization}`)).toEqual([
      'DELETE /v1/a Bearer at-valid',
      'GET /v1/b Bearer at-valid',
      'GET /v1/c Bearer at-valid',
    ])
  })

  it('calls with the user of the bound registry (fetchToken gets its context)', async () => {
    const contexts: unknown[] = []
    const oauth = new OAuth({
      secret: SECRET,
      fetchToken: (_name, ctx) => {
        contexts.push(ctx?.userId)
        return ctx?.userId === 'u1' ? token() : undefined
      },
    }).register('api', {
      clientId: 'client',
      clientSecret: 'client-secret',
      authorizeUrl: `${origin}/authorize`,
      accessTokenUrl: `${origin}/token`,
      apiBaseUrl: `${origin}/v1`,
    })
    const bound = oauth.bind({ cookies: new MemoryCookieJar(), userId: 'u1' }).create('api')
    expect(bound.fetch).toBe(bound.fetch)
    expect((await bound.fetch(`${origin}/v1/me`)).status).toBe(200)
    expect(contexts).toEqual(['u1'])
    // The unbound app has no user: no token.
    await expectCode(oauth.create('api').fetch(`${origin}/v1/me`), ErrorCode.TOKEN_MISSING)
    // fetcher binds a token directly.
    const withToken = oauth.create('api').fetcher({ token: token() })
    expect((await withToken(`${origin}/v1/me`)).status).toBe(200)
  })
})

describe('app.fetch: origin rules', () => {
  it('refuses another origin before reading the token, and sends nothing', async () => {
    let reads = 0
    const app = makeApp(() => {
      reads++
      return token()
    })
    await expectCode(app.fetch('https://evil.test/v1/user'), ErrorCode.UNTRUSTED_ORIGIN)
    await expectCode(app.fetch('http://example.com/v1/user'), ErrorCode.UNTRUSTED_ORIGIN)
    // Same host, another port is another origin.
    const port = Number(new URL(origin).port)
    await expectCode(
      app.fetch(`http://127.0.0.1:${port === 65535 ? 1 : port + 1}/v1/user`),
      ErrorCode.UNTRUSTED_ORIGIN,
    )
    expect(reads).toBe(0)
    expect(seen).toEqual([])
  })
})

describe('app.fetch: refresh and retry', () => {
  it('refreshes a token that is due first, once for concurrent calls (single flight)', async () => {
    const updates: OAuth2Token[] = []
    const app = makeApp(() => token('at-old', 10), updates)
    const responses = await Promise.all(
      Array.from({ length: 5 }, (_, i) => app.fetch(`${origin}/v1/n/${i}`)),
    )
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200])
    expect(tokenRequests).toHaveLength(1)
    expect(tokenRequests[0]!.get('refresh_token')).toBe('rt-1')
    expect(updates.map((t) => t.access_token)).toEqual(['at-new-1'])
    expect(new Set(seen.map((s) => s.authorization))).toEqual(new Set(['Bearer at-new-1']))
  })

  it('retries once after a 401 invalid_token, with the refreshed token and the same body', async () => {
    const app = makeApp(() => token('at-revoked'))
    const response = await app.fetch(`${origin}/v1/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ n: 1 }),
    })
    expect(response.status).toBe(200)
    expect(tokenRequests).toHaveLength(1)
    expect(seen.map((s) => [s.authorization, s.body])).toEqual([
      ['Bearer at-revoked', '{"n":1}'],
      ['Bearer at-new-1', '{"n":1}'],
    ])
  })

  it('replays the body of a Request given as input, and runs the protectedRequest hooks', async () => {
    const oauth = new OAuth({ secret: SECRET, fetchToken: () => token('at-revoked') }).register(
      'api',
      {
        clientId: 'client',
        clientSecret: 'client-secret',
        authorizeUrl: `${origin}/authorize`,
        accessTokenUrl: `${origin}/token`,
        apiBaseUrl: `${origin}/v1`,
        hooks: { protectedRequest: (request) => void request.headers.set('x-hooked', '1') },
      },
    )
    const request = new Request(`${origin}/v1/items`, { method: 'PUT', body: 'payload' })
    const response = await oauth.create('api').fetch(request)
    expect(response.status).toBe(200)
    expect(seen.map((s) => [s.method, s.authorization, s.body])).toEqual([
      ['PUT', 'Bearer at-revoked', 'payload'],
      ['PUT', 'Bearer at-new-1', 'payload'],
    ])
  })

  it('retries only once: a second 401 is the answer', async () => {
    refuseAll = true
    const app = makeApp(() => token('at-revoked'))
    const response = await app.fetch(`${origin}/v1/items`)
    expect(response.status).toBe(401)
    expect(seen).toHaveLength(2)
    expect(tokenRequests).toHaveLength(1)
  })

  it('does not retry a 401 without error="invalid_token" (Bearer realm="api")', async () => {
    challenge = 'Bearer realm="api"'
    const app = makeApp(() => token('at-revoked'))
    const response = await app.fetch(`${origin}/v1/items`)
    expect(response.status).toBe(401)
    expect(seen).toHaveLength(1)
    expect(tokenRequests).toHaveLength(0)
  })

  it('sends a streamed body once and does not retry it', async () => {
    const app = makeApp(() => token('at-revoked'))
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('streamed'))
        controller.close()
      },
    })
    const response = await app.fetch(`${origin}/v1/upload`, {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit)
    expect(response.status).toBe(401)
    expect(seen.map((s) => s.body)).toEqual(['streamed'])
    expect(tokenRequests).toHaveLength(0)
  })
})

describe('app.fetch with OAuth 1', () => {
  const CONSUMER = { key: 'fetch-consumer', secret: 'fetch-consumer-secret' }
  let provider: OAuth1Provider
  beforeAll(async () => {
    provider = await startOAuth1Provider({ consumers: [CONSUMER] })
  })
  afterAll(() => provider.close())

  it('signs each request (HMAC-SHA1, header) and the provider verifies it', async () => {
    const issued = provider.issueAccessToken(CONSUMER.key)
    const stored: OAuth1Token = { oauth_token: issued.token, oauth_token_secret: issued.secret }
    const app = new OAuth({ secret: SECRET, fetchToken: () => stored })
      .register('tw', {
        requestTokenUrl: `${provider.url}/oauth/request_token`,
        accessTokenUrl: `${provider.url}/oauth/access_token`,
        authorizeUrl: `${provider.url}/oauth/authorize`,
        apiBaseUrl: `${provider.url}/1.1`,
        clientId: CONSUMER.key,
        clientSecret: CONSUMER.secret,
      })
      .create('tw')
    const get = await app.fetch(`${provider.url}/1.1/account/verify_credentials.json?a=1`)
    expect(get.status).toBe(200)
    const post = await app.fetch(`${provider.url}/1.1/account/verify_credentials.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'status=hello%20world',
    })
    expect(post.status).toBe(200)
    const checked = provider.requests.filter((r) => r.path.startsWith('/1.1/'))
    expect(checked).toHaveLength(2)
    for (const r of checked) {
      expect(r.problem).toBeUndefined()
      expect(r.location).toBe('header')
      expect(r.protocol.oauth_token).toBe(issued.token)
    }
    await expectCode(app.fetch('https://evil.test/1.1/x'), ErrorCode.UNTRUSTED_ORIGIN)
  })
})
