/**
 * Hostile authorization responses and callbacks: RFC 9207 `iss`, `state`, repeated parameters, replays,
 * callbacks from another browser or for another app (mix-up), transaction cookies that were tampered
 * with, truncated or kept too long, and off-site `returnTo`. No token request is ever made for them.
 */
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth } from '../../src/index.js'
import { REDIRECT, expectCode, useMsw } from '../support/helpers.js'
import { HostileIdp, hostileRig } from '../support/hostile-idp.js'

const server = useMsw()

afterEach(() => void vi.useRealTimers())

describe('hostile provider: RFC 9207 iss and state', () => {
  it('invalid-authorization-response-iss: a callback whose iss is another issuer is refused', async () => {
    const r = await hostileRig(server)
    const login = await r.start()
    const callback = r.idp.authorize(login.location, { iss: 'https://evil.test' })
    await r.expectRefused(() => r.signIn(login, callback), ErrorCode.ISSUER_MISMATCH, {
      login,
      calls: [],
    })
  })

  it('remove-authorization-response-iss: a callback without iss is refused when the provider advertises it (accepted when it does not)', async () => {
    const r = await hostileRig(server)
    const login = await r.start()
    const callback = r.idp.authorize(login.location)
    callback.searchParams.delete('iss')
    await r.expectRefused(() => r.signIn(login, callback), ErrorCode.ISSUER_MISSING, {
      login,
      calls: [],
    })

    const plain = await hostileRig(server, {
      idp: { issuer: 'https://no-iss.test', issParameter: false },
    })
    const ok = await plain.start()
    const cb = plain.idp.authorize(ok.location)
    expect(cb.searchParams.has('iss')).toBe(false)
    await expect(plain.signIn(ok, cb)).resolves.toHaveProperty('access_token')

    // The documented loosening, for a provider that advertises iss but omits it: a wrong iss is still refused.
    const loose = await hostileRig(server, {
      config: { serverMetadata: { authorization_response_iss_parameter_supported: false } },
    })
    const missing = await loose.start()
    const withoutIss = loose.idp.authorize(missing.location)
    withoutIss.searchParams.delete('iss')
    await expect(loose.signIn(missing, withoutIss)).resolves.toHaveProperty('access_token')
    const wrong = await loose.start()
    await loose.expectRefused(
      () => loose.signIn(wrong, loose.idp.authorize(wrong.location, { iss: 'https://evil.test' })),
      ErrorCode.ISSUER_MISMATCH,
      { login: wrong, calls: [] },
    )
  })

  it('error-with-wrong-iss: an error response carrying another issuer is refused as a mix-up, not reported as the error', async () => {
    const r = await hostileRig(server)
    const login = await r.start()
    const callback = r.idp.authorize(login.location, {
      iss: 'https://evil.test',
      error: 'access_denied',
      error_description: 'injected',
    })
    callback.searchParams.delete('code')
    const err = await r.expectRefused(() => r.signIn(login, callback), ErrorCode.ISSUER_MISMATCH, {
      login,
      calls: [],
    })
    expect(err.errorDescription).toBeUndefined()
  })

  it('invalid-state: a callback whose state names no transaction is refused; the login it did not name is left to finish', async () => {
    const r = await hostileRig(server)
    const login = await r.start()
    const genuine = r.idp.authorize(login.location)
    const forged = new URL(genuine)
    forged.searchParams.set('state', 'x'.repeat(43))
    await r.expectRefused(() => r.signIn(login, forged), ErrorCode.TRANSACTION_NOT_FOUND, {
      login,
      calls: [],
      transaction: 'kept',
    })
    // A forged callback cannot cancel the real login.
    await expect(r.signIn(login, genuine)).resolves.toHaveProperty('access_token')
  })

  it('missing-state: a callback without state is refused', async () => {
    const r = await hostileRig(server)
    const login = await r.start()
    const callback = r.idp.authorize(login.location)
    callback.searchParams.delete('state')
    await r.expectRefused(() => r.signIn(login, callback), ErrorCode.STATE_MISSING, {
      login,
      calls: [],
      transaction: 'kept',
    })
  })
})

describe('hostile provider: callbacks', () => {
  it('duplicated-parameters: a callback repeating state, code or iss is refused and its transaction consumed', async () => {
    const r = await hostileRig(server)
    const variants: Array<[string, (cb: URL, login: { state: string }) => void]> = [
      ['state (same value)', (cb, l) => cb.searchParams.append('state', l.state)],
      [
        'state (attacker value first)',
        (cb, l) => {
          cb.searchParams.set('state', 'x'.repeat(43))
          cb.searchParams.append('state', l.state)
        },
      ],
      ['code', (cb) => cb.searchParams.append('code', 'code-injected')],
      ['iss', (cb) => cb.searchParams.append('iss', r.idp.issuer)],
    ]
    for (const [what, repeat] of variants) {
      const login = await r.start()
      const callback = r.idp.authorize(login.location)
      repeat(callback, login)
      const err = await r.expectRefused(
        () => r.signIn(login, callback),
        ErrorCode.INVALID_AUTHORIZATION_RESPONSE,
        { login, calls: [] },
      )
      expect(err.message, what).toMatch(/repeats|only once/)
    }
  })

  it('replayed-callback: the same callback, with its cookie replayed too, is refused after the login finished', async () => {
    const r = await hostileRig(server)
    const login = await r.start()
    const sealed = login.cookies.get(login.txCookie)!
    const callback = r.idp.authorize(login.location)
    await r.signIn(login, callback)
    login.cookies.set(login.txCookie, sealed) // an attacker (or the back button) sends the old cookie again
    await r.expectRefused(() => r.signIn(login, callback), ErrorCode.TRANSACTION_NOT_FOUND, {
      login,
      calls: [],
    })
    expect(r.idp.endpointCalls('token')).toBe(1)
    expect(r.updates).toHaveLength(1)
  })

  it("state-from-another-browser: a victim's callback opened in another browser is refused and its code is not spent", async () => {
    const r = await hostileRig(server)
    const victim = await r.start()
    const callback = r.idp.authorize(victim.location)
    const attacker = { ...victim, cookies: new MemoryCookieJar() }
    await r.expectRefused(() => r.signIn(attacker, callback), ErrorCode.TRANSACTION_NOT_FOUND, {
      calls: [],
    })
    expect(attacker.cookies.getAll()).toEqual([])
    await expect(r.signIn(victim, callback)).resolves.toHaveProperty('access_token')
  })

  it('mix-up: a callback from one provider routed to another registered app is refused before any token request', async () => {
    const r = await hostileRig(server)
    const evil = await HostileIdp.create({ issuer: 'https://evil-idp.test', clientId: 'client-1' })
    server.use(...evil.handlers())
    const oauth = r.oauth.register('evil', {
      serverMetadataUrl: evil.discoveryUrl,
      clientId: evil.clientId,
      clientSecret: evil.clientSecret,
      scope: 'openid email',
    })
    // The user signs in with the honest provider; the response is delivered to the attacker's app route.
    const login = await r.start()
    const callback = r.idp.authorize(login.location)
    await r.expectRefused(
      () =>
        oauth
          .create('evil')
          .authorizeAccessToken({ cookies: login.cookies, request: new Request(callback) }),
      ErrorCode.APP_MISMATCH,
      { login, calls: [] },
    )
    expect(evil.endpointCalls('token')).toBe(0) // the honest code never reaches the attacker's token endpoint
  })

  it('tampered-transaction-cookie: a transaction cookie with one character changed is refused', async () => {
    const r = await hostileRig(server)
    const login = await r.start()
    const value = login.cookies.get(login.txCookie)!
    login.cookies.set(
      login.txCookie,
      value.slice(0, -5) + (value.at(-5) === 'A' ? 'B' : 'A') + value.slice(-4),
    )
    const callback = r.idp.authorize(login.location)
    await r.expectRefused(() => r.signIn(login, callback), ErrorCode.TRANSACTION_INVALID, {
      login,
      calls: [],
    })
  })

  it('truncated-transaction-cookie: a transaction cookie cut short is refused', async () => {
    const r = await hostileRig(server)
    const login = await r.start()
    login.cookies.set(login.txCookie, login.cookies.get(login.txCookie)!.slice(0, 200))
    const callback = r.idp.authorize(login.location)
    await r.expectRefused(() => r.signIn(login, callback), ErrorCode.TRANSACTION_INVALID, {
      login,
      calls: [],
    })
  })

  it('expired-transaction-cookie: a callback 10.5 minutes after the login started (TTL 10) is refused', async () => {
    const r = await hostileRig(server)
    const login = await r.start()
    const callback = r.idp.authorize(login.location)
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(Date.now() + 630_000)
    await r.expectRefused(() => r.signIn(login, callback), ErrorCode.TRANSACTION_EXPIRED, {
      login,
      calls: [],
    })
  })

  it('secret-rotation: a login started before the transaction secret was rotated still finishes; one sealed with a retired secret is refused', async () => {
    const OLD = 'the-old-transaction-secret-of-32-characters'
    const NEW = 'the-new-transaction-secret-of-32-characters'
    const r = await hostileRig(server, { registry: { secret: { 1: OLD } } })
    const config = {
      serverMetadataUrl: r.idp.discoveryUrl,
      clientId: r.idp.clientId,
      clientSecret: r.idp.clientSecret,
      scope: 'openid email',
    }
    const inFlight = await r.start()
    // Rotation: the new secret gets a higher id (it seals new logins); the old one still opens logins in flight.
    const rotated = new OAuth({ secret: { 1: OLD, 2: NEW } }).register('idp', config).create('idp')
    await expect(
      rotated.authorizeAccessToken({
        cookies: inFlight.cookies,
        request: new Request(r.idp.authorize(inFlight.location)),
      }),
    ).resolves.toHaveProperty('access_token')
    // Once the old secret is retired (after one transaction TTL), what it sealed is refused.
    const stale = await r.start()
    const retired = new OAuth({ secret: { 2: NEW } }).register('idp', config).create('idp')
    await expectCode(
      retired.authorizeAccessToken({
        cookies: stale.cookies,
        request: new Request(r.idp.authorize(stale.location)),
      }),
      ErrorCode.TRANSACTION_INVALID,
    )
    expect(stale.cookies.get(stale.txCookie)).toBeUndefined()
  })

  it('returnTo-off-site: a returnTo that leaves the site is dropped, including dot-segment tricks that normalise to //host', async () => {
    const r = await hostileRig(server)
    const offSite = [
      'https://evil.example/',
      '//evil.example',
      '/\\evil.example',
      'javascript:alert(1)',
      '/\t/evil.example',
      '/.//evil.example',
      '/a/..//evil.example',
      '/%2e//evil.example',
      '/./\\evil.example',
    ]
    for (const returnTo of offSite) {
      expect(
        (await r.app.createAuthorizationUrl(REDIRECT, { returnTo })).transaction.returnTo,
        returnTo,
      ).toBeUndefined()
    }
    const login = await r.start({ returnTo: '/.//evil.example' })
    const done = await r.app.completeAuthorization({
      cookies: login.cookies,
      request: new Request(r.idp.authorize(login.location)),
    })
    expect(done.returnTo).toBeUndefined()
    const same = await r.start({ returnTo: '/dash?tab=2#top' })
    expect(
      (
        await r.app.completeAuthorization({
          cookies: same.cookies,
          request: new Request(r.idp.authorize(same.location)),
        })
      ).returnTo,
    ).toBe('/dash?tab=2#top')
  })
})
