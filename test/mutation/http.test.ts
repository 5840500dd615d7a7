/**
 * The HTTP client every provider request goes through (src/http.ts), what the fault and hostile tests
 * leave unpinned: hooks, the User-Agent, redirects refused per step, the exact size limits, bodies that
 * stall or break after the headers, the AbortSignal.any fallback, and how each kind of error becomes
 * an OAuthKitError with a cause stripped of everything but name, code and message.
 */
import * as oauth from 'oauth4webapi'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ErrorCode, isOAuthKitError, type ComplianceHooks } from '../../src/index.js'
import { HttpClient, anySignal, rewriteJson } from '../../src/http/client.js'
import { authorizationResponseError, sanitize, toOAuthKitError, type Step } from '../../src/errors/upstream.js'
import { expectCode } from '../support/helpers.js'

const URL_ = 'https://idp.test/token'
let sent: Request[] = []
function client(answer: (request: Request) => Response | Promise<Response>, options: { hooks?: ComplianceHooks; userAgent?: string; maxResponseSize?: number; timeout?: number } = {}) {
  sent = []
  return new HttpClient({
    app: 'idp',
    fetch: async (input, init) => {
      const request = new Request(input, init)
      sent.push(request)
      return answer(request)
    },
    timeout: options.timeout ?? 5_000,
    maxResponseSize: options.maxResponseSize ?? 10,
    hooks: { request: { token: options.hooks?.accessTokenRequest }, response: { token: options.hooks?.accessTokenResponse } },
    ...(options.userAgent === undefined ? {} : { userAgent: options.userAgent }),
  })
}
const post = () => new Request(URL_, { method: 'POST', body: 'grant_type=x' })
/** A body that sends `chunks`, then either ends, stalls or fails. */
function stream(chunks: string[], then: 'end' | 'stall' | 'fail', cancelled: { value: boolean } = { value: false }) {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(new TextEncoder().encode(c))
      if (then === 'end') controller.close()
      if (then === 'fail') controller.error(new Error('connection reset with secret body'))
    },
    cancel() {
      cancelled.value = true
    },
  })
}

afterEach(() => vi.unstubAllGlobals())

describe('hooks and User-Agent', () => {
  it("runs the step's request and response hooks; a hook that returns nothing keeps what it got", async () => {
    const calls: string[] = []
    const hooks: ComplianceHooks = {
      accessTokenRequest: [
        (request) => {
          calls.push('request-1')
          const edited = new Request(request)
          edited.headers.set('x-hooked', 'yes')
          return edited
        },
        () => void calls.push('request-2'),
      ],
      accessTokenResponse: [() => void calls.push('response-1'), async (response) => Response.json({ ...((await response.json()) as object), hooked: true })],
    }
    const response = await client(() => Response.json({ a: 1 }), { hooks, maxResponseSize: 1000 }).send(post(), 'token')
    expect(calls).toEqual(['request-1', 'request-2', 'response-1'])
    expect(sent[0]!.headers.get('x-hooked')).toBe('yes')
    expect(await response.json()).toEqual({ a: 1, hooked: true })
  })

  it("sets the app's User-Agent when there is none or oauth4webapi's, and keeps one the request chose", async () => {
    const http = client(() => new Response('ok'), { userAgent: 'app/1.0' })
    await http.send(new Request(URL_), 'token')
    await http.send(new Request(URL_, { headers: { 'user-agent': 'oauth4webapi/v3' } }), 'token')
    await http.send(new Request(URL_, { headers: { 'user-agent': 'custom/2 oauth4webapi/v3' } }), 'token')
    expect(sent.map((r) => r.headers.get('user-agent'))).toEqual(['app/1.0', 'app/1.0', 'custom/2 oauth4webapi/v3'])
    await client(() => new Response('ok')).send(new Request(URL_, { headers: { 'user-agent': 'oauth4webapi/v3' } }), 'token')
    expect(sent[0]!.headers.get('user-agent')).toBe('oauth4webapi/v3')
  })
})

describe('redirects', () => {
  it('refuses every 3xx but 304, as http_error for the token endpoint and metadata_invalid for discovery and the JWKS', async () => {
    for (const status of [300, 301, 302, 303, 307, 308, 399]) {
      const err = await expectCode(client(() => new Response(null, { status, headers: { location: 'https://evil.test/' } })).send(post(), 'token'), ErrorCode.HTTP_ERROR)
      expect(err).toMatchObject({ app: 'idp', status, message: `idp: the token endpoint answered with a redirect (HTTP ${status}), which oauthkit does not follow` })
    }
    for (const step of ['metadata', 'jwks'] as const) {
      await expectCode(client(() => new Response('moved', { status: 302 })).send(new Request(URL_), step), ErrorCode.METADATA_INVALID)
    }
    const notModified = await client(() => new Response(null, { status: 304 })).send(new Request(URL_), 'token')
    expect(notModified.status).toBe(304)
  })

  it('refuses an opaque redirect (what fetch gives for redirect: manual), and cancels a redirect body', async () => {
    const opaque = new Response(null, { status: 200 })
    Object.defineProperty(opaque, 'type', { value: 'opaqueredirect' })
    Object.defineProperty(opaque, 'status', { value: 0 })
    const err = await expectCode(client(() => opaque).send(post(), 'token'), ErrorCode.HTTP_ERROR)
    expect(err.message).toBe('idp: the token endpoint answered with a redirect (HTTP opaque), which oauthkit does not follow')
    expect(err.status).toBeUndefined()
    const cancelled = { value: false }
    await expectCode(client(() => new Response(stream(['x'], 'stall', cancelled), { status: 302 })).send(post(), 'token'), ErrorCode.HTTP_ERROR)
    expect(cancelled.value).toBe(true)
  })
})

describe('size limits', () => {
  it('accepts a body of exactly maxResponseSize bytes, declared or not, and refuses one byte more', async () => {
    const ten = '0123456789'
    expect(await (await client(() => new Response(ten, { headers: { 'content-length': '10' } })).send(post(), 'token')).text()).toBe(ten)
    expect(await (await client(() => new Response(stream(['01234', '56789'], 'end'))).send(post(), 'token')).text()).toBe(ten)
    const declared = await expectCode(client(() => new Response(`${ten}!`, { status: 400, headers: { 'content-length': '11' } })).send(post(), 'token'), ErrorCode.RESPONSE_TOO_LARGE)
    expect(declared).toMatchObject({ app: 'idp', status: 400, message: 'idp: the token endpoint response is larger than 10 bytes' })
    await expectCode(client(() => new Response(stream(['01234', '56789', '!'], 'end'))).send(post(), 'token'), ErrorCode.RESPONSE_TOO_LARGE)
  })

  it('the buffered response keeps the URL, status and headers of the one fetch gave', async () => {
    const answer = new Response('{"a":1}', { status: 201, statusText: 'Created', headers: { 'x-a': '1' } })
    Object.defineProperty(answer, 'url', { value: 'https://idp.test/token?x=1' })
    const response = await client(() => answer, { maxResponseSize: 100 }).send(post(), 'token')
    expect(response).not.toBe(answer)
    expect({ url: response.url, status: response.status, statusText: response.statusText, a: response.headers.get('x-a') }).toEqual({ url: 'https://idp.test/token?x=1', status: 201, statusText: 'Created', a: '1' })
  })

  it('refuses a body longer than the length it declared (a custom fetch need not enforce it)', async () => {
    await expectCode(client(() => new Response('0123456789ABCDEF', { headers: { 'content-length': '2' } })).send(post(), 'token'), ErrorCode.RESPONSE_TOO_LARGE)
  })

  it('leaves API bodies to the caller: no buffering and no limit for the api step', async () => {
    const big = 'x'.repeat(100)
    const response = await client(() => new Response(big, { headers: { 'content-length': '100' } })).send(new Request('https://api.test/'), 'api')
    expect(await response.text()).toBe(big)
  })
})

describe('bodies that stall or break after the headers', () => {
  it('a stalled body is a timeout, and is cancelled at its source', async () => {
    for (const headers of [{}, { 'content-length': '5' }] as HeadersInit[]) {
      const cancelled = { value: false }
      const err = await expectCode(client(() => new Response(stream(['ab'], 'stall', cancelled), { headers }), { timeout: 100 }).send(post(), 'token'), ErrorCode.TIMEOUT)
      expect(err).toMatchObject({ app: 'idp', message: 'idp: the token endpoint did not finish its response within 100 ms' })
      // Cancelling `response.body` while a reader holds it is refused: the cancel has to go through the reader.
      await vi.waitFor(() => expect(cancelled.value, JSON.stringify(headers)).toBe(true), { timeout: 1_000 })
    }
  })

  it('a body that fails midway is a network error whose cause keeps only name and message', async () => {
    const err = await expectCode(client(() => new Response(stream(['ab'], 'fail'))).send(post(), 'token'), ErrorCode.NETWORK_ERROR)
    expect(err).toMatchObject({ app: 'idp', message: 'idp: the token endpoint response was cut off' })
    expect(err.cause).toBeInstanceOf(Error)
  })

  it('a body aborted by something other than the timeout (a DOMException AbortError) is a network error, not a timeout', async () => {
    const aborted = new ReadableStream<Uint8Array>({ start: (c) => c.error(new DOMException('The operation was aborted.', 'AbortError')) })
    const err = await expectCode(client(() => new Response(aborted)).send(post(), 'token'), ErrorCode.NETWORK_ERROR)
    expect(err.message).toBe('idp: the token endpoint response was cut off')
    expect(err.cause).toMatchObject({ name: 'AbortError' })
  })

  it('a response whose headers came after the timeout fired (a fetch that ignores the signal) times out at once on a stalled body', async () => {
    const cancelled = { value: false }
    const late = client(
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 150))
        return new Response(stream(['ab'], 'stall', cancelled))
      },
      { timeout: 50 },
    ).send(post(), 'token')
    const deadline = new Promise((_, reject) => setTimeout(() => reject(new Error('still reading the body 2 s later')), 2_000))
    const err = await expectCode(Promise.race([late, deadline]), ErrorCode.TIMEOUT)
    expect(err.message).toBe('idp: the token endpoint did not finish its response within 50 ms')
    await vi.waitFor(() => expect(cancelled.value).toBe(true), { timeout: 1_000 })
  })
})

describe('anySignal without AbortSignal.any', () => {
  it('aborts with the reason of the first signal that aborts, at once for one already aborted', () => {
    vi.stubGlobal('AbortSignal', Object.assign(function () {}, { any: undefined }))
    const a = new AbortController()
    const b = new AbortController()
    const combined = anySignal([a.signal, b.signal])
    expect(combined.aborted).toBe(false)
    b.abort('b went first')
    a.abort('a')
    expect(combined.aborted).toBe(true)
    expect(combined.reason).toBe('b went first')
    const c = new AbortController()
    c.abort('already')
    const at = anySignal([new AbortController().signal, c.signal])
    expect(at.reason).toBe('already')
  })
})

describe('errors', () => {
  it('sanitize keeps name, message and a string code, and nothing else', () => {
    expect(sanitize('not an error')).toBeUndefined()
    const original = Object.assign(new TypeError('failed'), { code: 'ECONNRESET', body: 'secret', cause: new Error('secret cause') })
    const copy = sanitize(original)!
    expect(copy).not.toBe(original)
    expect(copy).toBeInstanceOf(Error)
    expect({ name: copy.name, message: copy.message, code: (copy as { code?: unknown }).code }).toEqual({ name: 'TypeError', message: 'failed', code: 'ECONNRESET' })
    expect(Object.keys(copy).sort()).toEqual(['code', 'name'])
    expect(copy.cause).toBeUndefined()
    expect('code' in sanitize(Object.assign(new Error('x'), { code: 42 }))!).toBe(false)
  })

  const bodyError = (error: string, status = 400) =>
    new oauth.ResponseBodyError('server responded with an error in the response body', { cause: { error, error_description: 'why' }, response: new Response(null, { status }) })
  const challenge = (parameters: Record<string, string>, status = 401) =>
    new oauth.WWWAuthenticateChallengeError('server responded with a challenge', { cause: [{ scheme: 'bearer', parameters }], response: new Response(null, { status }) })

  it('a provider error body: access_denied, else by step', () => {
    expect(toOAuthKitError(bodyError('access_denied'), 'idp', 'token')).toMatchObject({ code: ErrorCode.ACCESS_DENIED, message: 'idp: the token endpoint answered access_denied', status: 400 })
    const cases: Array<[Step, ErrorCode]> = [['metadata', ErrorCode.METADATA_INVALID], ['userinfo', ErrorCode.USERINFO_INVALID], ['token', ErrorCode.TOKEN_ERROR], ['refresh', ErrorCode.TOKEN_ERROR]]
    for (const [step, code] of cases) expect(toOAuthKitError(bodyError('invalid_grant'), 'idp', step).code, step).toBe(code)
    expect(toOAuthKitError(bodyError('invalid_grant'), 'idp', 'token').message).toBe('idp: the token endpoint answered with error "invalid_grant": why')
  })

  it('a WWW-Authenticate challenge: token_error for the token steps when it names an error, userinfo_invalid, else http_error', () => {
    for (const step of ['token', 'refresh', 'revocation', 'introspection', 'device'] as const) {
      const err = toOAuthKitError(challenge({ error: 'invalid_client', error_description: 'bad' }), 'idp', step)
      expect(err, step).toMatchObject({ code: ErrorCode.TOKEN_ERROR, status: 401, error: 'invalid_client', errorDescription: 'bad' })
      expect(toOAuthKitError(challenge({ realm: 'r' }), 'idp', step).code).toBe(ErrorCode.HTTP_ERROR)
    }
    expect(toOAuthKitError(challenge({ error: 'invalid_token' }), 'idp', 'userinfo').code).toBe(ErrorCode.USERINFO_INVALID)
    expect(toOAuthKitError(challenge({ error: 'invalid_token' }), 'idp', 'jwks').code).toBe(ErrorCode.HTTP_ERROR)
    expect(toOAuthKitError(challenge({ error: 'invalid_client' }), 'idp', 'token').message).toBe('idp: the token endpoint refused the request with HTTP 401 (invalid_client)')
    expect(toOAuthKitError(challenge({}), 'idp', 'token').message).toBe('idp: the token endpoint refused the request with HTTP 401')
  })

  it('an unsupported operation: unsupported_token_type when about token_type', () => {
    expect(toOAuthKitError(new oauth.UnsupportedOperationError('unsupported `token_type` value'), 'idp', 'token')).toMatchObject({
      code: ErrorCode.UNSUPPORTED_TOKEN_TYPE,
      message: 'idp: the token endpoint returned a token_type oauthkit cannot use',
    })
    expect(toOAuthKitError(new oauth.UnsupportedOperationError('no DPoP'), 'idp', 'token')).toMatchObject({ code: ErrorCode.UNSUPPORTED_OPERATION, message: 'idp: no DPoP' })
  })

  it('a processing error: unexpected status, an ID token problem at the token steps, userinfo, else invalid_response', () => {
    const status = new oauth.OperationProcessingError('"response" is not a conform Token Endpoint response (unexpected HTTP status code)', { code: oauth.RESPONSE_IS_NOT_CONFORM, cause: new Response(null, { status: 500 }) })
    expect(toOAuthKitError(status, 'idp', 'token')).toMatchObject({ code: ErrorCode.HTTP_ERROR, status: 500, message: 'idp: the token endpoint answered with unexpected HTTP status 500' })
    const noStatus = new oauth.OperationProcessingError('not conform', { code: oauth.RESPONSE_IS_NOT_CONFORM })
    expect(toOAuthKitError(noStatus, 'idp', 'token').message).toBe('idp: the token endpoint answered with unexpected HTTP status')
    for (const details of [{ claims: {} }, { header: {} }]) {
      const jwt = new oauth.OperationProcessingError('unexpected value', { cause: details })
      expect(toOAuthKitError(jwt, 'idp', 'token')).toMatchObject({ code: ErrorCode.ID_TOKEN_INVALID, message: 'idp: the ID token is invalid: unexpected value' })
      expect(toOAuthKitError(jwt, 'idp', 'refresh').code).toBe(ErrorCode.ID_TOKEN_INVALID)
      expect(toOAuthKitError(jwt, 'idp', 'introspection').code).toBe(ErrorCode.INVALID_RESPONSE)
    }
    expect(toOAuthKitError(new oauth.OperationProcessingError('bad body'), 'idp', 'userinfo')).toMatchObject({ code: ErrorCode.USERINFO_INVALID, message: 'idp: invalid userinfo response: bad body' })
    expect(toOAuthKitError(new oauth.OperationProcessingError('bad body'), 'idp', 'token')).toMatchObject({ code: ErrorCode.INVALID_RESPONSE, message: 'idp: invalid token endpoint response: bad body' })
  })

  it('a TypeError with a code is a request oauth4webapi refused; anything else names the step', () => {
    const refused = Object.assign(new TypeError('"as.token_endpoint" must be a string'), { code: 'ERR_INVALID_ARG_TYPE' })
    expect(toOAuthKitError(refused, 'idp', 'token')).toMatchObject({ code: ErrorCode.INVALID_REQUEST, message: 'idp: "as.token_endpoint" must be a string' })
    expect(toOAuthKitError(new TypeError('plain'), 'idp', 'token')).toMatchObject({ code: ErrorCode.INVALID_RESPONSE, message: 'idp: the token endpoint step failed: plain' })
    expect(toOAuthKitError('a string', 'idp', 'jwks')).toMatchObject({ code: ErrorCode.INVALID_RESPONSE, message: 'idp: the JWKS endpoint step failed: a string' })
    const err = toOAuthKitError(new TypeError('plain'), 'idp', 'token')
    expect(isOAuthKitError(err) && err.cause).toMatchObject({ name: 'TypeError', message: 'plain' })
  })

  it('an ID token problem is recognised by its oauth4webapi code, whatever the message says', () => {
    for (const code of [oauth.JWT_CLAIM_COMPARISON, oauth.JWT_TIMESTAMP_CHECK, oauth.KEY_SELECTION]) {
      const err = toOAuthKitError(new oauth.OperationProcessingError('check failed', { code }), 'idp', 'token')
      expect(err.code, code).toBe(ErrorCode.ID_TOKEN_INVALID)
    }
  })

  it('a challenge error without a parsed challenge is http_error, with no provider error', () => {
    const bare = new oauth.WWWAuthenticateChallengeError('server responded with a challenge', { cause: [], response: new Response(null, { status: 401 }) })
    expect(toOAuthKitError(bare, 'idp', 'token')).toMatchObject({ code: ErrorCode.HTTP_ERROR, status: 401, error: undefined, errorDescription: undefined })
  })

  it('a provider error made only of unprintable characters reads as an empty error, from the token endpoint or the callback', () => {
    expect(toOAuthKitError(bodyError('\u0007'), 'idp', 'token').message).toBe('idp: the token endpoint answered with error "": why')
    let refused: unknown
    try {
      oauth.validateAuthResponse({ issuer: 'https://idp.test' }, { client_id: 'app' }, new URLSearchParams({ error: '\u0007', state: 's' }), 's')
    } catch (error) {
      refused = error
    }
    expect(refused).toBeInstanceOf(oauth.AuthorizationResponseError)
    expect(authorizationResponseError(refused, 'idp')).toMatchObject({ code: ErrorCode.AUTHORIZATION_ERROR, message: 'idp: the provider answered with error ""' })
  })

  it('every translated error names the app and keeps a sanitised copy of what was thrown as its cause', () => {
    const thrown: Array<[Error, Step]> = [
      [new oauth.UnsupportedOperationError('unsupported `token_type` value'), 'token'],
      [new oauth.UnsupportedOperationError('no DPoP'), 'token'],
      [new oauth.OperationProcessingError('bad metadata'), 'metadata'],
      [new oauth.OperationProcessingError('check failed', { code: oauth.JWT_CLAIM_COMPARISON }), 'token'],
      [new oauth.OperationProcessingError('bad body'), 'userinfo'],
      [new oauth.OperationProcessingError('bad body'), 'token'],
      [Object.assign(new TypeError('"as.token_endpoint" must be a string'), { code: 'ERR_INVALID_ARG_TYPE' }), 'token'],
      [new Error('boom'), 'jwks'],
    ]
    for (const [error, step] of thrown) {
      const err = toOAuthKitError(error, 'idp', step)
      expect(err.app, error.message).toBe('idp')
      expect(err.cause, error.message).toBeInstanceOf(Error)
      expect(err.cause, error.message).not.toBe(error)
      expect(err.cause, error.message).toMatchObject({ name: error.name, message: error.message })
    }
  })
})

describe('the caller, the timeout and the hooks', () => {
  it("a request the caller's signal stopped rejects with the caller's reason, not as a network error", async () => {
    const caller = new AbortController()
    const reason = new Error('the caller gave up')
    caller.abort(reason)
    const http = client(() => Promise.reject(new TypeError('fetch failed')))
    await expect(http.send(post(), 'token', caller.signal)).rejects.toBe(reason)
  })

  it('a fetch stopped by the timeout is a timeout that names the app and keeps a sanitised cause', async () => {
    const http = new HttpClient({
      app: 'idp',
      fetch: (input) =>
        new Promise((_, reject) => {
          const { signal } = input as Request
          signal.addEventListener('abort', () => reject(Object.assign(signal.reason as Error, { body: 'secret' })))
        }),
      timeout: 30,
      maxResponseSize: 10,
      hooks: {},
    })
    const err = await expectCode(http.send(post(), 'token'), ErrorCode.TIMEOUT)
    expect(err).toMatchObject({ app: 'idp', message: 'idp: the token endpoint did not answer within 30 ms' })
    expect(err.cause).toBeInstanceOf(Error)
    expect(err.cause).toMatchObject({ name: 'TimeoutError' })
    expect(Object.keys(err.cause as object)).not.toContain('body')
  })

  it('runs a single hook given without an array, and works with no response hooks at all', async () => {
    const hooks: ComplianceHooks = {
      accessTokenRequest: (request) => {
        const edited = new Request(request)
        edited.headers.set('x-hooked', 'yes')
        return edited
      },
      accessTokenResponse: () => Response.json({ replaced: true }),
    }
    const response = await client(() => Response.json({ a: 1 }), { hooks, maxResponseSize: 1000 }).send(post(), 'token')
    expect(sent[0]!.headers.get('x-hooked')).toBe('yes')
    expect(await response.json()).toEqual({ replaced: true })
    const bare = new HttpClient({ app: 'idp', fetch: async () => new Response('ok'), timeout: 5_000, maxResponseSize: 10, hooks: {} })
    expect(await (await bare.send(post(), 'token')).text()).toBe('ok')
  })
})

describe('rewriteJson', () => {
  const add = (body: Record<string, unknown>) => ({ ...body, added: true })
  const answer = (text: string) => new Response(text, { status: 400, headers: { 'content-type': 'text/plain', 'content-length': String(text.length), 'x-a': '1' } })

  it('edits a JSON object: the new body as JSON, content-type set, content-length dropped, the same status or the one given', async () => {
    const edited = await rewriteJson(answer('{"a":1}'), add)
    expect(await edited.json()).toEqual({ a: 1, added: true })
    expect(edited.status).toBe(400)
    expect([...edited.headers].sort()).toEqual([['content-type', 'application/json'], ['x-a', '1']])
    const ok = await rewriteJson(answer('{"a":1}'), add, { status: 200 })
    expect(ok.status).toBe(200)
  })

  it('leaves anything but a JSON object as it was: text, status and headers', async () => {
    for (const text of ['not json', '[1,2]', 'null', '5', '"a string"', 'true']) {
      const kept = await rewriteJson(answer(text), add, { status: 200 })
      expect(await kept.text(), text).toBe(text)
      expect(kept.status, text).toBe(400)
      expect(kept.headers.get('content-type'), text).toBe('text/plain')
      expect(kept.headers.get('x-a'), text).toBe('1')
    }
  })
})
