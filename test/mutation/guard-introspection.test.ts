/**
 * Tests written to kill the surviving mutants of `src/guard/introspection.ts` (guard-trust scope): the
 * bearer guard's RFC 7662 introspection of opaque tokens. Pins the request (`token_type_hint`), which
 * active answers are refused (another `iss`, a refresh token, a `cnf`-bound token, a missing answer),
 * the audience/`exp`/`nbf` checks at their exact boundaries with the clock tolerance, and the cache:
 * keyed per token by its SHA-256 (two hex digits a byte), kept for at most the token's life and
 * `introspectionCacheSeconds`, an expired entry dropped, and the 10,000-entry bound (expired entries
 * swept first, then the oldest live one evicted; an answer that may not be kept evicts nothing). The
 * `Introspection` class is driven directly with a stub issuer; time is faked (`Date` only).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ErrorCode, isOAuthKitError } from '../../src/index.js'
import { Introspection, checkTimesAndAudience } from '../../src/guard/introspection.js'
import type { IssuerEntry } from '../../src/guard/issuers.js'

const API = 'https://api.example/notes'
const IDP = 'https://idp.example'
const MAX_ENTRIES = 10_000
/** A whole second, so `exp`/`nbf` boundaries land exactly on `Date.now()`. */
const T0 = Date.UTC(2030, 0, 1)
const nowS = () => Math.floor(Date.now() / 1000)

type Answer = Record<string, unknown> | undefined

/** A stub issuer: `answer(token)` is what it says about the token; `calls` counts per token. */
function stub(answer: (token: string) => Answer = () => ({})) {
  const calls = new Map<string, number>()
  const seen: unknown[][] = []
  const introspectToken = vi.fn(async (token: string, options?: unknown) => {
    calls.set(token, (calls.get(token) ?? 0) + 1)
    seen.push([token, options])
    const extra = answer(token)
    return extra === undefined ? undefined : { active: true, aud: API, sub: token, ...extra }
  })
  const entry = {
    issuer: IDP,
    algorithms: ['RS256'],
    introspection: { introspectToken },
    keys: async () => {
      throw new Error('not used')
    },
    ready: () => undefined,
  } as unknown as IssuerEntry
  return { entry, calls, seen, count: (token: string) => calls.get(token) ?? 0 }
}

function introspection(
  answer?: (token: string) => Answer,
  cacheSeconds = 1000,
  clockTolerance = 60,
) {
  const s = stub(answer)
  return { ...s, guard: new Introspection([s.entry], { audience: [API], clockTolerance }, cacheSeconds) }
}

async function refused(promise: Promise<unknown>, message: string) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(isOAuthKitError(error)).toBe(true)
  expect(error).toMatchObject({ code: ErrorCode.INVALID_TOKEN, message: `bearer guard: ${message}` })
}

/** Introspects `t0 … t{n-1}` (each then cached), in that order. */
async function fill(guard: Introspection, n = MAX_ENTRIES) {
  for (let i = 0; i < n; i++) await guard.claims(`t${i}`)
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(T0)
})
afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('the introspection request and answer', () => {
  it('asks with token_type_hint=access_token', async () => {
    const { guard, seen } = introspection()
    await guard.claims('opaque')
    expect(seen).toEqual([['opaque', { tokenTypeHint: 'access_token' }]])
  })

  it('a missing answer is an inactive token, not a crash', async () => {
    const { guard } = introspection(() => undefined)
    await refused(guard.claims('opaque'), 'the token is not active')
  })

  it('refuses an answer naming another issuer; accepts its own', async () => {
    await refused(
      introspection(() => ({ iss: 'https://evil.example' })).guard.claims('x'),
      'the introspected token names another issuer',
    )
    await expect(introspection(() => ({ iss: IDP })).guard.claims('x')).resolves.toMatchObject({
      iss: IDP,
      sub: 'x',
    })
  })

  it('refuses a refresh token and a cnf-bound token; accepts bearer and access_token types', async () => {
    const plain = 'the token is not a plain bearer access token'
    await refused(introspection(() => ({ token_type: 'refresh_token' })).guard.claims('x'), plain)
    await refused(introspection(() => ({ cnf: { jkt: 'abc' } })).guard.claims('x'), plain)
    await refused(
      introspection(() => ({ token_type: 'Bearer', cnf: { jkt: 'abc' } })).guard.claims('x'),
      plain,
    )
    for (const token_type of ['Bearer', 'access_token', 'Access_Token']) {
      await expect(
        introspection(() => ({ token_type })).guard.claims('x'),
      ).resolves.toMatchObject({ token_type, sub: 'x' })
    }
  })
})

describe('audience, exp and nbf (checkTimesAndAudience)', () => {
  const checks = { audience: [API], clockTolerance: 30 }
  const check = (claims: Record<string, unknown>) =>
    checkTimesAndAudience({ iss: IDP, ...claims }, checks)

  it('an aud array needs one of the audiences, not all', () => {
    expect(() => check({ aud: ['https://other.example', API] })).not.toThrow()
    expect(() => check({ aud: ['https://other.example'] })).toThrow(
      'bearer guard: the token is for another audience',
    )
  })

  it('exp is expired at exactly now - tolerance; a null exp is no exp', () => {
    expect(() => check({ aud: API, exp: nowS() - 30 })).toThrow('bearer guard: the token has expired')
    expect(() => check({ aud: API, exp: nowS() - 29 })).not.toThrow()
    expect(() => check({ aud: API, exp: null })).not.toThrow()
  })

  it('nbf: past and within the tolerance are fine, beyond it is not; a non-number nbf is ignored', () => {
    expect(() => check({ aud: API, nbf: nowS() - 100 })).not.toThrow()
    expect(() => check({ aud: API, nbf: nowS() + 20 })).not.toThrow()
    expect(() => check({ aud: API, nbf: nowS() + 30 })).not.toThrow()
    expect(() => check({ aud: API, nbf: nowS() + 31 })).toThrow(
      'bearer guard: the token is not yet valid',
    )
    expect(() => check({ aud: API, nbf: String(nowS() + 1000) })).not.toThrow()
  })
})

describe('the cache', () => {
  it('keys each token on its own: another token is introspected, with its own claims', async () => {
    const { guard, count } = introspection()
    expect(await guard.claims('alice')).toMatchObject({ sub: 'alice' })
    expect(await guard.claims('bob')).toMatchObject({ sub: 'bob' })
    expect(await guard.claims('alice')).toMatchObject({ sub: 'alice' })
    expect([count('alice'), count('bob')]).toEqual([1, 1])
  })

  it('writes each digest byte as two hex digits, so distinct digests never share a key', async () => {
    // 01 23 00… and 12 03 00… would both read "123" + zeros without the padding.
    const bytes: Record<string, number[]> = { a: [0x01, 0x23], b: [0x12, 0x03] }
    vi.spyOn(crypto.subtle, 'digest').mockImplementation(async (_alg, data) => {
      const out = new Uint8Array(32)
      out.set(bytes[new TextDecoder().decode(data as Uint8Array)]!)
      return out.buffer
    })
    const { guard, count } = introspection()
    expect(await guard.claims('a')).toMatchObject({ sub: 'a' })
    expect(await guard.claims('b')).toMatchObject({ sub: 'b' })
    expect([count('a'), count('b')]).toEqual([1, 1])
  })

  it('keeps an answer without exp for introspectionCacheSeconds, up to the exact millisecond', async () => {
    let active = true
    const { guard, count } = introspection(() => (active ? {} : undefined), 1)
    await guard.claims('x')
    vi.setSystemTime(T0 + 999)
    await guard.claims('x')
    expect(count('x')).toBe(1)
    active = false
    vi.setSystemTime(T0 + 1000)
    await refused(guard.claims('x'), 'the token is not active')
    expect(count('x')).toBe(2)
  })

  it('an expired entry is dropped, so its token is kept again as the newest', async () => {
    // `a` first lives 10 s; asked again later, it must move behind `b`, so once the cache is full
    // the next answer evicts `b`, not `a`.
    const { guard, count } = introspection((t) => (t === 'a' ? { exp: nowS() + 10 } : {}))
    await guard.claims('a')
    await guard.claims('b')
    vi.setSystemTime(T0 + 20_000)
    await guard.claims('a')
    expect(count('a')).toBe(2)
    await fill(guard, MAX_ENTRIES - 2)
    await guard.claims('z')
    await guard.claims('a')
    expect(count('a')).toBe(2)
    await guard.claims('b')
    expect(count('b')).toBe(2)
  })

  it('when full of live answers, a new one evicts only the oldest', async () => {
    const { guard, count } = introspection()
    await fill(guard)
    await guard.claims('z')
    await guard.claims('t1')
    await guard.claims(`t${MAX_ENTRIES - 1}`)
    await guard.claims('z')
    expect([count('t1'), count(`t${MAX_ENTRIES - 1}`), count('z')]).toEqual([1, 1, 1])
    await guard.claims('t0')
    expect(count('t0')).toBe(2)
  })

  it('when full, expired answers (to the exact millisecond) are swept before any live one is evicted', async () => {
    const { guard, count } = introspection((t) => (t === 't1' ? { exp: nowS() + 10 } : {}))
    await fill(guard)
    vi.setSystemTime(T0 + 10_000)
    await guard.claims('z')
    for (const t of ['t0', 't2', `t${MAX_ENTRIES - 1}`, 'z']) await guard.claims(t)
    expect([count('t0'), count('t2'), count(`t${MAX_ENTRIES - 1}`), count('z')]).toEqual([
      1, 1, 1, 1,
    ])
    await guard.claims('t1')
    expect(count('t1')).toBe(2)
  })

  it('an answer that may not be kept (exp now, within the tolerance) evicts nothing', async () => {
    const { guard, count } = introspection((t) => (t === 'z' ? { exp: nowS() } : {}))
    await fill(guard)
    await expect(guard.claims('z')).resolves.toMatchObject({ sub: 'z', exp: T0 / 1000 })
    await guard.claims('t0')
    expect(count('t0')).toBe(1)
    await guard.claims('z')
    expect(count('z')).toBe(2)
  })
})
