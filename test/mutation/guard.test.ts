/**
 * Tests written to kill the surviving mutants of the `guard` scope (npm run mutate -- guard): the
 * bearer guard's options (src/guard/guard.ts), its RFC 6750 answers, exactly (status, JSON body,
 * `WWW-Authenticate` with its quoting), which tokens take the JWT path, and the route scopes. No
 * network: opaque tokens go to an introspector stub, and the JWTs here are refused before any key is
 * looked up.
 */
import { describe, expect, it } from 'vitest'
import {
  BearerGuard,
  ErrorCode,
  OAuthKitError,
  isOAuthKitError,
  type BearerGuardOptions,
} from '../../src/index.js'

const API = 'https://api.example/notes'
const IDP = 'https://idp.example'

const now = () => Math.floor(Date.now() / 1000)
const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
/** A compact JWS with this header and payload text (the signature is never reached). */
const jws = (header: Record<string, unknown>, payload: string) =>
  `${part(header)}.${Buffer.from(payload).toString('base64url')}.AAAA`
const AT = { alg: 'RS256', typ: 'at+jwt' }

type Answer = Record<string, unknown> | (() => never)

/** A guard whose one issuer introspects opaque tokens with `answer`. */
function guardWith(answer: Answer = {}, options: Partial<BearerGuardOptions> = {}) {
  const introspectToken = async () => (typeof answer === 'function' ? answer() : answer)
  return new BearerGuard({
    audience: API,
    issuers: [{ issuer: IDP, algorithms: ['RS256'], introspection: { introspectToken } as never }],
    realm: 'notes',
    ...options,
  })
}
const active = (claims: Record<string, unknown> = {}) => ({
  active: true,
  aud: API,
  exp: now() + 300,
  ...claims,
})

const bearer = (token: string) => new Request(`${API}/1`, { headers: { authorization: `Bearer ${token}` } })

async function refused(guard: BearerGuard, request: Request, options = {}) {
  const result = await guard.authenticate(request, options)
  if (result.ok) throw new Error('expected a refusal')
  return {
    status: result.response.status,
    challenge: result.response.headers.get('www-authenticate'),
    cache: result.response.headers.get('cache-control'),
    retryAfter: result.response.headers.get('retry-after'),
    body: (await result.response.json()) as unknown,
    error: result.error,
  }
}

async function reason(promise: Promise<unknown>): Promise<OAuthKitError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isOAuthKitError(error)) throw new Error(`expected an OAuthKitError, got ${String(error)}`)
  return error
}

function configRefusal(make: () => unknown): string {
  try {
    make()
  } catch (error) {
    expect(isOAuthKitError(error, 'config_invalid'), String(error)).toBe(true)
    return (error as Error).message
  }
  throw new Error('expected config_invalid')
}

describe('BearerGuard options, exactly', () => {
  const make = (options: Record<string, unknown>) => () =>
    new BearerGuard({ audience: API, issuers: [IDP], ...options } as BearerGuardOptions)

  it('refuses options that are not an object, with "needs options"', () => {
    for (const options of [null, undefined, 'x', 1])
      expect(configRefusal(() => new BearerGuard(options as never))).toBe(
        'bearer guard: needs options',
      )
  })

  it('takes an audience list and accepts a token for any of its audiences', async () => {
    const guard = guardWith(active({ aud: 'https://other.example' }), {
      audience: [API, 'https://other.example'],
    })
    expect(await guard.verify('opaque')).toMatchObject({ iss: IDP, aud: 'https://other.example' })
  })

  it('refuses an audience list with any empty or non-string member', () => {
    for (const audience of [[API, ''], [API, 1], ['', API]])
      expect(configRefusal(make({ audience }))).toBe(
        'bearer guard: audience must name the API (a string or strings)',
      )
  })

  it('takes a clockTolerance from 0 to 300 inclusive, and only a number', () => {
    for (const clockTolerance of [0, 300]) expect(make({ clockTolerance })()).toBeInstanceOf(BearerGuard)
    for (const clockTolerance of [-1, 301, '5', Number.NaN])
      expect(configRefusal(make({ clockTolerance }))).toBe(
        'bearer guard: clockTolerance must be from 0 to 300 seconds',
      )
  })

  it('takes introspectionCacheSeconds 0 (no cache), and only a number', () => {
    expect(make({ introspectionCacheSeconds: 0 })()).toBeInstanceOf(BearerGuard)
    for (const introspectionCacheSeconds of [-1, '5'])
      expect(configRefusal(make({ introspectionCacheSeconds }))).toBe(
        'bearer guard: introspectionCacheSeconds must be a number of seconds',
      )
  })

  it('refuses a realm that is not a string', () => {
    expect(configRefusal(make({ realm: 5 }))).toBe(
      'bearer guard: realm must be printable ASCII without quotes or backslashes',
    )
  })

  it('refuses a scope list with any member that is not a scope token', () => {
    for (const scopes of [['a', 'b c'], ['a', 1], [1]])
      expect(configRefusal(make({ scopes }))).toBe(
        'bearer guard: scopes must be a list of scope tokens (RFC 6749 §3.3)',
      )
  })
})

describe('RFC 6750 answers, exactly', () => {
  it('answers no Authorization header with 401, a bare challenge and the "unauthorized" body', async () => {
    const answer = await refused(guardWith(), new Request(API))
    expect(answer).toMatchObject({ status: 401, challenge: 'Bearer realm="notes"', cache: 'no-store' })
    expect(answer.body).toEqual({ error: 'unauthorized', error_description: 'a bearer token is required' })
  })

  it('names every missing scope, space-separated, in the 403 challenge and the message', async () => {
    const answer = await refused(
      guardWith(active({ scope: 'notes:read' }), { scopes: ['notes:write'] }),
      bearer('opaque'),
      { scopes: ['notes:read', 'notes:admin'] },
    )
    expect(answer.status).toBe(403)
    expect(answer.challenge).toBe(
      'Bearer realm="notes", error="insufficient_scope", error_description="the token lacks the scope notes:write notes:admin", scope="notes:write notes:read notes:admin"',
    )
    expect(answer.body).toEqual({
      error: 'insufficient_scope',
      error_description: 'the token lacks the scope notes:write notes:admin',
    })
  })

  it('names a scope the guard lists twice once, as a route that lists no scopes of its own does', async () => {
    const guard = guardWith(active({ scope: 'notes:read' }), { scopes: ['notes:write', 'notes:write'] })
    for (const options of [{}, { scopes: [] }]) {
      const answer = await refused(guard, bearer('opaque'), options)
      expect(answer.challenge).toBe(
        'Bearer realm="notes", error="insufficient_scope", error_description="the token lacks the scope notes:write", scope="notes:write"',
      )
    }
  })

  it('quotes an error description: quotes and backslashes escaped, other bytes as "?", the prefix cut only at the start', async () => {
    const message = 'upstream said "no" \\ bearer guard: café'
    const answer = await refused(
      guardWith(() => {
        throw new OAuthKitError(ErrorCode.INVALID_TOKEN, message)
      }),
      bearer('opaque'),
    )
    expect(answer.status).toBe(401)
    expect(answer.challenge).toBe(
      'Bearer realm="notes", error="invalid_token", error_description="upstream said \\"no\\" \\\\ bearer guard: caf?"',
    )
    expect(answer.body).toEqual({ error: 'invalid_token', error_description: message })
  })

  it('answers an issuer that could not be reached with 503, retry-after 10, no challenge', async () => {
    const answer = await refused(
      guardWith(() => {
        throw new TypeError('fetch failed')
      }),
      bearer('opaque'),
    )
    expect(answer).toMatchObject({ status: 503, challenge: null, cache: 'no-store', retryAfter: '10' })
    expect(answer.body).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'the token could not be checked: its issuer did not answer',
    })
    expect(answer.error?.message).toBe('bearer guard: introspection failed')
  })

  it('answers an unexpected failure in the check with 503 and a network_error that names no detail', async () => {
    const answer = await refused(
      guardWith({
        get active(): boolean {
          throw new TypeError('a broken introspection answer')
        },
      }),
      bearer('opaque'),
    )
    expect(answer.status).toBe(503)
    expect(answer.error?.code).toBe(ErrorCode.NETWORK_ERROR)
    expect(answer.error?.message).toBe('bearer guard: the token could not be checked')
  })
})

describe('verify, exactly', () => {
  it('refuses an empty or non-string token with "no token"', async () => {
    for (const token of ['', 1, undefined]) {
      const error = await reason(guardWith(active()).verify(token as never))
      expect([error.code, error.message]).toEqual([ErrorCode.INVALID_TOKEN, 'bearer guard: no token'])
    }
  })

  it('refuses a five-part token as JWE, without introspecting it', async () => {
    const error = await reason(guardWith(active()).verify('eyJhbGciOiJkaXIifQ.a.b.c.d'))
    expect(error.message).toBe('bearer guard: encrypted tokens (JWE) are not accepted')
  })

  it('sends a three-part token that does not start with "ey" to introspection, not to the JWT checks', async () => {
    const claims = await guardWith(active({ sub: 'opaque-owner' })).verify('abc.def.ghi')
    expect(claims).toMatchObject({ sub: 'opaque-owner', iss: IDP })
  })

  it('refuses a JWT whose payload is not JSON, or not a JSON object, as malformed', async () => {
    const guard = guardWith(active())
    for (const payload of ['not json', '1', '"iss"', '[]']) {
      const error = await reason(guard.verify(jws(AT, payload)))
      expect([payload, error.message]).toEqual([payload, 'bearer guard: the token is malformed'])
    }
  })

  it('refuses an algorithm no issuer is trusted for before reading the issuer', async () => {
    const token = jws({ alg: 'ES256', typ: 'at+jwt' }, JSON.stringify({ iss: 'https://evil.example' }))
    const error = await reason(guardWith(active()).verify(token))
    expect(error.message).toBe('bearer guard: the token signature algorithm is not accepted')
  })
})

describe('route scopes', () => {
  it('names a bad route scope "the route scopes"', async () => {
    const error = await reason(guardWith(active()).verify('opaque', { scopes: ['a b'] }))
    expect([error.code, error.message]).toEqual([
      'config_invalid',
      'bearer guard: the route scopes must be a list of scope tokens (RFC 6749 §3.3)',
    ])
  })

  it('reads a new scope list given in the same route options object', async () => {
    const guard = guardWith(active({ scope: 'a' }))
    const route: { scopes: string[] } = { scopes: ['a'] }
    await expect(guard.verify('opaque', route)).resolves.toMatchObject({ scope: 'a' })
    route.scopes = ['b']
    expect((await reason(guard.verify('opaque', route))).message).toBe(
      'bearer guard: the token lacks the scope b',
    )
  })

  it('checks and merges a route scope list once per route options object', async () => {
    const guard = guardWith(active({ scope: 'a' }))
    let reads = 0
    const scopes = new Proxy(['a'], {
      get(target, key, receiver) {
        if (key === 'every') reads++
        return Reflect.get(target, key, receiver) as unknown
      },
    })
    const route = { scopes }
    for (let i = 0; i < 3; i++) await guard.verify('opaque', route)
    expect(reads).toBe(1)
  })
})
