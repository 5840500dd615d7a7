/**
 * The transaction store (src/transaction.ts), what test/transaction.test.ts and the hostile cookie tests
 * leave unpinned: the replay guard at the TTL's last millisecond, the seal's expiry backstop, the exact
 * cookie size and byte budgets, the order in which old logins are dropped, the shape of a sealed
 * transaction, and the messages and `app` of every refusal.
 */
import { seal } from '../../src/session/seal.js'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ErrorCode, MemoryCookieJar, type Transaction } from '../../src/index.js'
import type { CookieStore } from '../../src/session/cookies.js'
import { fallbackSecret } from '../../src/session/secret.js'
import { MAX_TRANSACTION_BYTES, TransactionStore } from '../../src/session/transaction.js'
import { REDIRECT, SECRET, expectCode } from '../support/helpers.js'

const LAX = { secure: true, sameSite: 'lax' } as const
const PREFIX = '__Host-oauthkit.tx.'
const state = (c: string) => c.repeat(43)
const tx = (key: string, extra: Partial<Transaction> = {}): Transaction => ({ app: 'idp', key, redirectUri: REDIRECT, createdAt: Date.now(), ...extra })
/** What a cookie adds to the `Cookie` header: `name=value; `. */
const headerBytes = (name: string, value: string) => name.length + encodeURIComponent(value).length + 2

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date('2026-12-01T00:00:00Z'))
})
afterEach(() => vi.useRealTimers())

describe('replays', () => {
  it('a callback replayed at the last millisecond of the TTL is refused like any other replay', async () => {
    const store = new TransactionStore({ secret: SECRET, ttl: 60 })
    const cookies = new MemoryCookieJar()
    await store.save({ cookies }, tx(state('a')), LAX, 60)
    const value = cookies.get(PREFIX + state('a'))!
    await store.take({ cookies }, state('a'), 'idp', LAX, 60)
    vi.setSystemTime(Date.now() + 60_000) // still within the TTL
    cookies.set(PREFIX + state('a'), value)
    const err = await expectCode(store.take({ cookies }, state('a'), 'idp', LAX, 60), ErrorCode.TRANSACTION_NOT_FOUND)
    expect(err).toMatchObject({ app: 'idp', message: 'idp: this login transaction was already used' })
  })

  it('another login that uses the key then (a replay of one already taken) is refused too, whatever else was taken meanwhile', async () => {
    const store = new TransactionStore({ secret: SECRET, ttl: 60 })
    const cookies = new MemoryCookieJar()
    await store.save({ cookies }, tx(state('a')), LAX, 60)
    const value = cookies.get(PREFIX + state('a'))!
    await store.take({ cookies }, state('a'), 'idp', LAX, 60)
    vi.setSystemTime(Date.now() + 60_000)
    // Taking another transaction at that millisecond must not forget the first one.
    await store.save({ cookies }, tx(state('b')), LAX, 60)
    await store.take({ cookies }, state('b'), 'idp', LAX, 60)
    cookies.set(PREFIX + state('a'), value)
    await expectCode(store.take({ cookies }, state('a'), 'idp', LAX, 60), ErrorCode.TRANSACTION_NOT_FOUND)
  })

  it('a key used by a login whose TTL has passed can serve a new login (an OAuth 1 provider reusing a temporary token)', async () => {
    const store = new TransactionStore({ secret: SECRET, ttl: 60 })
    const cookies = new MemoryCookieJar()
    await store.save({ cookies }, tx('temporary-token'), LAX, 60)
    await store.take({ cookies }, 'temporary-token', 'idp', LAX, 60)
    vi.setSystemTime(Date.now() + 60_001)
    await store.save({ cookies }, tx('temporary-token'), LAX, 60)
    await expect(store.take({ cookies }, 'temporary-token', 'idp', LAX, 60)).resolves.toMatchObject({ key: 'temporary-token' })
  })
})

describe('sealing', () => {
  it("the seal's own expiry is later than the TTL: a transaction of the default 600 s is taken at its last second", async () => {
    const store = new TransactionStore({ secret: SECRET })
    const cookies = new MemoryCookieJar()
    await store.save({ cookies }, tx(state('a')), LAX)
    vi.setSystemTime(Date.now() + 600_000)
    await expect(store.take({ cookies }, state('a'), 'idp', LAX)).resolves.toMatchObject({ key: state('a') })
  })

  it('takes the sealed part after the first dot; the creation time before it only serves pruning', async () => {
    const store = new TransactionStore({ secret: SECRET })
    const cookies = new MemoryCookieJar()
    await store.save({ cookies }, tx(state('a')), LAX)
    const value = cookies.get(PREFIX + state('a'))!
    cookies.set(PREFIX + state('a'), `0${value.slice(value.indexOf('.'))}`)
    await expect(store.take({ cookies }, state('a'), 'idp', LAX)).resolves.toMatchObject({ key: state('a') })
  })

  it('refuses a cookie sealed with the secret but without the fields of a transaction', async () => {
    const store = new TransactionStore({ secret: SECRET })
    const full = tx(state('a'))
    const shapes: Array<Partial<Transaction>> = [
      { app: full.app, redirectUri: full.redirectUri, createdAt: full.createdAt },
      { key: full.key, redirectUri: full.redirectUri, createdAt: full.createdAt },
      { key: full.key, app: full.app, redirectUri: full.redirectUri },
      { key: full.key, app: full.app, createdAt: full.createdAt },
    ]
    for (const shape of shapes) {
      const cookies = new MemoryCookieJar()
      cookies.set(PREFIX + state('a'), `${Date.now().toString(36)}.${await seal(shape, SECRET, 660)}`)
      const err = await expectCode(store.take({ cookies }, state('a'), 'idp', LAX), ErrorCode.TRANSACTION_INVALID)
      expect(err.app).toBe('idp')
      expect(err.message).toBe('idp: the login transaction cookie is invalid (tampered, truncated, expired long ago, or sealed with another secret)')
    }
  })

  it('names a key of 43 base64url characters as is, and hashes any longer, shorter or other key', async () => {
    const store = new TransactionStore({ secret: SECRET })
    expect(await store.cookieName(state('a'))).toBe(PREFIX + state('a'))
    for (const key of [`${state('a')}b`, `!${state('a')}`, `${state('a')}!`]) {
      const name = await store.cookieName(key)
      expect(name).toMatch(/^__Host-oauthkit\.tx\.[\w-]{22}$/)
    }
  })

  it('drops only a leading __Host- or __Secure- of the prefix on http loopback', async () => {
    const store = new TransactionStore({ secret: SECRET, cookiePrefix: 'app__Secure-tx.' })
    expect(await store.cookieName(state('a'), { insecureLoopback: true })).toBe(`app__Secure-tx.${state('a')}`)
  })

  it('the fallback secret is 32 random bytes, as 64 hex digits', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const a = fallbackSecret()
    warn.mockRestore()
    expect(a).toMatch(/^[0-9a-f]{64}$/)
    expect(fallbackSecret()).not.toBe(a)
    expect(() => new TransactionStore({ secret: a })).not.toThrow()
  })
})

describe('refusals name the app and say why', () => {
  it('no cookie, a cookie moved from another login, an expired login, another app, another session', async () => {
    const store = new TransactionStore({ secret: SECRET, ttl: 60 })
    const cookies = new MemoryCookieJar()
    const missing = await expectCode(store.take({ cookies }, state('a'), 'idp', LAX), ErrorCode.TRANSACTION_NOT_FOUND)
    expect(missing).toMatchObject({
      app: 'idp',
      message: 'idp: no login transaction matches this callback (it was already used, started in another browser, or its cookie was not sent back)',
    })

    await store.save({ cookies }, tx(state('a')), LAX, 60)
    cookies.set(PREFIX + state('b'), cookies.get(PREFIX + state('a'))!)
    expect(await expectCode(store.take({ cookies }, state('b'), 'idp', LAX, 60), ErrorCode.TRANSACTION_INVALID)).toMatchObject({ app: 'idp' })

    await store.save({ cookies }, tx(state('c')), LAX, 60)
    vi.setSystemTime(Date.now() + 60_001)
    expect(await expectCode(store.take({ cookies }, state('c'), 'idp', LAX, 60), ErrorCode.TRANSACTION_EXPIRED)).toMatchObject({ app: 'idp' })

    await store.save({ cookies }, tx(state('d'), { app: 'github' }), LAX, 60)
    expect(await expectCode(store.take({ cookies }, state('d'), 'idp', LAX, 60), ErrorCode.APP_MISMATCH)).toMatchObject({ app: 'idp' })

    await store.save({ cookies, binding: 'session-1' }, tx(state('e')), LAX, 60)
    const other = await expectCode(store.take({ cookies, binding: 'session-2' }, state('e'), 'idp', LAX, 60), ErrorCode.TRANSACTION_INVALID)
    expect(other).toMatchObject({ app: 'idp', message: 'idp: the login transaction was started in another session of this app (its binding differs); start again' })
  })

  it('a secret or a cookie prefix that is not a string is refused, and a secret of exactly 32 characters is enough', () => {
    const secretError = 'OAuth: secret must be at least 32 characters (or a map of such strings)'
    expect(() => new TransactionStore({ secret: { a: 12345678 } as unknown as Record<string, string> })).toThrow(expect.objectContaining({ code: ErrorCode.CONFIG_INVALID, message: secretError }))
    expect(() => new TransactionStore({ secret: 'x'.repeat(31) })).toThrow(secretError)
    expect(() => new TransactionStore({ secret: 'x'.repeat(32) })).not.toThrow()
    expect(() => new TransactionStore({ secret: SECRET, cookiePrefix: 12345 as unknown as string })).toThrow(
      expect.objectContaining({ code: ErrorCode.CONFIG_INVALID, message: 'OAuth: cookiePrefix must be a non-empty cookie name token (RFC 6265 §4.1.1)' }),
    )
  })

  it('without a secret the store is made (the fallback secret comes when it first seals); an empty map of secrets is refused', async () => {
    const store = new TransactionStore({ ttl: 60 })
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
    const cookies = new MemoryCookieJar()
    await store.save({ cookies }, tx(state('a')), LAX, 60)
    warn.mockRestore()
    expect(await store.take({ cookies }, state('a'), 'idp', LAX, 60)).toMatchObject({ key: state('a') })
    expect(() => new TransactionStore({ secret: {} })).toThrow(
      expect.objectContaining({ code: ErrorCode.CONFIG_INVALID, message: 'OAuth: secret must be at least 32 characters (or a map of such strings)' }),
    )
  })

  it('a binding that is not a non-empty string is invalid_request naming the app', async () => {
    const store = new TransactionStore({ secret: SECRET, ttl: 60 })
    for (const binding of ['', 42 as unknown as string]) {
      const err = await expectCode(store.save({ cookies: new MemoryCookieJar(), binding }, tx(state('a')), LAX, 60), ErrorCode.INVALID_REQUEST)
      expect(err).toMatchObject({ app: 'idp', message: 'idp: ctx.binding must be a non-empty string' })
    }
  })
})

describe('bounds', () => {
  /** The name and value `save` writes for `transaction` with `store`, measured in a jar of its own. */
  async function written(store: TransactionStore, transaction: Transaction) {
    const cookies = new MemoryCookieJar()
    await store.save({ cookies }, transaction, LAX)
    return cookies.getAll()[0]!
  }

  it('a cookie of exactly 4096 bytes with its attributes is written; one byte more is refused', async () => {
    const probe = new TransactionStore({ secret: SECRET, cookiePrefix: 'p' })
    const big = tx(state('a'), { returnTo: `/${'x'.repeat(2500)}` })
    const { name, value } = await written(probe, big)
    // save counts name + encoded value + 120 bytes of attributes against 4096: fill the rest with the prefix.
    const room = 4096 - (name.length + encodeURIComponent(value).length + 120)
    expect(room).toBeGreaterThan(0)
    const fits = new TransactionStore({ secret: SECRET, cookiePrefix: 'p'.repeat(1 + room) })
    const cookies = new MemoryCookieJar()
    await fits.save({ cookies }, big, LAX)
    expect(cookies.getAll()).toHaveLength(1)
    const over = new TransactionStore({ secret: SECRET, cookiePrefix: 'p'.repeat(2 + room) })
    const err = await expectCode(over.save({ cookies: new MemoryCookieJar() }, big, LAX), ErrorCode.INVALID_REQUEST)
    expect(err).toMatchObject({ app: 'idp', message: "idp: the login transaction is too large for a cookie (check returnTo's length)" })
  })

  it(`the transaction cookies together stay within ${MAX_TRANSACTION_BYTES} bytes, counting the new one`, async () => {
    const store = new TransactionStore({ secret: SECRET, maxInFlight: 10 })
    const { name, value } = await written(store, tx(state('n')))
    const adding = headerBytes(name, value)
    const old = (Date.now() - 1000).toString(36)
    const planted = (bytes: number) => {
      const plantedName = PREFIX + state('o')
      return [plantedName, `${old}.${'v'.repeat(bytes - headerBytes(plantedName, `${old}.`))}`] as const
    }
    // Exactly at the budget: the old login is kept.
    let cookies = new MemoryCookieJar()
    cookies.set(...planted(MAX_TRANSACTION_BYTES - adding))
    await store.save({ cookies }, tx(state('n')), LAX)
    expect(cookies.getAll().map((c) => c.name).sort()).toEqual([PREFIX + state('n'), PREFIX + state('o')])
    // One byte over: it is dropped.
    cookies = new MemoryCookieJar()
    cookies.set(...planted(MAX_TRANSACTION_BYTES - adding + 1))
    await store.save({ cookies }, tx(state('n')), LAX)
    expect(cookies.getAll().map((c) => c.name)).toEqual([PREFIX + state('n')])
  })

  it('drops the oldest login first, whatever the order of the cookies', async () => {
    const store = new TransactionStore({ secret: SECRET, maxInFlight: 3 })
    const cookies = new MemoryCookieJar()
    const at = (msAgo: number) => `${(Date.now() - msAgo).toString(36)}.sealed`
    cookies.set(PREFIX + state('b'), at(10_000))
    cookies.set(PREFIX + state('a'), at(20_000)) // the oldest
    cookies.set(PREFIX + state('c'), at(5_000))
    await store.save({ cookies }, tx(state('d')), LAX)
    expect(cookies.getAll().map((c) => c.name).sort()).toEqual([PREFIX + state('b'), PREFIX + state('c'), PREFIX + state('d')])
  })

  it('keeps a login exactly at its TTL and prunes one a millisecond older', async () => {
    const store = new TransactionStore({ secret: SECRET, ttl: 60 })
    const cookies = new MemoryCookieJar()
    const at = (msAgo: number) => `${(Date.now() - msAgo).toString(36)}.sealed`
    cookies.set(PREFIX + state('a'), at(60_000))
    cookies.set(PREFIX + state('b'), at(60_001))
    await store.save({ cookies }, tx(state('c')), LAX, 60)
    expect(cookies.getAll().map((c) => c.name).sort()).toEqual([PREFIX + state('a'), PREFIX + state('c')])
  })

  it('maxInFlight 0 keeps only the newest login, also when it is the first', async () => {
    const store = new TransactionStore({ secret: SECRET, maxInFlight: 0 })
    const cookies = new MemoryCookieJar()
    await store.save({ cookies }, tx(state('a')), LAX)
    await store.save({ cookies }, tx(state('b')), LAX)
    expect(cookies.getAll().map((c) => c.name)).toEqual([PREFIX + state('b')])
  })

  it('works with a cookie store that cannot list its cookies (no pruning then)', async () => {
    const jar = new MemoryCookieJar()
    const cookies: CookieStore = { get: (n) => jar.get(n), set: (n, v, o) => jar.set(n, v, o), delete: (n, o) => jar.delete(n, o) }
    const store = new TransactionStore({ secret: SECRET })
    await store.save({ cookies }, tx(state('a')), LAX)
    await expect(store.take({ cookies }, state('a'), 'idp', LAX)).resolves.toMatchObject({ key: state('a') })
  })
})
