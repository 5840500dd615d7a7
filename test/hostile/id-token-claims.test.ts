/**
 * Hostile provider, ID token claims (OpenID Foundation RP conformance: Basic, Config, FAPI 2 client
 * tests). Each ID token comes from the token endpoint, correctly signed, with one claim wrong; the login
 * must be refused before anything else is called, and nothing kept.
 */
import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth } from '../../src/index.js'
import { REDIRECT, SECRET, useMsw } from '../support/helpers.js'
import { hostileRig } from '../support/hostile-idp.js'

const server = useMsw()
const now = () => Math.floor(Date.now() / 1000)

/** Log in once with the ID token claims `claims` (merged over a valid set) and expect it refused. */
async function refusedWith(
  claims: (nonce: string | undefined) => Record<string, unknown>,
  calls = ['token'],
) {
  const r = await hostileRig(server)
  const login = await r.start()
  r.idp.answerToken(async ({ nonce }) => ({
    id_token: await r.idp.idToken({ nonce, ...claims(nonce) }),
  }))
  const callback = r.idp.authorize(login.location)
  return r.expectRefused(() => r.signIn(login, callback), ErrorCode.ID_TOKEN_INVALID, {
    login,
    calls,
  })
}

describe('hostile provider: ID token claims', () => {
  it('invalid-iss: an ID token from another issuer is refused', async () => {
    await refusedWith(() => ({ iss: 'https://evil.test' }))
  })

  it('missing-sub: an ID token without sub is refused', async () => {
    await refusedWith(() => ({ sub: undefined }))
  })

  it('invalid-aud: an ID token for another client is refused', async () => {
    await refusedWith(() => ({ aud: 'another-client' }))
  })

  it('missing-aud: an ID token without aud is refused', async () => {
    await refusedWith(() => ({ aud: undefined }))
  })

  it('missing-iat: an ID token without iat is refused', async () => {
    await refusedWith(() => ({ iat: undefined }))
  })

  it('missing-exp: an ID token without exp is refused', async () => {
    await refusedWith(() => ({ exp: undefined }))
  })

  it('expired-exp: an ID token expired beyond the 30 s clock tolerance is refused (within it, accepted)', async () => {
    await refusedWith(() => ({ exp: now() - 60 }))
    const r = await hostileRig(server)
    const login = await r.start()
    r.idp.answerToken(async ({ nonce }) => ({
      id_token: await r.idp.idToken({ nonce, exp: now() - 10 }),
    }))
    await expect(r.signIn(login, r.idp.authorize(login.location))).resolves.toHaveProperty(
      'id_token',
    )
  })

  it('iat-far-in-past: an ID token issued a week ago (exp still valid) is refused', async () => {
    const err = await refusedWith(() => ({ iat: now() - 7 * 24 * 3600 }))
    expect(err.message).toMatch(/before this login started/)
  })

  it('nonce-invalid: an ID token with another nonce is refused', async () => {
    await refusedWith(() => ({ nonce: 'a-nonce-from-another-login' }))
  })

  it('missing-nonce: an ID token without the nonce that was sent is refused', async () => {
    await refusedWith(() => ({ nonce: undefined }))
  })

  it('aud-untrusted-extra: an aud array naming this client and an untrusted audience is refused, even with azp = client', async () => {
    const err = await refusedWith(
      () => ({ aud: ['client-1', 'client-11'], azp: 'client-1' }),
      ['token', 'jwks'],
    )
    expect(err.message).toMatch(/audiences besides this client/)
  })

  it('missing-azp: an aud array with several audiences and no azp is refused', async () => {
    await refusedWith(() => ({ aud: ['client-1', 'client-11'], azp: undefined }))
  })

  it('aud-as-array: an aud array holding only this client is accepted', async () => {
    const r = await hostileRig(server)
    const login = await r.start()
    r.idp.answerToken(async ({ nonce }) => ({
      id_token: await r.idp.idToken({ nonce, aud: ['client-1'] }),
    }))
    await expect(r.signIn(login, r.idp.authorize(login.location))).resolves.toHaveProperty(
      'userinfo.aud',
      ['client-1'],
    )
  })

  it('iat-in-future: an ID token issued beyond the clock tolerance in the future is refused, also after its exp and on refresh (within it, accepted)', async () => {
    const err = await refusedWith(() => ({ iat: now() + 3600, exp: now() + 7200 }))
    expect(err.message).toMatch(/issued in the future/)
    await refusedWith(() => ({ iat: now() + 600, exp: now() + 300 }))
    const r = await hostileRig(server)
    const login = await r.start()
    r.idp.answerToken(async ({ nonce }) => ({
      id_token: await r.idp.idToken({ nonce, iat: now() + 10 }),
      refresh_token: 'rt-1',
    }))
    const token = await r.signIn(login, r.idp.authorize(login.location))
    r.idp.answerRefresh(async () => ({
      access_token: 'at-2',
      token_type: 'Bearer',
      expires_in: 3600,
      id_token: await r.idp.idToken({ iat: now() + 3600, exp: now() + 7200 }),
    }))
    const refused = await r.expectRefused(
      () => r.app.refreshToken(token),
      ErrorCode.REAUTHENTICATION_REQUIRED,
      { calls: ['token'] },
    )
    expect((refused.cause as { code: string }).code).toBe(ErrorCode.ID_TOKEN_INVALID)
  })

  it('empty-sub: an ID token whose sub is the empty string is refused', async () => {
    const err = await refusedWith(() => ({ sub: '' }))
    expect(err.message).toMatch(/empty sub/)
  })

  it('typ-at-jwt: an access token (typ at+jwt or application/at+jwt, RFC 9068 §4) offered as an ID token is refused; typ JWT is accepted', async () => {
    for (const typ of ['at+jwt', 'application/at+jwt', 'AT+JWT', 'logout+jwt']) {
      const r = await hostileRig(server)
      const login = await r.start()
      r.idp.answerToken(async ({ nonce }) => ({
        id_token: await r.idp.idToken({ nonce }, { header: { typ } }),
      }))
      const err = await r.expectRefused(
        () => r.signIn(login, r.idp.authorize(login.location)),
        ErrorCode.ID_TOKEN_INVALID,
        { login, calls: ['token'] },
      )
      expect(err.message).toMatch(/another kind of token/)
    }
    const r = await hostileRig(server)
    const login = await r.start()
    r.idp.answerToken(async ({ nonce }) => ({
      id_token: await r.idp.idToken({ nonce }, { header: { typ: 'JWT' } }),
    }))
    await expect(r.signIn(login, r.idp.authorize(login.location))).resolves.toHaveProperty(
      'userinfo.sub',
      'user-1',
    )
  })

  it('azp-other-single-aud: with aud = this client alone, an azp naming another party is not compared (OIDC Core errata 2) and the token is accepted', async () => {
    const r = await hostileRig(server)
    const login = await r.start()
    r.idp.answerToken(async ({ nonce }) => ({
      id_token: await r.idp.idToken({ nonce, aud: 'client-1', azp: 'another-client' }),
    }))
    await expect(r.signIn(login, r.idp.authorize(login.location))).resolves.toHaveProperty(
      'userinfo.azp',
      'another-client',
    )
  })

  it('max-age-not-integer: a max_age the callback could not enforce ("60s", "-1", "1e3", "060") is refused when the login starts and at register', async () => {
    const r = await hostileRig(server)
    for (const maxAge of ['60s', '-1', '1e3', '060', '1.5', '']) {
      const cookies = new MemoryCookieJar()
      await r.expectRefused(
        () => r.app.authorizeRedirect({ cookies }, REDIRECT, { params: { max_age: maxAge } }),
        ErrorCode.INVALID_REQUEST,
        { calls: [] },
      )
      expect(cookies.getAll()).toEqual([])
      expect(() =>
        new OAuth({ secret: SECRET }).register('x', {
          serverMetadataUrl: r.idp.discoveryUrl,
          clientId: 'c',
          scope: 'openid',
          authorizeParams: { max_age: maxAge },
        }),
      ).toThrow(expect.objectContaining({ code: ErrorCode.CONFIG_INVALID }))
    }
    const login = await r.start()
    expect(login.location.searchParams.get('max_age')).toBeNull()
    const cookies = new MemoryCookieJar()
    const response = await r.app.authorizeRedirect({ cookies }, REDIRECT, {
      params: { max_age: '0' },
    })
    expect(new URL(response.headers.get('location')!).searchParams.get('max_age')).toBe('0')
  })
})
