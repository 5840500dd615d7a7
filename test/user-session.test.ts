/**
 * The user session cookie (UserSession) on a MemoryCookieJar, and the token route's redirect URI
 * allow-list: exact match, RFC 8252 loopback ports only when allowed.
 */
import { describe, expect, it, vi } from 'vitest'
import { MemoryCookieJar, OAuth, UserSession, authRoute, isOAuthKitError } from '../src/index.js'
import { redirectUriAllowed } from '../src/routes/native.js'

const A = 'password-a-that-is-at-least-32-characters'
const B = 'password-b-that-is-at-least-32-characters'

/** The jar a browser would send next: the Set-Cookie values applied. */
function next(jar: MemoryCookieJar): MemoryCookieJar {
  const header = jar
    .setCookieHeaders()
    .filter((line) => !/max-age=0/i.test(line))
    .map((line) => line.split(';')[0])
    .join('; ')
  return MemoryCookieJar.fromRequest(
    new Request('https://app.example/', { headers: { cookie: header } }),
  )
}

describe('UserSession', () => {
  it('seals the user id into a __Host- cookie on https (Secure, HttpOnly, SameSite=Lax, Path=/), reads it back', async () => {
    const jar = new MemoryCookieJar()
    const session = new UserSession(jar, () => A, 'https://app.example')
    await session.set({ userId: 42, app: 'corp' })
    const [line] = jar.setCookieHeaders()
    expect(line).toMatch(/^__Host-oauthkit\.session=Fe26\.2/)
    expect(line).toContain('; Path=/; HttpOnly; Secure; SameSite=Lax')
    expect(line).not.toContain('Domain')
    expect(line).not.toContain('userId')
    const read = new UserSession(next(jar), () => A, 'https://app.example')
    expect(await read.get()).toMatchObject({ userId: 42, app: 'corp' })
    expect(await read.userId()).toBe(42)
  })

  it('is a plain, not Secure cookie only on an http loopback origin; http elsewhere stays __Host- and Secure', async () => {
    const local = new MemoryCookieJar()
    await new UserSession(local, () => A, 'http://127.0.0.1:3000').set({ userId: 'u' })
    expect(local.setCookieHeaders()[0]).toMatch(/^oauthkit\.session=.*HttpOnly; SameSite=Lax$/)
    const remote = new MemoryCookieJar()
    await new UserSession(remote, () => A, 'http://app.example').set({ userId: 'u' })
    expect(remote.setCookieHeaders()[0]).toMatch(/^__Host-oauthkit\.session=.*; Secure;/)
  })

  it('rotates: a session sealed with the old password reads with { 1: old, 2: new }, and new ones are sealed with 2', async () => {
    const jar = new MemoryCookieJar()
    await new UserSession(jar, () => ({ 1: A }), 'https://app.example').set({ userId: 'u' })
    const rotated = new UserSession(next(jar), () => ({ 1: A, 2: B }), 'https://app.example')
    expect(await rotated.userId()).toBe('u')
    const jar2 = new MemoryCookieJar()
    await new UserSession(jar2, () => ({ 1: A, 2: B }), 'https://app.example').set({ userId: 'v' })
    expect(
      await new UserSession(next(jar2), () => ({ 2: B }), 'https://app.example').userId(),
    ).toBe('v')
    // Without the password it was sealed with: signed out, not an error.
    expect(
      await new UserSession(next(jar), () => ({ 2: B }), 'https://app.example').get(),
    ).toBeUndefined()
  })

  it('reads a tampered, foreign or expired cookie as signed out', async () => {
    const jar = new MemoryCookieJar()
    const session = new UserSession(jar, () => A, 'https://app.example', { maxAge: 1 })
    await session.set({ userId: 'u' })
    const sealed = next(jar).get('__Host-oauthkit.session')!
    const tampered = new MemoryCookieJar()
    tampered.set('__Host-oauthkit.session', sealed.slice(0, -4) + 'AAAA')
    expect(await new UserSession(tampered, () => A, 'https://app.example').get()).toBeUndefined()
    expect(await new UserSession(next(jar), () => B, 'https://app.example').get()).toBeUndefined()
    // iron allows 60 s of clock skew past the seal's expiry.
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(Date.now() + 1000 + 61_000)
      expect(
        await new UserSession(next(jar), () => A, 'https://app.example', { maxAge: 1 }).get(),
      ).toBeUndefined()
    } finally {
      vi.useRealTimers()
    }
  })

  it('destroy deletes the cookie with the same attributes; update keeps the user', async () => {
    const jar = new MemoryCookieJar()
    const session = new UserSession<{ theme?: string }>(jar, () => A, 'https://app.example')
    await session.set({ userId: 'u' })
    await session.update({ theme: 'dark' })
    expect(await new UserSession(next(jar), () => A, 'https://app.example').get()).toMatchObject({
      userId: 'u',
      theme: 'dark',
    })
    session.destroy()
    expect(jar.setCookieHeaders().at(-1)).toMatch(
      /^__Host-oauthkit\.session=; Max-Age=0; Expires=.*; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    )
    expect(await session.get()).toBeUndefined()
    await expect(session.update({ theme: 'x' })).rejects.toMatchObject({ code: 'invalid_request' })
  })

  it('refuses a missing user id, a session too large for a cookie, and bad options', async () => {
    const session = new UserSession(new MemoryCookieJar(), () => A, 'https://app.example')
    await expect(session.set({ userId: '' })).rejects.toMatchObject({ code: 'invalid_request' })
    await expect(session.set({ userId: 'u', blob: 'x'.repeat(5000) })).rejects.toMatchObject({
      code: 'invalid_request',
    })
    for (const options of [{ cookieName: '__Host-x' }, { cookieName: 'a b' }, { maxAge: 0 }])
      expect(
        () => new UserSession(new MemoryCookieJar(), () => A, 'https://a.example', options),
      ).toThrow(expect.objectContaining({ code: 'config_invalid' }))
  })

  it('is made by the registry with its secret and session options; a misspelt option is refused with the fix', async () => {
    const oauth = new OAuth({ secret: A, session: { cookieName: 'app.sid', maxAge: 60 } })
    const jar = new MemoryCookieJar()
    await oauth.session(jar, 'https://app.example').set({ userId: 'u' })
    expect(jar.setCookieHeaders()[0]).toMatch(/^__Host-app\.sid=.*; Max-Age=60;/)
    expect(
      await new UserSession(next(jar), () => A, 'https://app.example', {
        cookieName: 'app.sid',
      }).userId(),
    ).toBe('u')
    let error: unknown
    try {
      new OAuth({ secret: A, session: { maxage: 60 } as never })
    } catch (e) {
      error = e
    }
    expect(isOAuthKitError(error, 'config_invalid')).toBe(true)
    expect((error as Error).message).toContain('did you mean maxAge?')
    expect(() => new OAuth({ secret: A, sesion: {} } as never)).toThrow('did you mean session?')
  })
})

describe('the token route’s redirect URI allow-list', () => {
  const list = ['https://app.example/cb', 'http://127.0.0.1/cli', 'http://[::1]/cli']
  it('matches exactly: scheme, host, port, path and query', () => {
    expect(redirectUriAllowed('https://app.example/cb', { redirectUris: list })).toBe(true)
    for (const uri of [
      'https://app.example/cb/',
      'https://app.example/cb?x=1',
      'https://app.example:8443/cb',
      'http://app.example/cb',
      'https://APP.example/cb',
      'http://127.0.0.1:5000/cli',
    ])
      expect(redirectUriAllowed(uri, { redirectUris: list }), uri).toBe(false)
  })

  it('lets a loopback IP URI use any port only with loopbackAnyPort (RFC 8252 §7.3), never another host or path', () => {
    const options = { redirectUris: list, loopbackAnyPort: true }
    expect(redirectUriAllowed('http://127.0.0.1:5000/cli', options)).toBe(true)
    expect(redirectUriAllowed('http://[::1]:61000/cli', options)).toBe(true)
    for (const uri of [
      'http://127.0.0.1:5000/cli/other',
      'http://localhost:5000/cli',
      'https://127.0.0.1:5000/cli',
      'http://127.0.0.2:5000/cli',
      'http://127.0.0.1:5000/cli?x=1',
      'http://u@127.0.0.1:5000/cli',
      'https://app.example:9000/cb',
      'not a url',
    ])
      expect(redirectUriAllowed(uri, options), uri).toBe(false)
  })
})

describe('the nested route options', () => {
  const bound = new OAuth({ secret: A })
    .register('app', {
      clientId: 'c',
      clientSecret: 's',
      authorizeUrl: 'https://idp.example/authorize',
      accessTokenUrl: 'https://idp.example/token',
    })
    .bind({
      cookies: new MemoryCookieJar(),
      request: new Request('https://app.example/auth/app/token'),
    })
  it('refuses a misspelt key with the fix, and redirectUris that are not absolute URLs', async () => {
    await expect(
      authRoute(bound, 'app', 'token', {
        token: { redirectUri: ['https://a.example/cb'] } as never,
      }),
    ).rejects.toThrow('has an unknown key "redirectUri": did you mean redirectUris?')
    await expect(
      authRoute(bound, 'app', 'logout', { logout: { revok: true } as never }),
    ).rejects.toThrow('did you mean revoke?')
    await expect(
      authRoute(bound, 'app', 'token', { token: { redirectUris: ['/relative'] } }),
    ).rejects.toMatchObject({ code: 'config_invalid' })
  })
})
