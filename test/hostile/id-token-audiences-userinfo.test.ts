/**
 * Hostile provider: per-app `trustedAudiences`, signed userinfo (`userinfoSignedResponseAlg`), the
 * public `parseIdToken` and an inline `jwks`. Every token here is correctly formed but for the one
 * thing under test; a refusal is a typed error and nothing is kept.
 */
import * as jose from 'jose'
import { describe, expect, it } from 'vitest'
import { ErrorCode, OAuth, type OAuth2Token } from '../../src/index.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'
import { expectNoCredentials } from '../support/secrets.js'
import { hostileRig, tamperSignature, type RigOptions } from '../support/hostile-idp.js'

const server = useMsw()
const now = () => Math.floor(Date.now() / 1000)

/** Log in with the ID token claims `claims` merged over a valid set. */
async function loginWith(claims: Record<string, unknown>, options: RigOptions = {}) {
  const r = await hostileRig(server, options)
  const login = await r.start()
  r.idp.answerToken(async ({ nonce }) => ({
    id_token: await r.idp.idToken({ nonce, ...claims }),
  }))
  return { r, login, attempt: () => r.signIn(login, r.idp.authorize(login.location)) }
}

/** A logged-in rig whose userinfo endpoint answers `body` as `application/jwt`. */
async function signedUserinfo(
  body: (r: Awaited<ReturnType<typeof hostileRig>>) => Promise<string>,
  options: RigOptions = { config: { userinfoSignedResponseAlg: 'RS256' } },
) {
  const r = await hostileRig(server, options)
  const login = await r.start()
  const token = await r.app.authorizeAccessToken({
    cookies: login.cookies,
    request: new Request(r.idp.authorize(login.location)),
  })
  const jwt = await body(r)
  r.idp.overrides.userinfo = () =>
    new Response(jwt, { headers: { 'content-type': 'application/jwt' } })
  return { r, token }
}

describe('hostile provider: trustedAudiences', () => {
  it('aud-trusted-extra: an audience listed in trustedAudiences is accepted beside the client (azp = client)', async () => {
    const { attempt } = await loginWith(
      { aud: ['client-1', 'api-gateway'], azp: 'client-1' },
      { config: { trustedAudiences: ['api-gateway'] } },
    )
    const token = await attempt()
    expect(token.userinfo?.aud).toEqual(['client-1', 'api-gateway'])
  })

  it('aud-untrusted-extra-with-trusted: an audience not in trustedAudiences is still refused', async () => {
    const { r, login, attempt } = await loginWith(
      { aud: ['client-1', 'api-gateway', 'evil-client'], azp: 'client-1' },
      { config: { trustedAudiences: ['api-gateway'] } },
    )
    const err = await r.expectRefused(attempt, ErrorCode.ID_TOKEN_INVALID, {
      login,
      calls: ['token', 'jwks'],
    })
    expect(err.message).toMatch(/audiences besides this client/)
  })

  it('aud-trusted-no-azp: several audiences, all trusted, but no azp naming this client: refused', async () => {
    const { r, login, attempt } = await loginWith(
      { aud: ['client-1', 'api-gateway'], azp: undefined },
      { config: { trustedAudiences: ['api-gateway'] } },
    )
    await r.expectRefused(attempt, ErrorCode.ID_TOKEN_INVALID, { login, calls: ['token'] })
  })

  it('aud-trusted-only: a token for the trusted audience alone (not this client) is refused', async () => {
    const { r, login, attempt } = await loginWith(
      { aud: 'api-gateway', azp: 'client-1' },
      { config: { trustedAudiences: ['api-gateway'] } },
    )
    await r.expectRefused(attempt, ErrorCode.ID_TOKEN_INVALID, { login, calls: ['token'] })
  })

  it('trustedAudiences must be an array of non-empty strings', () => {
    for (const trustedAudiences of [['' as string], 'api' as unknown as string[]])
      expect(() =>
        new OAuth().register('x', {
          authorizeUrl: 'https://idp.test/a',
          accessTokenUrl: 'https://idp.test/t',
          clientId: 'c',
          trustedAudiences,
        }),
      ).toThrow(/trustedAudiences/)
  })
})

describe('hostile provider: signed userinfo', () => {
  it('a JWT userinfo signed by the provider, naming its issuer and this client, is accepted', async () => {
    const { r, token } = await signedUserinfo((r) =>
      r.idp.idToken({ email: 'user@example.test', exp: undefined, iat: undefined }),
    )
    await expect(r.app.userinfo(token)).resolves.toMatchObject({
      sub: 'user-1',
      email: 'user@example.test',
    })
    const request = r.idp.calls.find((c) => c.endpoint === 'userinfo')!.request
    expect(request.headers.get('accept')).toBe('application/jwt')
  })

  it('userinfo-bad-signature: a JWT userinfo whose signature does not verify is refused', async () => {
    const { r, token } = await signedUserinfo(async (r) => tamperSignature(await r.idp.idToken()))
    const err = await expectCode(r.app.userinfo(token), ErrorCode.USERINFO_INVALID)
    expectNoCredentials(err, 'the error')
  })

  it('userinfo-other-key: signed by a key the provider does not publish, refused', async () => {
    const { r, token } = await signedUserinfo(async (r) => {
      const { privateKey } = await jose.generateKeyPair('RS256')
      return r.idp.idToken({}, { key: privateKey })
    })
    await expectCode(r.app.userinfo(token), ErrorCode.USERINFO_INVALID)
  })

  it('userinfo-wrong-aud: a JWT userinfo for another client is refused', async () => {
    const { r, token } = await signedUserinfo((r) => r.idp.idToken({ aud: 'another-client' }))
    await expect(r.app.userinfo(token)).rejects.toMatchObject({ name: 'OAuthKitError' })
  })

  it('userinfo-untrusted-extra-aud: this client plus an untrusted audience is refused', async () => {
    const { r, token } = await signedUserinfo((r) =>
      r.idp.idToken({ aud: ['client-1', 'evil-client'], azp: 'client-1' }),
    )
    const err = await expectCode(r.app.userinfo(token), ErrorCode.USERINFO_INVALID)
    expect(err.message).toMatch(/audiences besides this client/)
  })

  it('userinfo-missing-aud / missing-iss / other iss: refused', async () => {
    for (const claims of [{ aud: undefined }, { iss: undefined }, { iss: 'https://evil.test' }]) {
      const { r, token } = await signedUserinfo((r) => r.idp.idToken(claims))
      await expect(r.app.userinfo(token), JSON.stringify(claims)).rejects.toMatchObject({
        name: 'OAuthKitError',
      })
    }
  })

  it('userinfo-alg-none: an unsigned JWT userinfo is refused', async () => {
    const { r, token } = await signedUserinfo((r) => r.idp.idToken({}, { alg: 'none' }))
    await expect(r.app.userinfo(token)).rejects.toMatchObject({ name: 'OAuthKitError' })
  })

  it('userinfo-json-when-signed-expected: a plain JSON answer is refused when userinfoSignedResponseAlg is set', async () => {
    const r = await hostileRig(server, { config: { userinfoSignedResponseAlg: 'RS256' } })
    const login = await r.start()
    const token = await r.app.authorizeAccessToken({
      cookies: login.cookies,
      request: new Request(r.idp.authorize(login.location)),
    })
    await expect(r.app.userinfo(token)).rejects.toMatchObject({ name: 'OAuthKitError' })
  })

  it('unasked JWT userinfo: verified too, with the algorithms the metadata advertises', async () => {
    const options = { idp: { metadata: { userinfo_signing_alg_values_supported: ['RS256'] } } }
    const good = await signedUserinfo((r) => r.idp.idToken(), options)
    await expect(good.r.app.userinfo(good.token)).resolves.toMatchObject({ sub: 'user-1' })
    const bad = await signedUserinfo(async (r) => tamperSignature(await r.idp.idToken()), options)
    await expectCode(bad.r.app.userinfo(bad.token), ErrorCode.USERINFO_INVALID)
  })
})

describe('hostile provider: parseIdToken', () => {
  async function rig(options: RigOptions = {}) {
    const r = await hostileRig(server, options)
    await r.app.loadServerMetadata()
    return r
  }

  it('accepts a valid ID token with its nonce, and returns the verified claims', async () => {
    const r = await rig()
    const claims = await r.app.parseIdToken(await r.idp.idToken({ nonce: 'n-1' }), {
      nonce: 'n-1',
    })
    expect(claims).toMatchObject({ iss: r.idp.issuer, sub: 'user-1', aud: 'client-1' })
    // nonce: false skips the nonce check, explicitly.
    await expect(
      r.app.parseIdToken(await r.idp.idToken(), { nonce: false }),
    ).resolves.toHaveProperty('sub')
  })

  it('refuses a wrong or missing nonce, a bad signature, another issuer, an untrusted audience, an expired token', async () => {
    const r = await rig()
    const cases: Array<[string, Promise<string>, string | false]> = [
      ['wrong nonce', r.idp.idToken({ nonce: 'other' }), 'n-1'],
      ['missing nonce', r.idp.idToken(), 'n-1'],
      ['bad signature', r.idp.idToken().then(tamperSignature), false],
      ['other issuer', r.idp.idToken({ iss: 'https://evil.test' }), false],
      ['other audience', r.idp.idToken({ aud: 'another-client' }), false],
      [
        'untrusted extra audience',
        r.idp.idToken({ aud: ['client-1', 'evil'], azp: 'client-1' }),
        false,
      ],
      ['expired', r.idp.idToken({ exp: now() - 120 }), false],
      ['no exp', r.idp.idToken({ exp: undefined }), false],
      ['no iat', r.idp.idToken({ iat: undefined }), false],
      ['alg none', r.idp.idToken({}, { alg: 'none' }), false],
      ['typed at+jwt', r.idp.idToken({}, { header: { typ: 'at+jwt' } }), false],
    ]
    for (const [what, token, nonce] of cases) {
      const err = await expectCode(
        r.app.parseIdToken(await token, { nonce }),
        ErrorCode.ID_TOKEN_INVALID,
      )
      expect(err.message, what).not.toContain((await token).split('.')[2] || '@@')
    }
  })

  it('maxAge: auth_time is required and must be recent enough', async () => {
    const r = await rig()
    const fresh = await r.idp.idToken({ auth_time: now() - 10 })
    await expect(r.app.parseIdToken(fresh, { nonce: false, maxAge: 60 })).resolves.toHaveProperty(
      'auth_time',
    )
    const stale = await r.idp.idToken({ auth_time: now() - 600 })
    await expectCode(
      r.app.parseIdToken(stale, { nonce: false, maxAge: 60 }),
      ErrorCode.ID_TOKEN_INVALID,
    )
    const none = await r.idp.idToken()
    await expectCode(
      r.app.parseIdToken(none, { nonce: false, maxAge: 60 }),
      ErrorCode.ID_TOKEN_INVALID,
    )
  })

  it('needs an explicit nonce option (a string, or false) and known option keys', async () => {
    const r = await rig()
    const token = await r.idp.idToken({ nonce: 'n-1' })
    const parse = r.app.parseIdToken.bind(r.app) as (t: unknown, o?: unknown) => Promise<unknown>
    await expectCode(parse(token), ErrorCode.INVALID_REQUEST)
    await expectCode(parse(token, {}), ErrorCode.INVALID_REQUEST)
    await expectCode(parse(token, { nonce: '' }), ErrorCode.INVALID_REQUEST)
    await expectCode(parse(token, { nonce: 'n-1', max_age: 5 }), ErrorCode.CONFIG_INVALID)
    await expectCode(parse('', { nonce: false }), ErrorCode.ID_TOKEN_INVALID)
  })
})

describe('hostile provider: inline jwks', () => {
  it('verifies ID tokens with the inline keys and never fetches the JWKS', async () => {
    const r0 = await hostileRig(server)
    const jwks = { keys: r0.idp.keys.map((k) => k.publicJwk) }
    const r = await hostileRig(server, { config: { jwks } })
    r.idp.keys = r0.idp.keys
    const login = await r.start()
    const token: OAuth2Token = await r.signIn(login, r.idp.authorize(login.location))
    expect(token.userinfo?.sub).toBe('user-1')
    expect(r.idp.calls.map((c) => c.endpoint)).not.toContain('jwks')
    // A token signed by a key the inline set does not hold is refused, still without a fetch.
    await r.idp.rotateKeys('key-2')
    await expectCode(
      r.app.parseIdToken(await r.idp.idToken(), { nonce: false }),
      ErrorCode.ID_TOKEN_INVALID,
    )
    expect(r.idp.calls.map((c) => c.endpoint)).not.toContain('jwks')
  })

  it('refuses a JWK set with private or secret key parts, or no keys array', async () => {
    const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true })
    const privateJwk = await jose.exportJWK(privateKey)
    for (const jwks of [
      { keys: [privateJwk] },
      { keys: [{ kty: 'oct', k: 'c2VjcmV0' }] },
      { keys: 'nope' },
    ]) {
      expect(() =>
        new OAuth({ secret: SECRET }).register('x', {
          serverMetadataUrl: 'https://idp.test/.well-known/openid-configuration',
          clientId: 'c',
          jwks: jwks as never,
        }),
      ).toThrow(/jwks/)
    }
    for (const field of ['userinfoSignedResponseAlg', 'idTokenSignedResponseAlg'])
      expect(() =>
        new OAuth({ secret: SECRET }).register('x', {
          serverMetadataUrl: 'https://idp.test/.well-known/openid-configuration',
          clientId: 'c',
          [field]: 'none',
        } as never),
      ).toThrow(new RegExp(field))
  })
})
