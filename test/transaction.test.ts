/**
 * The sealed per-login transaction cookie: taken back exactly once, only by the callback it belongs
 * to, within its TTL, for the app that started it; bounded in number and in size.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  ErrorCode,
  MemoryCookieJar,
  OAuth,
  isOAuthKitError,
  type Transaction,
} from '../src/index.js'
import { TransactionStore } from '../src/session/transaction.js'
import { REDIRECT, SECRET, expectCode } from './support/helpers.js'

// An https callback: the cookie gets the __Host- name.
const LAX = { secure: true, sameSite: 'lax' } as const
const state = (c: string) => c.repeat(43) // the shape of oauthkit's own state
const tx = (key: string, extra: Partial<Transaction> = {}): Transaction => ({
  app: 'idp',
  key,
  redirectUri: REDIRECT,
  createdAt: Date.now(),
  ...extra,
})

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date('2026-12-01T00:00:00Z'))
})
afterEach(() => vi.useRealTimers())

describe('TransactionStore', () => {
  it('seals a transaction into a cookie named by its state and takes it back once, deleting the cookie', async () => {
    const store = new TransactionStore({ secret: SECRET })
    const cookies = new MemoryCookieJar()
    const saved = tx(state('a'), { codeVerifier: 'verifier', nonce: 'nonce', returnTo: '/after' })
    await store.save({ cookies }, saved, LAX)
    const name = `__Host-oauthkit.tx.${state('a')}`
    const value = cookies.get(name)!
    expect(value).not.toContain('verifier')
    expect(cookies.setCookieHeaders()[0]).toMatch(
      /^__Host-oauthkit\.tx\.a{43}=[^;]+; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    )
    expect(await store.take({ cookies }, state('a'), 'idp', LAX)).toEqual(saved)
    expect(cookies.get(name)).toBeUndefined()
    // The same cookie sent again (a replayed callback) is refused by this process.
    cookies.set(name, value)
    await expectCode(
      store.take({ cookies }, state('a'), 'idp', LAX),
      ErrorCode.TRANSACTION_NOT_FOUND,
    )
    await expectCode(
      store.take({ cookies }, state('a'), 'idp', LAX),
      ErrorCode.TRANSACTION_NOT_FOUND,
    )
  })

  it("refuses a sealed transaction moved under another login's cookie name as transaction_invalid, and deletes that cookie", async () => {
    const store = new TransactionStore({ secret: SECRET })
    const cookies = new MemoryCookieJar()
    await store.save({ cookies }, tx(state('a')), LAX)
    cookies.set(
      `__Host-oauthkit.tx.${state('b')}`,
      cookies.get(`__Host-oauthkit.tx.${state('a')}`)!,
    )
    const err = await expectCode(
      store.take({ cookies }, state('b'), 'idp', LAX),
      ErrorCode.TRANSACTION_INVALID,
    )
    expect(err.message).toMatch(/does not belong to this callback/)
    expect(cookies.get(`__Host-oauthkit.tx.${state('b')}`)).toBeUndefined()
  })

  it('refuses a tampered, truncated or foreign-secret cookie as transaction_invalid', async () => {
    const store = new TransactionStore({ secret: SECRET })
    const other = new TransactionStore({ secret: 'another-secret-that-is-32-characters-long' })
    const cookies = new MemoryCookieJar()
    await other.save({ cookies }, tx(state('a')), LAX)
    await expectCode(store.take({ cookies }, state('a'), 'idp', LAX), ErrorCode.TRANSACTION_INVALID)
    await store.save({ cookies }, tx(state('b')), LAX)
    const name = `__Host-oauthkit.tx.${state('b')}`
    const value = cookies.get(name)!
    for (const bad of [
      value.slice(0, -10),
      value.slice(value.indexOf('.') + 1),
      `.${value.slice(value.indexOf('.') + 1)}`,
      'x',
    ]) {
      cookies.set(name, bad)
      await expectCode(
        store.take({ cookies }, state('b'), 'idp', LAX),
        ErrorCode.TRANSACTION_INVALID,
      )
    }
  })

  it('says transaction_not_found when the callback has no cookie for its state', async () => {
    const err = await expectCode(
      new TransactionStore({ secret: SECRET }).take(
        { cookies: new MemoryCookieJar() },
        state('a'),
        'idp',
        LAX,
      ),
      ErrorCode.TRANSACTION_NOT_FOUND,
    )
    expect(err.app).toBe('idp')
  })

  it('refuses a transaction taken after its TTL as transaction_expired, and accepts it up to the TTL', async () => {
    const store = new TransactionStore({ secret: SECRET, ttl: 60 })
    const cookies = new MemoryCookieJar()
    await store.save({ cookies }, tx(state('a')), LAX, 60)
    await store.save({ cookies }, tx(state('b')), LAX, 60)
    vi.setSystemTime(Date.now() + 60_000)
    await expect(store.take({ cookies }, state('a'), 'idp', LAX, 60)).resolves.toMatchObject({
      key: state('a'),
    })
    vi.setSystemTime(Date.now() + 1)
    const err = await expectCode(
      store.take({ cookies }, state('b'), 'idp', LAX, 60),
      ErrorCode.TRANSACTION_EXPIRED,
    )
    expect(err.message).toMatch(/longer than 60 seconds/)
  })

  it('refuses a transaction started by another app as app_mismatch (mix-up)', async () => {
    const store = new TransactionStore({ secret: SECRET })
    const cookies = new MemoryCookieJar()
    await store.save({ cookies }, tx(state('a'), { app: 'github' }), LAX)
    const err = await expectCode(
      store.take({ cookies }, state('a'), 'idp', LAX),
      ErrorCode.APP_MISMATCH,
    )
    expect(err.message).toMatch(/"github"/)
  })

  it('names the cookie of a key that is not a state by a digest, never by the key itself', async () => {
    const store = new TransactionStore({ secret: SECRET, cookiePrefix: 'tx-' })
    const name = await store.cookieName('oauth1-temporary-token/with:odd chars')
    expect(name).toMatch(/^tx-[\w-]{22}$/)
    expect(name).not.toContain('oauth1')
    expect(await store.cookieName('oauth1-temporary-token/with:odd chars')).toBe(name)
    expect(await store.cookieName('other')).not.toBe(name)
    expect(await store.cookieName(state('a'))).toBe(`tx-${state('a')}`)
    expect(await store.cookieName(state('a').slice(1))).not.toBe(`tx-${state('a').slice(1)}`)
  })

  it('keeps at most maxInFlight logins: the oldest transaction cookie is dropped, and expired ones are pruned', async () => {
    const store = new TransactionStore({ secret: SECRET, maxInFlight: 2, ttl: 60 })
    const cookies = new MemoryCookieJar()
    cookies.set('unrelated', 'kept')
    cookies.set(`oauthkit.tx.${state('z')}`, 'garbage-without-a-date')
    await store.save({ cookies }, tx(state('a')), LAX, 60)
    expect(cookies.get(`oauthkit.tx.${state('z')}`)).toBeUndefined()
    vi.setSystemTime(Date.now() + 1000)
    await store.save({ cookies }, tx(state('b')), LAX, 60)
    vi.setSystemTime(Date.now() + 1000)
    await store.save({ cookies }, tx(state('c')), LAX, 60)
    expect(
      cookies
        .getAll()
        .map((c) => c.name)
        .sort(),
    ).toEqual([`__Host-oauthkit.tx.${state('b')}`, `__Host-oauthkit.tx.${state('c')}`, 'unrelated'])
    vi.setSystemTime(Date.now() + 59_500) // b is past its TTL now, c is not
    await store.save({ cookies }, tx(state('d')), LAX, 60)
    expect(
      cookies
        .getAll()
        .map((c) => c.name)
        .sort(),
    ).toEqual([`__Host-oauthkit.tx.${state('c')}`, `__Host-oauthkit.tx.${state('d')}`, 'unrelated'])
  })

  it('refuses a transaction too large for a cookie instead of writing one browsers would drop', async () => {
    const store = new TransactionStore({ secret: SECRET })
    const cookies = new MemoryCookieJar()
    await expectCode(
      store.save({ cookies }, tx(state('a'), { returnTo: `/${'x'.repeat(4000)}` }), LAX),
      ErrorCode.INVALID_REQUEST,
    )
    expect(cookies.getAll()).toEqual([])
    await store.save({ cookies }, tx(state('a'), { returnTo: `/${'x'.repeat(1500)}` }), LAX)
    expect(cookies.getAll()).toHaveLength(1)
  })

  it('needs a secret of at least 32 characters, or a map of them', () => {
    for (const secret of ['short', {}, { a: SECRET, b: 'short' }] as Array<
      string | Record<string, string>
    >) {
      let error: unknown
      try {
        new TransactionStore({ secret })
      } catch (e) {
        error = e
      }
      expect(isOAuthKitError(error, ErrorCode.CONFIG_INVALID)).toBe(true)
    }
    expect(
      () =>
        new TransactionStore({
          secret: { 1: SECRET, 2: 'another-secret-that-is-32-characters-long' },
        }),
    ).not.toThrow()
  })
})

describe('a login whose transaction cookie was swapped', () => {
  it('is refused as transaction_invalid before any token request', async () => {
    const fetches: string[] = []
    const oauth = new OAuth({
      secret: SECRET,
      fetch: async (input) => (
        fetches.push(new Request(input).url),
        new Response('unexpected', { status: 500 })
      ),
    }).register('idp', {
      clientId: 'c',
      authorizeUrl: 'https://idp.test/authorize',
      accessTokenUrl: 'https://idp.test/token',
    })
    const cookies = new MemoryCookieJar()
    const first = new URL(
      (await oauth.create('idp').authorizeRedirect({ cookies }, REDIRECT)).headers.get('location')!,
    )
    const second = new URL(
      (await oauth.create('idp').authorizeRedirect({ cookies }, REDIRECT)).headers.get('location')!,
    )
    const [a, b] = [first.searchParams.get('state')!, second.searchParams.get('state')!]
    // The attacker puts the first login's sealed transaction under the second login's cookie name.
    cookies.set(`__Host-oauthkit.tx.${b}`, cookies.get(`__Host-oauthkit.tx.${a}`)!)
    const callback = new URL(REDIRECT)
    callback.searchParams.set('code', 'code-1')
    callback.searchParams.set('state', b)
    await expectCode(
      oauth.create('idp').authorizeAccessToken({ cookies, request: new Request(callback) }),
      ErrorCode.TRANSACTION_INVALID,
    )
    expect(fetches).toEqual([])
  })
})
