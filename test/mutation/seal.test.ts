/**
 * Tests written to kill the surviving mutants of the `seal` scope (npm run mutate -- seal): the
 * transaction seal's exact format and key derivation (src/session/seal.ts), and the user session's
 * cookie rules (src/session/user-session.ts).
 */
import { sealData } from 'iron-session'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { MemoryCookieJar, UserSession } from '../../src/index.js'
import { seal, unseal } from '../../src/session/seal.js'

const A = 'a-sealing-password-that-is-long-enough-0001'
const B = 'b-sealing-password-that-is-long-enough-0002'
const C = 'c-sealing-password-that-is-long-enough-0003'

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

const b64url = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64url')

describe('transaction seal, exactly', () => {
  it('is AES-256-GCM under HKDF-SHA-256(password, salt "oauthkit login transaction", info "t1"), the version and id as associated data', async () => {
    // Recomputed here with WebCrypto from the documented construction: a seal made by one release
    // must open in the next, so the salt, info, associated data and layout are pinned.
    vi.useFakeTimers({ now: 1_700_000_000_000, toFake: ['Date'] })
    const iv = new Uint8Array(12).map((_, i) => i + 1)
    vi.spyOn(crypto, 'getRandomValues').mockImplementationOnce((array) => {
      ;(array as Uint8Array).set(iv)
      return array
    })
    const sealed = await seal({ k: 'v' }, A, 60)

    const enc = new TextEncoder()
    const material = await crypto.subtle.importKey('raw', enc.encode(A), 'HKDF', false, [
      'deriveKey',
    ])
    const key = await crypto.subtle.deriveKey(
      { name: 'HKDF', hash: 'SHA-256', salt: enc.encode('oauthkit login transaction'), info: enc.encode('t1') },
      material,
      { name: 'AES-GCM', length: 256 },
      false,
      ['encrypt'],
    )
    const plaintext = enc.encode(JSON.stringify({ e: 1_700_000_000_000 + 60_000, d: { k: 'v' } }))
    const ciphertext = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: 'AES-GCM', iv, additionalData: enc.encode('t1*1') },
        key,
        plaintext,
      ),
    )
    expect(sealed).toBe(`t1*1*${b64url(iv)}*${b64url(ciphertext)}`)
  })

  it('forgets a key whose derivation failed, so the next seal derives it again', async () => {
    const password = 'a-password-used-only-by-this-test-000000002'
    vi.spyOn(crypto.subtle, 'importKey').mockRejectedValueOnce(new Error('derivation failed'))
    await expect(seal({ n: 1 }, password, 60)).rejects.toThrow('derivation failed')
    await expect(unseal(await seal({ n: 2 }, password, 60), password)).resolves.toEqual({ n: 2 })
  })

  it('says why a seal does not open (for the one who debugs it; the transaction reads all as invalid)', async () => {
    const sealed = await seal({ v: 1 }, { 1: A }, 60)
    const [version, id, iv, ciphertext] = sealed.split('*') as [string, string, string, string]
    await expect(unseal(`${version}*${id}*${iv}`, A)).rejects.toThrow(/^not a seal$/)
    await expect(unseal(`t0*${id}*${iv}*${ciphertext}`, A)).rejects.toThrow(/^not a seal$/)
    await expect(unseal(`${version}*2*${iv}*${ciphertext}`, { 1: A })).rejects.toThrow(
      /^sealed with an unknown password$/,
    )
    // Standard base64 (+ and /) and padding are not base64url; a valid prefix is not enough.
    for (const bad of [`${iv.slice(0, -1)}+`, `${iv}=`, `${iv} `])
      await expect(unseal(`${version}*${id}*${bad}*${ciphertext}`, A), bad).rejects.toThrow(
        /^not base64url$/,
      )
    // 16 bytes: the last character holds 4 unused bits; set one and the bytes stay the same.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
    const sixteen = b64url(new Uint8Array(16))
    const loose = sixteen.slice(0, -1) + alphabet[alphabet.indexOf(sixteen.at(-1)!) | 1]
    await expect(unseal(`${version}*${id}*${loose}*${ciphertext}`, A)).rejects.toThrow(
      /^not canonical base64url$/,
    )
  })

  it('rotation with ids that are not numbers: the last in text order seals', async () => {
    const sealed = await seal({ v: 1 }, { a: A, c: C, b: B }, 60)
    expect(sealed.split('*')[1]).toBe('c')
    await expect(unseal(sealed, { c: C })).resolves.toEqual({ v: 1 })
    // Numeric ids compare as numbers: 10 is newer than 9.
    expect((await seal({ v: 1 }, { 9: A, 10: B }, 60)).split('*')[1]).toBe('10')
  })
})

/** The cookie values the jar set, by name. */
function setCookies(jar: MemoryCookieJar): Map<string, string> {
  return new Map(
    jar.setCookieHeaders().map((line) => {
      const [pair] = line.split(';')
      const at = pair!.indexOf('=')
      return [pair!.slice(0, at), pair!.slice(at + 1)]
    }),
  )
}

const jarWith = (name: string, value: string) =>
  MemoryCookieJar.fromRequest(
    new Request('https://app.example/', { headers: { cookie: `${name}=${value}` } }),
  )

describe('user session, exactly', () => {
  it('names its cookie __Host- on https, loopback hosts included; plain only on http loopback', () => {
    const jar = new MemoryCookieJar()
    expect(new UserSession(jar, () => A, 'https://app.example').cookieName).toBe(
      '__Host-oauthkit.session',
    )
    expect(new UserSession(jar, () => A, 'https://localhost:3000').cookieName).toBe(
      '__Host-oauthkit.session',
    )
    expect(new UserSession(jar, () => A, 'https://127.0.0.1').cookieName).toBe(
      '__Host-oauthkit.session',
    )
    expect(new UserSession(jar, () => A, 'http://127.0.0.1:3000').cookieName).toBe(
      'oauthkit.session',
    )
    expect(
      new UserSession(jar, () => A, 'http://localhost', { cookieName: 'my__Host-name' }).cookieName,
    ).toBe('my__Host-name')
  })

  it('is Secure on https://localhost', async () => {
    const jar = new MemoryCookieJar()
    await new UserSession(jar, () => A, 'https://localhost:3000').set({ userId: 'u' })
    expect(jar.setCookieHeaders()[0]).toMatch(/^__Host-oauthkit\.session=.*; Secure;/)
  })

  it('refuses bad options with exact messages', () => {
    const jar = new MemoryCookieJar()
    expect(() => new UserSession(jar, () => A, 'https://a.example', { cookieName: 'a b' })).toThrow(
      expect.objectContaining({
        code: 'config_invalid',
        message:
          'OAuth: session.cookieName must be letters, digits, ".", "_" or "-" (the __Host- prefix is added on https)',
      }),
    )
    expect(() => new UserSession(jar, () => A, 'https://a.example', { maxAge: 1.5 })).toThrow(
      expect.objectContaining({
        code: 'config_invalid',
        message: 'OAuth: session.maxAge must be a positive whole number of seconds',
      }),
    )
  })

  it('reads no user without a cookie', async () => {
    const session = new UserSession(new MemoryCookieJar(), () => A, 'https://app.example')
    await expect(session.userId()).resolves.toBeUndefined()
  })

  it('refuses a user id that is missing, empty, not finite or not a string or number', async () => {
    const session = new UserSession(new MemoryCookieJar(), () => A, 'https://app.example')
    const refused = expect.objectContaining({
      code: 'invalid_request',
      message: 'session: userId must be a non-empty string or a finite number',
    })
    for (const userId of ['', Number.NaN, Number.POSITIVE_INFINITY, {}, null, true])
      await expect(session.set({ userId } as never), String(userId)).rejects.toEqual(refused)
    await expect(session.set(undefined as never)).rejects.toEqual(refused)
    await expect(session.set({ userId: 0 })).resolves.toBeUndefined()
  })

  it('records when the user signed in, in seconds', async () => {
    vi.useFakeTimers({ now: 1_700_000_000_900, toFake: ['Date'] })
    const session = new UserSession(new MemoryCookieJar(), () => A, 'https://app.example')
    await session.set({ userId: 'u' })
    expect(await session.get()).toEqual({ userId: 'u', signedInAt: 1_700_000_000 })
  })

  it('takes a cookie of exactly 4000 bytes (name and value), and refuses one byte more', async () => {
    const origin = 'http://127.0.0.1'
    const data = { userId: 'u', pad: 'x'.repeat(2500) }
    const probe = new MemoryCookieJar()
    await new UserSession(probe, () => A, origin, { cookieName: 'n' }).set(data)
    const length = setCookies(probe).get('n')!.length
    // iron's seal length depends only on the data's length: a name of 4000 - length characters fits.
    const fits = 'n'.repeat(4000 - length)
    const jar = new MemoryCookieJar()
    await new UserSession(jar, () => A, origin, { cookieName: fits }).set(data)
    expect(fits.length + setCookies(jar).get(fits)!.length).toBe(4000)
    await expect(
      new UserSession(new MemoryCookieJar(), () => A, origin, { cookieName: `${fits}n` }).set(data),
    ).rejects.toEqual(
      expect.objectContaining({
        code: 'invalid_request',
        message: 'session: the sealed session is over 4000 bytes; keep only small values in it',
      }),
    )
  })

  it('update refuses when nobody is signed in, with its message', async () => {
    const session = new UserSession(new MemoryCookieJar(), () => A, 'https://app.example')
    await expect(session.update({})).rejects.toEqual(
      expect.objectContaining({ code: 'invalid_request', message: 'session: nobody is signed in' }),
    )
  })

  it('reads a cookie that iron cannot parse as signed out (not an exception)', async () => {
    // Eight parts, as iron expects, but another prefix: iron throws instead of answering {}.
    const session = new UserSession(
      jarWith('__Host-oauthkit.session', 'Fe27.2*1*a*b*c*d*e*f'),
      () => A,
      'https://app.example',
    )
    await expect(session.get()).resolves.toBeUndefined()
  })

  it('reads a sealed session whose user id is empty or missing as signed out', async () => {
    for (const data of [{ userId: '' }, { app: 'x' }]) {
      const sealed = await sealData(data, { password: A, ttl: 60 })
      const session = new UserSession(
        jarWith('__Host-oauthkit.session', sealed),
        () => A,
        'https://app.example',
      )
      await expect(session.get(), JSON.stringify(data)).resolves.toBeUndefined()
    }
    const sealed = await sealData({ userId: 'u' }, { password: A, ttl: 60 })
    const read = new UserSession(jarWith('__Host-oauthkit.session', sealed), () => A, 'https://app.example')
    await expect(read.userId()).resolves.toBe('u')
  })
})
