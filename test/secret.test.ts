/**
 * A registry without a secret: its random fallback is made on the first login, not in the
 * constructor (workerd refuses random values at global scope, where apps create their registry —
 * test/runtimes/edge-runtimes.test.ts runs it there); with NODE_ENV=production the login is refused,
 * elsewhere the process warns once.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { REDIRECT, SECRET, expectCode } from './support/helpers.js'

const endpoints = {
  authorizeUrl: 'https://idp.test/authorize',
  accessTokenUrl: 'https://idp.test/token',
}

/** A fresh copy of oauthkit, so the once-per-process warning starts unsaid. */
async function fresh() {
  vi.resetModules()
  return import('../src/index.js')
}

let warn: ReturnType<typeof vi.spyOn>
beforeEach(() => {
  warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined)
})
afterEach(() => {
  vi.restoreAllMocks()
  vi.unstubAllEnvs()
})

describe('no secret', () => {
  it('the constructor, register and create draw no random values', async () => {
    const { OAuth } = await fresh()
    const random = vi.spyOn(crypto, 'getRandomValues')
    const app = new OAuth().register('idp', { clientId: 'c', ...endpoints }).create('idp')
    expect(random).not.toHaveBeenCalled()
    expect(warn).not.toHaveBeenCalled()
    // The first login makes the secret (and its state, verifier): now random values are drawn.
    await app.createAuthorizationUrl(REDIRECT)
    expect(random).toHaveBeenCalled()
  })

  it('outside production: the first login warns once per process, naming new OAuth({ secret }), and the login works', async () => {
    vi.stubEnv('NODE_ENV', 'development')
    const { MemoryCookieJar, OAuth } = await fresh()
    const a = new OAuth().register('idp', { clientId: 'c', ...endpoints }).create('idp')
    const b = new OAuth().register('idp', { clientId: 'c', ...endpoints }).create('idp')
    for (const app of [a, a, b])
      expect(
        (await app.authorizeRedirect({ cookies: new MemoryCookieJar() }, REDIRECT)).status,
      ).toBe(302)
    expect(warn).toHaveBeenCalledTimes(1)
    expect(warn.mock.calls[0]![0]).toBe(
      'oauthkit: new OAuth() was given no secret, so logins are sealed with a random one valid in this process only: a login started before a restart, or on another instance, fails with transaction_invalid. To fix it, pass new OAuth({ secret }) with at least 32 characters, the same in every process (e.g. from an environment variable).',
    )
  })

  it('with NODE_ENV=production: the registry is created (a build may import it), its first login is refused naming new OAuth({ secret })', async () => {
    vi.stubEnv('NODE_ENV', 'production')
    const { ErrorCode, MemoryCookieJar, OAuth } = await fresh()
    const app = new OAuth().register('idp', { clientId: 'c', ...endpoints }).create('idp')
    const err = await expectCode(
      app.authorizeRedirect({ cookies: new MemoryCookieJar() }, REDIRECT),
      ErrorCode.CONFIG_INVALID,
    )
    expect(err.message).toBe(
      'OAuth: no secret to seal login transactions with (NODE_ENV=production): pass new OAuth({ secret }) with at least 32 characters, the same in every process (e.g. from an environment variable)',
    )
    // A callback is refused the same way, not read as a tampered cookie.
    const cookies = new MemoryCookieJar()
    cookies.set('oauthkit.tx.' + 'a'.repeat(43), '1.x', {})
    await expectCode(
      app.authorizeAccessToken({
        cookies,
        request: new Request(`http://127.0.0.1/callback?state=${'a'.repeat(43)}&code=x`),
      }),
      ErrorCode.CONFIG_INVALID,
    )
    expect(warn).not.toHaveBeenCalled()
  })

  it('with a secret: no warning, in production or not', async () => {
    vi.stubEnv('NODE_ENV', 'production')
    const { MemoryCookieJar, OAuth } = await fresh()
    const app = new OAuth({ secret: SECRET })
      .register('idp', { clientId: 'c', ...endpoints })
      .create('idp')
    expect((await app.authorizeRedirect({ cookies: new MemoryCookieJar() }, REDIRECT)).status).toBe(
      302,
    )
    expect(warn).not.toHaveBeenCalled()
  })
})
