/**
 * The API client (src/http/api.ts) on its own, with a recording fetch and a hand-made authorizer: what
 * the lifecycle, app-fetch and hostile tests leave unpinned: how relative URLs are joined (to apiBaseUrl
 * and to a token's own API base), which origins get the credentials (trustedOrigins, http: rules,
 * discovered origins, the token's base and a hook's rewrite), the Bearer header path, the 401 retry,
 * `json()` (accept, empty bodies, bodies that are not JSON, timeouts) and the error's fields.
 */
import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/index.js'
import { ApiClient, joinUrl, type ApiClientOptions } from '../../src/http/api.js'
import type { ApiAuthorizer } from '../../src/http/api-call.js'
import { expectCode } from '../support/helpers.js'

const API = 'https://api.test/v1'
let sent: Request[] = []
let answer: (request: Request) => Response | Promise<Response> = () => Response.json({ ok: true })

/** A client whose fetch records what it is sent; the authorizer signs with a header set by `authorize`. */
function client(
  options: Partial<ApiClientOptions<string>> = {},
  authorizer: Partial<ApiAuthorizer<string>> = {},
) {
  sent = []
  answer = () => Response.json({ ok: true })
  return new ApiClient<string>(
    'api',
    {
      apiBaseUrl: API,
      fetch: async (input, init) => {
        const request = new Request(input, init)
        sent.push(request)
        return answer(request)
      },
      timeout: 5_000,
      maxResponseSize: 1_000,
      maxJsonSize: 1_000,
      ...options,
    },
    {
      resolve: async (state) => state.token ?? 'tok',
      authorize: (request, token) => {
        request.headers.set('authorization', `Signed ${token}`)
        return request
      },
      ...authorizer,
    },
  )
}
/** `response` as fetch would give it, with its URL. */
function at(url: string, response: Response): Response {
  Object.defineProperty(response, 'url', { value: url })
  return response
}

describe('joinUrl', () => {
  it('keeps an absolute http(s) URL in any case and a URL object; joins a path with http:// inside it', () => {
    expect(joinUrl('api', API, 'HTTPS://Other.test/x')).toBe('HTTPS://Other.test/x')
    expect(joinUrl('api', API, new URL('https://other.test/y'))).toBe('https://other.test/y')
    expect(joinUrl('api', API, 'go?next=https://evil.test/')).toBe(`${API}/go?next=https://evil.test/`)
  })

  it('joins with exactly one slash, whatever the slashes on either side', () => {
    expect(joinUrl('api', `${API}//`, 'users')).toBe(`${API}/users`)
    expect(joinUrl('api', API, '//users')).toBe(`${API}/users`)
  })

  it('refuses a relative URL without apiBaseUrl with invalid_request naming the app', async () => {
    for (const base of [undefined, '']) {
      const err = await expectCode(
        (async () => joinUrl('api', base, 'users'))(),
        ErrorCode.INVALID_REQUEST,
      )
      expect(err.message).toBe('api: "users" is relative but the app has no apiBaseUrl')
      expect(err.app).toBe('api')
    }
  })
})

describe('hooks and parts', () => {
  it('runs a request hook given as one function', async () => {
    const a = client({ hooks: (request) => void request.headers.set('x-hooked', '1') })
    await a.request('GET', 'users')
    expect(sent[0]!.headers.get('x-hooked')).toBe('1')
  })

  it('says whether the app has request hooks', () => {
    expect(client().parts.hooked).toBe(false)
    expect(client({ hooks: [] }).parts.hooked).toBe(false)
    expect(client({ hooks: () => undefined }).parts.hooked).toBe(true)
  })

  it('trusts a URL that starts with any trusted origin, and no other', () => {
    const parts = client({ trustedOrigins: ['https://files.test', undefined] }).parts
    expect(parts.trusts(`${API}/x`)).toBe(true)
    expect(parts.trusts('https://files.test/a')).toBe(true)
    expect(parts.trusts('https://evil.test/https://api.test/')).toBe(false)
  })

  it("parts.deliver keeps the response's own URL (nothing was added to it)", () => {
    const response = client().parts.deliver(new Response('x'), `${API}/x`)
    expect(response.url).toBe('')
  })
})

describe('the Bearer header', () => {
  it('uses the header when the authorizer gives one, without signing a copy', async () => {
    const a = client({}, { header: (token) => `Bearer ${token}` })
    const seenByKy: Array<string | null> = []
    await a.request('GET', 'users', {
      hooks: { beforeRequest: [(request) => void seenByKy.push(request.headers.get('authorization'))] },
    })
    expect(sent[0]!.headers.get('authorization')).toBe('Bearer tok')
    expect(seenByKy).toEqual([null])
  })
})

describe('the 401 retry', () => {
  it('asks recover only about a 401', async () => {
    let asked = 0
    const a = client({}, { recover: async () => ((asked += 1), true) })
    answer = () => new Response('no', { status: 403 })
    await expect(a.request('GET', 'users')).rejects.toThrow()
    await a.request('GET', 'users', { throwHttpErrors: false })
    expect(asked).toBe(0)
    expect(sent).toHaveLength(2)
  })
})

describe('origins', () => {
  it('sends credentials over http: to an origin it discovered when allowInsecureRequests is set', async () => {
    const a = client(
      { allowInsecureRequests: true },
      { origins: async () => ['http://idp.test'] },
    )
    await a.request('GET', 'http://idp.test/userinfo')
    expect(sent[0]!.url).toBe('http://idp.test/userinfo')
  })

  it('refuses an https origin with http: in its path with the generic message, not the http: one', async () => {
    const a = client()
    const err = await expectCode(
      a.request('GET', 'https://evil.test/?next=http://api.test'),
      ErrorCode.UNTRUSTED_ORIGIN,
    )
    expect(err.message).toContain('refused to send credentials to https://evil.test, which is not')
  })

  it('allows an https discovered origin for a URL with http: in it', async () => {
    const a = client({}, { origins: async () => ['https://idp.test'] })
    await a.request('GET', 'https://idp.test/u?next=http://x.test')
    expect(sent).toHaveLength(1)
  })

  it('names the origin refused over http:', async () => {
    const err = await expectCode(client().request('GET', 'http://evil.test/x'), ErrorCode.UNTRUSTED_ORIGIN)
    expect(err.message).toContain('refused to send credentials over http: to http://evil.test;')
  })

  it('ignores a discovered origin that is not a URL', async () => {
    const a = client({}, { origins: async () => ['not a url'] })
    await expectCode(a.request('GET', 'https://evil.test/x'), ErrorCode.UNTRUSTED_ORIGIN)
    expect(sent).toHaveLength(0)
  })

  it("checks the URL a request hook rewrote to, and refuses an untrusted one", async () => {
    const a = client({ hooks: () => new Request('https://evil.test/x') })
    await expectCode(a.request('GET', 'users'), ErrorCode.UNTRUSTED_ORIGIN)
    expect(sent).toHaveLength(0)
  })
})

describe("the token's own API base", () => {
  const own = (base: string | undefined, options: Partial<ApiClientOptions<string>> = {}) =>
    client({ tokenBase: () => base, ...options })

  it('joins a relative URL to it, slashes stripped once, even with http:// inside the path', async () => {
    const a = own('https://own.test/services/')
    await a.request('GET', 'data/v1?next=https://x.test')
    await a.request('GET', '/data/v2')
    expect(sent.map((r) => r.url)).toEqual([
      'https://own.test/services/data/v1?next=https://x.test',
      'https://own.test/services/data/v2',
    ])
  })

  it('sends an absolute http: URL as it is', async () => {
    const a = own('https://own.test/', { trustedOrigins: ['http://127.0.0.1:8080'] })
    await a.request('GET', 'http://127.0.0.1:8080/x')
    expect(sent[0]!.url).toBe('http://127.0.0.1:8080/x')
  })

  it('trusts the base for a request signed through hooks, and a hook rewrite within it', async () => {
    const a = own('https://own.test/', {
      hooks: (request) => new Request(request.url.replace('/a', '/b'), request),
    })
    await a.request('GET', 'a')
    expect(sent[0]!.url).toBe('https://own.test/b')
  })

  it('refuses a hook rewrite away from the base', async () => {
    const a = own('https://own.test/', { hooks: () => new Request('https://evil.test/x') })
    await expectCode(a.request('GET', 'a'), ErrorCode.UNTRUSTED_ORIGIN)
    expect(sent).toHaveLength(0)
  })

  it('allows http: on loopback, and elsewhere only with allowInsecureRequests', async () => {
    await own('http://127.0.0.1:8080/').request('GET', 'a')
    expect(sent[0]!.url).toBe('http://127.0.0.1:8080/a')
    await own('http://own.test/', { allowInsecureRequests: true }).request('GET', 'a')
    expect(sent[0]!.url).toBe('http://own.test/a')
    const err = await expectCode(own('http://own.test/').request('GET', 'a'), ErrorCode.UNTRUSTED_ORIGIN)
    expect(err.message).toBe(
      "api: refused to send credentials to the token's API base (http:): it must be an https: URL",
    )
  })

  it('refuses a base with a user name or a password, or one that is not a URL', async () => {
    for (const base of ['https://user@own.test/', 'https://:pw@own.test/']) {
      await expectCode(own(base).request('GET', 'a'), ErrorCode.UNTRUSTED_ORIGIN)
      expect(sent).toHaveLength(0)
    }
    const err = await expectCode(own('not a url').request('GET', 'a'), ErrorCode.UNTRUSTED_ORIGIN)
    expect(err.message).toBe(
      "api: refused to send credentials to the token's API base (not a URL): it must be an https: URL",
    )
  })

  it('checks an absolute http: URL before the token is resolved even when a token base is set', async () => {
    let resolved = 0
    const a = client(
      { tokenBase: () => 'https://own.test/' },
      { resolve: async () => ((resolved += 1), 'tok') },
    )
    await expectCode(a.request('GET', 'http://evil.test/x'), ErrorCode.UNTRUSTED_ORIGIN)
    expect(resolved).toBe(0)
    expect(sent).toHaveLength(0)
  })

  it('refuses a base of another scheme, even on loopback', async () => {
    const err = await expectCode(own('ftp://127.0.0.1/').request('GET', 'a'), ErrorCode.UNTRUSTED_ORIGIN)
    expect(err.message).toContain("token's API base (ftp:)")
    expect(sent).toHaveLength(0)
  })

  it('checks an absolute URL hidden behind the placeholder base (bug: sent unchecked with the token)', async () => {
    const a = own('https://own.test/', { hooks: [] })
    await expectCode(
      a.request('GET', 'https://token-api-base.oauthkit.invalid/https://evil.test/x'),
      ErrorCode.UNTRUSTED_ORIGIN,
    )
    const header = client({ tokenBase: () => 'https://own.test/' }, { header: (t) => `Bearer ${t}` })
    await expectCode(
      header.request('GET', 'https://token-api-base.oauthkit.invalid/https://evil.test/x'),
      ErrorCode.UNTRUSTED_ORIGIN,
    )
    expect(sent).toHaveLength(0)
  })

  it('never sends to the placeholder base: without tokenBase a URL on it goes to apiBaseUrl', async () => {
    await client().request('GET', 'https://token-api-base.oauthkit.invalid/x')
    expect(sent[0]!.url).toBe(`${API}/x`)
  })
})

describe('json()', () => {
  it('asks for JSON unless the call chose its own accept header', async () => {
    const a = client()
    await a.json('GET', 'users')
    await a.json('GET', 'users', { headers: { accept: 'application/vnd.api+json' } })
    expect(sent.map((r) => r.headers.get('accept'))).toEqual([
      'application/json',
      'application/vnd.api+json',
    ])
  })

  it("answers '' for a 204 and for an empty body", async () => {
    const a = client()
    answer = () => new Response(null, { status: 204 })
    expect(await a.json('GET', 'users')).toBe('')
    answer = () => new Response('')
    expect(await a.json('GET', 'users')).toBe('')
  })

  it('refuses a body that is not JSON with invalid_response, its status and origin', async () => {
    const a = client()
    answer = (request) => at(request.url, new Response('<html>', { status: 200 }))
    const err = await expectCode(a.json('GET', 'users'), ErrorCode.INVALID_RESPONSE)
    expect(err.message).toBe(
      'api: the API answered HTTP 200 with a body that is not JSON (https://api.test)',
    )
    expect(err.status).toBe(200)
    expect(err.app).toBe('api')
    answer = () => new Response('<html>')
    const bare = await expectCode(a.json('GET', 'users'), ErrorCode.INVALID_RESPONSE)
    expect(bare.message).toBe(
      'api: the API answered HTTP 200 with a body that is not JSON ((not a URL))',
    )
  })

  it('turns a call that does not answer, or a body that stalls, into timeout', async () => {
    const a = client({ timeout: 50 })
    answer = () => new Promise<Response>(() => {})
    const late = await expectCode(a.json('GET', 'users'), ErrorCode.TIMEOUT)
    expect(late.message).toBe('api: the API did not answer within 50 ms')
    expect(late.app).toBe('api')
    answer = () => new Response(new ReadableStream({ start: (c) => c.enqueue(new Uint8Array([123])) }))
    const stalled = await expectCode(a.json('GET', 'users'), ErrorCode.TIMEOUT)
    expect(stalled.message).toBe('api: the API did not finish its response within 50 ms')
  })
})
