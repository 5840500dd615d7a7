/**
 * The login transaction cookie at the edges, in a browser cookie model (test/support/cookie-browser.ts):
 * login CSRF by cookie tossing (a sibling subdomain or a plain-http page planting the attacker's own
 * sealed transaction), transactions bound to the app's session, and the cookie bomb (many logins
 * with a long returnTo filling every request's headers).
 */
import { createHash } from 'node:crypto'
import { unseal } from '../../src/session/seal.js'
import { HttpResponse, http } from 'msw'
import { describe, expect, it } from 'vitest'
import {
  ErrorCode,
  MemoryCookieJar,
  OAuth,
  type OAuth1Token,
  type OAuthContext,
  type RemoteApp,
  type Transaction,
} from '../../src/index.js'
import { CookieBrowser } from '../support/cookie-browser.js'
import { hostileRig, type Rig } from '../support/hostile-idp.js'
import { REDIRECT, SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

const SITE = new URL(REDIRECT).origin // https://app.test
const SIBLING = 'https://evil.app.test/' // a sibling subdomain: may set Domain=app.test cookies
const PLAIN_HTTP = 'http://app.test/' // what a network attacker can inject into
const LOOPBACK = 'http://127.0.0.1:3000/callback'
const BUDGET = 6 * 1024

const sha256 = async (value: string) => createHash('sha256').update(value).digest('base64url')

/** Start a login of `app` in `browser`, as the app's login route does; returns the provider URL and the new cookie. */
async function startLogin(
  app: RemoteApp,
  browser: CookieBrowser,
  options: { redirect?: string; returnTo?: string; binding?: string } = {},
) {
  const redirect = options.redirect ?? REDIRECT
  const page = new URL('/login', redirect)
  const before = new Set(browser.cookies.map((c) => c.name))
  const ctx: OAuthContext = {
    cookies: browser.jar(page),
    ...(options.binding === undefined ? {} : { binding: options.binding }),
  }
  const response = await app.authorizeRedirect(
    ctx,
    redirect,
    options.returnTo === undefined ? {} : { returnTo: options.returnTo },
  )
  browser.store(page, ctx.cookies as MemoryCookieJar)
  const cookie = browser.cookies.find((c) => !before.has(c.name))
  return {
    location: new URL(response.headers.get('location')!),
    cookie,
    headers: (ctx.cookies as MemoryCookieJar).setCookieHeaders(),
  }
}

/** The browser follows the provider's redirect to the callback, as the app's callback route handles it. */
async function finishLogin(
  app: RemoteApp,
  browser: CookieBrowser,
  callback: URL,
  binding?: string,
) {
  const cookies = browser.jar(callback)
  try {
    return await app.completeAuthorization({
      cookies,
      request: browser.request(callback),
      ...(binding === undefined ? {} : { binding }),
    })
  } finally {
    browser.store(callback, cookies)
  }
}

/** The attacker signs in with their own account up to the provider's redirect, and keeps the callback and the cookie. */
async function attackersLogin(rig: Rig, options: { redirect?: string; binding?: string } = {}) {
  const attacker = new CookieBrowser()
  const { location, cookie } = await startLogin(rig.app, attacker, options)
  return { callback: rig.idp.authorize(location), cookie: cookie! }
}

/** `Set-Cookie` headers planting `cookie` (under its own name and without a `__Host-`/`__Secure-` prefix) for the whole site. */
function plant(cookie: { name: string; value: string }, attributes: string): string[] {
  return [...new Set([cookie.name, cookie.name.replace(/^__(Host|Secure)-/, '')])].map(
    (name) => `${name}=${cookie.value}; ${attributes}`,
  )
}

describe('login CSRF by cookie tossing', () => {
  it('tossed-sibling: a transaction planted by a sibling subdomain with Domain= is refused on https', async () => {
    const rig = await hostileRig(server)
    const { callback, cookie } = await attackersLogin(rig)
    const victim = new CookieBrowser()
    for (const header of plant(cookie, 'Domain=app.test; Path=/; Secure; HttpOnly; SameSite=Lax'))
      victim.receive(SIBLING, header)
    expect(victim.refused.map((r) => r.reason)).toEqual([
      '__Host- needs Secure, Path=/ and no Domain',
    ])
    expect(victim.sent(callback).map((c) => c.name)).toEqual([cookie.name.replace(/^__Host-/, '')]) // the browser does send the plain one

    await expectCode(finishLogin(rig.app, victim, callback), ErrorCode.TRANSACTION_NOT_FOUND)
    expect(rig.updates, "the attacker's account must not reach the victim's session").toHaveLength(
      0,
    )
    expect(rig.idp.calls.filter((c) => c.endpoint === 'token')).toHaveLength(0)
  })

  it('tossed-http: a network attacker on a plain-http page of the site cannot plant the transaction', async () => {
    const rig = await hostileRig(server)
    const { callback, cookie } = await attackersLogin(rig)
    const victim = new CookieBrowser()
    for (const header of plant(cookie, 'Path=/; HttpOnly')) victim.receive(PLAIN_HTTP, header)
    for (const header of plant(cookie, 'Path=/; Secure; HttpOnly'))
      victim.receive(PLAIN_HTTP, header)
    await expectCode(finishLogin(rig.app, victim, callback), ErrorCode.TRANSACTION_NOT_FOUND)
    expect(rig.updates).toHaveLength(0)
  })

  it('host-prefix: the transaction cookie is __Host- (Secure, Path=/, no Domain) on https, plain on http loopback, and its own login still works', async () => {
    const rig = await hostileRig(server)
    const browser = new CookieBrowser()
    const { location, headers } = await startLogin(rig.app, browser)
    expect(headers).toEqual([
      expect.stringMatching(
        /^__Host-oauthkit\.tx\.[\w-]{43}=[^;]+; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
      ),
    ])
    expect(browser.refused).toEqual([])
    const done = await finishLogin(rig.app, browser, rig.idp.authorize(location))
    expect(done.token.access_token).toBeTypeOf('string')
    expect(browser.cookies).toEqual([]) // consumed

    const dev = new CookieBrowser()
    const loopback = await startLogin(rig.app, dev, { redirect: LOOPBACK })
    expect(loopback.headers).toEqual([
      expect.stringMatching(
        /^oauthkit\.tx\.[\w-]{43}=[^;]+; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/,
      ),
    ])
    await finishLogin(rig.app, dev, rig.idp.authorize(loopback.location))
    expect(rig.updates).toHaveLength(2)
  })

  it('host-prefix-loosened: an app that sets cookiePrefix gets that name, and old plain transactions count toward the bound', async () => {
    const rig = await hostileRig(server, { registry: { cookiePrefix: 'myapp.tx.' } })
    const browser = new CookieBrowser()
    const { headers } = await startLogin(rig.app, browser)
    expect(headers[0]).toMatch(
      /^myapp\.tx\.[\w-]{43}=[^;]+; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    )

    // Transactions left by the plain-named release before `__Host-` are pruned with the new ones.
    const upgraded = await hostileRig(server)
    const jar = new MemoryCookieJar()
    for (let i = 0; i < 4; i++)
      await upgraded.app.authorizeRedirect({ cookies: jar }, 'http://127.0.0.1/callback')
    for (let i = 0; i < 3; i++) await upgraded.app.authorizeRedirect({ cookies: jar }, REDIRECT)
    const names = jar.getAll().map((c) => c.name)
    expect(names).toHaveLength(5)
    expect(names.filter((n) => n.startsWith('oauthkit.tx.'))).toHaveLength(2)
    expect(names.filter((n) => n.startsWith('__Host-oauthkit.tx.'))).toHaveLength(3)
  })

  it('cookie-prefix-invalid: a cookiePrefix that is not a cookie name is refused at construction', async () => {
    for (const cookiePrefix of ['', 'tx;', 'a b', 'tx=']) {
      expect(() => new OAuth({ secret: SECRET, cookiePrefix }), cookiePrefix).toThrow(
        expect.objectContaining({ code: ErrorCode.CONFIG_INVALID }),
      )
    }
  })
})

describe('transactions bound to the app session (ctx.binding)', () => {
  it("bound-other-session: a planted transaction bound to the attacker's session is refused and consumed", async () => {
    // An app that loosened the prefix (or serves on http loopback): planting works, the binding is what stops it.
    const rig = await hostileRig(server, { registry: { cookiePrefix: 'oauthkit.tx.' } })
    const { callback, cookie } = await attackersLogin(rig, { binding: 'attacker-session-id' })
    const victim = new CookieBrowser()
    for (const header of plant(cookie, 'Domain=app.test; Path=/; Secure; HttpOnly; SameSite=Lax'))
      victim.receive(SIBLING, header)
    expect(victim.sent(callback)).toHaveLength(1)

    const err = await expectCode(
      finishLogin(rig.app, victim, callback, 'victim-session-id'),
      ErrorCode.TRANSACTION_INVALID,
    )
    expect(err.message).not.toMatch(/session-id/)
    expect(rig.updates).toHaveLength(0)
    expect(rig.idp.calls.filter((c) => c.endpoint === 'token')).toHaveLength(0)
    // Consumed: the same callback is refused even with the attacker's own binding.
    await expectCode(
      rig.app.completeAuthorization({
        cookies: MemoryCookieJar.fromRequest(victim.request(callback)),
        request: new Request(callback),
        binding: 'attacker-session-id',
      }),
      ErrorCode.TRANSACTION_NOT_FOUND,
    )
  })

  it('bound-mismatch: bound at login but not at the callback, or the other way round, is refused; the same binding signs in', async () => {
    const rig = await hostileRig(server)
    for (const [atLogin, atCallback] of [
      ['s1', undefined],
      [undefined, 's1'],
      ['s1', 's2'],
    ] as const) {
      const browser = new CookieBrowser()
      const { location, cookie } = await startLogin(
        rig.app,
        browser,
        atLogin === undefined ? {} : { binding: atLogin },
      )
      const sealed = (await unseal(
        cookie!.value.slice(cookie!.value.indexOf('.') + 1),
        SECRET,
      )) as Transaction
      expect(
        sealed.binding,
        'the sealed transaction holds the SHA-256 of the binding, never the value',
      ).toBe(atLogin === undefined ? undefined : await sha256(atLogin))
      await expectCode(
        finishLogin(rig.app, browser, rig.idp.authorize(location), atCallback),
        ErrorCode.TRANSACTION_INVALID,
      )
      expect(browser.cookies, `${atLogin} → ${atCallback}: the transaction is consumed`).toEqual([])
    }
    expect(rig.updates).toHaveLength(0)
    const browser = new CookieBrowser()
    const { location } = await startLogin(rig.app, browser, { binding: 's1' })
    await finishLogin(rig.app, browser, rig.idp.authorize(location), 's1')
    expect(rig.updates).toHaveLength(1)
  })

  it('bound-invalid: a binding that is not a non-empty string is refused before anything is stored', async () => {
    const rig = await hostileRig(server)
    for (const binding of ['', 42]) {
      const cookies = new MemoryCookieJar()
      await expectCode(
        rig.app.authorizeRedirect({ cookies, binding } as unknown as OAuthContext, REDIRECT),
        ErrorCode.INVALID_REQUEST,
      )
      expect(cookies.getAll()).toEqual([])
    }
  })
})

describe('OAuth 1 transactions', () => {
  const X = 'https://api.x.test'
  const oauth1 = () => {
    let n = 0
    server.use(
      http.post(`${X}/oauth/request_token`, () =>
        HttpResponse.text(
          `oauth_token=temp.${++n}.${crypto.randomUUID()}&oauth_token_secret=ts&oauth_callback_confirmed=true`,
        ),
      ),
      http.post(`${X}/oauth/access_token`, () =>
        HttpResponse.text('oauth_token=at&oauth_token_secret=as'),
      ),
    )
    const updates: OAuth1Token[] = []
    const app = new OAuth({ secret: SECRET })
      .register('x', {
        requestTokenUrl: `${X}/oauth/request_token`,
        accessTokenUrl: `${X}/oauth/access_token`,
        authorizeUrl: `${X}/oauth/authorize`,
        clientId: 'ck',
        clientSecret: 'cs',
        updateToken: (_n, t) => void updates.push(t),
      })
      .create('x')
    const callbackOf = (location: URL, redirect = REDIRECT) =>
      new URL(
        `${redirect}?oauth_token=${location.searchParams.get('oauth_token')}&oauth_verifier=v`,
      )
    return { app, updates, callbackOf }
  }

  it('oauth1-host-prefix: an OAuth 1 transaction is __Host- on https, and a tossed one is refused', async () => {
    const { app, updates, callbackOf } = oauth1()
    const attacker = new CookieBrowser()
    const { location, cookie, headers } = await startLogin(app, attacker)
    expect(headers).toEqual([
      expect.stringMatching(
        /^__Host-oauthkit\.tx\.[\w-]{22}=[^;]+; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
      ),
    ])
    const victim = new CookieBrowser()
    for (const header of plant(cookie!, 'Domain=app.test; Path=/; Secure; HttpOnly'))
      victim.receive(SIBLING, header)
    await expectCode(
      finishLogin(app, victim, callbackOf(location)),
      ErrorCode.TRANSACTION_NOT_FOUND,
    )
    expect(updates).toHaveLength(0)

    const dev = new CookieBrowser()
    const loopback = await startLogin(app, dev, { redirect: LOOPBACK })
    expect(loopback.headers[0]).toMatch(
      /^oauthkit\.tx\.[\w-]{22}=[^;]+; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/,
    )
    await finishLogin(app, dev, callbackOf(loopback.location, LOOPBACK))
    expect(updates).toHaveLength(1)
  })

  it('oauth1-bound: an OAuth 1 transaction bound to another session is refused; the same binding signs in', async () => {
    const { app, updates, callbackOf } = oauth1()
    const browser = new CookieBrowser()
    const first = await startLogin(app, browser, { binding: 'attacker' })
    await expectCode(
      finishLogin(app, browser, callbackOf(first.location), 'victim'),
      ErrorCode.TRANSACTION_INVALID,
    )
    const second = await startLogin(app, browser, { binding: 'victim' })
    await finishLogin(app, browser, callbackOf(second.location), 'victim')
    expect(updates).toHaveLength(1)
  })
})

describe('cookie bomb', () => {
  it('cookie-bomb: many logins with a long returnTo never push the Cookie header past 6 KiB', async () => {
    const rig = await hostileRig(server)
    const browser = new CookieBrowser()
    const page = `${SITE}/any/page`
    for (const length of [400, 511, 2000, 3000, 511, 511, 2000, 511, 100, 511, 511, 511]) {
      await startLogin(rig.app, browser, { returnTo: `/${'a'.repeat(length - 1)}` })
      expect(
        browser.cookieHeader(page).length,
        `after a login with a returnTo of ${length} bytes`,
      ).toBeLessThanOrEqual(BUDGET)
    }
    expect(browser.sent(page).length).toBeGreaterThanOrEqual(3) // the newest logins are still in flight
  })

  it('cookie-bomb-newest: the newest login survives the budget and finishes; the oldest were dropped', async () => {
    const rig = await hostileRig(server)
    const browser = new CookieBrowser()
    const logins = []
    for (let i = 0; i < 8; i++)
      logins.push(await startLogin(rig.app, browser, { returnTo: `/${String(i).repeat(511)}` }))
    await expectCode(
      finishLogin(rig.app, browser, rig.idp.authorize(logins[0]!.location)),
      ErrorCode.TRANSACTION_NOT_FOUND,
    )
    const done = await finishLogin(rig.app, browser, rig.idp.authorize(logins[7]!.location))
    expect(done.returnTo).toBe(`/${'7'.repeat(511)}`)
  })

  it('returnto-cap: a returnTo over 512 bytes is dropped like an off-site one; 512 bytes are kept', async () => {
    const rig = await hostileRig(server)
    for (const [returnTo, kept] of [
      [`/${'a'.repeat(511)}`, true],
      [`/${'a'.repeat(512)}`, false],
      [`/${'é'.repeat(200)}`, false], // 200 characters, 1,201 bytes once percent-encoded
      [`/${'a'.repeat(100_000)}`, false],
    ] as const) {
      const browser = new CookieBrowser()
      const { location } = await startLogin(rig.app, browser, { returnTo })
      const done = await finishLogin(rig.app, browser, rig.idp.authorize(location))
      expect(done.returnTo, `${returnTo.length} characters`).toBe(kept ? returnTo : undefined)
    }
  })
})
