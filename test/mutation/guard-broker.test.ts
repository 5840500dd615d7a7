/**
 * Tests written to kill the surviving mutants of src/guard/broker.ts (the guard-trust scope): the
 * token broker's option checks with their exact messages (options, issuer, audience, ttl, each key),
 * the algorithm it infers for a key without `alg` (RSA, Ed25519, P-256/384/521) and the keys it
 * refuses for want of one, `issue`'s checks (options, sub, scope, clientId, claims, ttl, audience:
 * the four new ones a fix, each a typed `invalid_request` where a TypeError or a token with a
 * numeric or exploded claim came out before) and its claims (registered names kept its own, `iat`
 * in seconds), and `generateBrokerKey` for each algorithm it supports. No network.
 */
import * as jose from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  BearerGuard,
  TokenBroker,
  generateBrokerKey,
  isOAuthKitError,
  type TokenBrokerOptions,
} from '../../src/index.js'

const APP = 'https://app.example'
const API = 'https://app.example/api'

const broker = (keys: unknown[], extra: Record<string, unknown> = {}) =>
  new TokenBroker({ issuer: APP, audience: API, keys, ...extra } as TokenBrokerOptions)

/** The error `fn` throws (synchronously). */
function thrown(fn: () => unknown): unknown {
  try {
    fn()
  } catch (e) {
    return e
  }
  throw new Error('did not throw')
}

/** Expect a config_invalid OAuthKitError with exactly this message. */
function expectConfig(error: unknown, message: string) {
  expect(isOAuthKitError(error, 'config_invalid'), String(error)).toBe(true)
  expect((error as Error).message).toBe(message)
}

/** A key without its `alg` (and `kid`: the broker takes the thumbprint). */
const bare = ({ alg: _alg, kid: _kid, use: _use, ...jwk }: jose.JWK) => jwk

let es256: jose.JWK
beforeAll(async () => {
  // Made with jose, not generateBrokerKey: a hook that throws under a mutant of generateBrokerKey
  // would skip this file's tests (vitest), and Stryker counts skipped tests as passed.
  const { privateKey } = await jose.generateKeyPair('ES256', { extractable: true })
  es256 = { ...(await jose.exportJWK(privateKey)), alg: 'ES256', kid: 'es256', use: 'sig' }
})

describe('TokenBroker options', () => {
  it('refuses options that are not an object, with its own message', () => {
    for (const options of [null, undefined, 'https://app.example', 42]) {
      expectConfig(
        thrown(() => new TokenBroker(options as never)),
        'TokenBroker: needs options',
      )
    }
  })

  it('names an unknown option in its message, without an app prefix', () => {
    expectConfig(
      thrown(() => broker([es256], { key: es256 })),
      'TokenBroker options has an unknown key "key": did you mean keys?',
    )
  })

  it('wants the issuer as a string URL, not a URL object', () => {
    for (const issuer of [new URL(APP), 42, 'not a url']) {
      expectConfig(
        thrown(() => broker([es256], { issuer })),
        'TokenBroker: issuer must be the app\u2019s base URL',
      )
    }
  })

  it('wants the audience as a non-empty string or a non-empty list of them', () => {
    for (const audience of [null, 42, {}, '', [], [''], [42], [API, ''], [API, 42]]) {
      expectConfig(
        thrown(() => broker([es256], { audience })),
        'TokenBroker: audience must be a string or strings',
      )
    }
    expect(broker([es256], { audience: [API, 'https://b.example'] }).issuer).toBe(APP)
  })

  it('takes a ttl from 1 to 3600 whole seconds, and nothing else', async () => {
    for (const ttlSeconds of [0, -1, 1.5, 3601, '60']) {
      expectConfig(
        thrown(() => broker([es256], { ttlSeconds })),
        'TokenBroker: ttlSeconds must be a whole number of seconds from 1 to 3600',
      )
    }
    for (const ttlSeconds of [1, 3600]) {
      const issued = await broker([es256], { ttlSeconds }).issue({ sub: 'u' })
      expect(issued.expires_in).toBe(ttlSeconds)
    }
  })

  it('refuses a key that is not a private JWK object: null, a string, a function with "d"', () => {
    const fn = Object.assign(() => undefined, { kty: 'EC', crv: 'P-256', alg: 'ES256', d: 'x' })
    for (const key of [null, 'key', fn]) {
      expectConfig(
        thrown(() => broker([key])),
        'TokenBroker: each key must be a private JWK (with "d")',
      )
    }
  })

  it('refuses, at construction, a key whose type gives no algorithm and that has no "alg"', () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ kty: 'OKP', crv: 'X25519', d: 'x' }, 'OKP'],
      [{ kty: 'EC', crv: 'Ed25519', d: 'x' }, 'EC'],
      [{ kty: 'EC', crv: 'secp256k1', d: 'x' }, 'EC'],
      [{ kty: 'EC', d: 'x' }, 'EC'],
      [{ kty: 'XYZ', crv: 'P-256', d: 'x' }, 'XYZ'],
      [{ kty: 'XYZ', crv: 'Ed25519', d: 'x' }, 'XYZ'],
      [{ d: 'x' }, 'undefined'],
    ]
    for (const [key, kty] of cases) {
      expectConfig(thrown(() => broker([key])), `TokenBroker: a key of type ${kty} needs an "alg"`)
    }
  })

  it('refuses only algorithms that start with HS; any other unusable one fails at import, naming the key', async () => {
    expectConfig(
      thrown(() => broker([{ ...es256, alg: 'hs512' }])),
      'TokenBroker: alg hs512 is refused: use an asymmetric algorithm',
    )
    const odd = broker([{ ...es256, kid: 'k1', alg: 'XHS256' }])
    const error = await odd.issue({ sub: 'u' }).catch((e: unknown) => e)
    expectConfig(error, 'TokenBroker: key k1 cannot be imported for XHS256')
  })

  it('takes a key whose "alg" its type would not give (secp256k1), and fails only at import', async () => {
    const k = broker([{ kty: 'EC', crv: 'secp256k1', x: 'AA', y: 'AA', d: 'AA', kid: 'k2', alg: 'ES256K' }])
    const error = await k.publicJwks().catch((e: unknown) => e)
    expectConfig(error, 'TokenBroker: key k2 cannot be imported for ES256K')
  })
})

describe('the algorithm of a key without "alg"', () => {
  it('is the usual one of its type: RS256, EdDSA, ES256, ES384, ES512; in the header and the JWKS', async () => {
    for (const alg of ['RS256', 'EdDSA', 'ES256', 'ES384', 'ES512']) {
      const key = bare(await generateBrokerKey(alg))
      const b = broker([key])
      const { access_token } = await b.issue({ sub: 'u' })
      const kid = await jose.calculateJwkThumbprint(key)
      expect(jose.decodeProtectedHeader(access_token), alg).toEqual({ alg, kid, typ: 'at+jwt' })
      const { keys } = await b.publicJwks()
      expect(keys[0]).toMatchObject({ alg, kid, use: 'sig' })
      await expect(
        new BearerGuard({ audience: API, issuers: [b] }).verify(access_token),
      ).resolves.toMatchObject({ sub: 'u' })
    }
  })

  it('is the key\u2019s own "alg" when it has one (PS256 on an RSA key, not RS256)', async () => {
    const key = await generateBrokerKey('PS256')
    const b = broker([key])
    const { access_token } = await b.issue({ sub: 'u' })
    expect(jose.decodeProtectedHeader(access_token).alg).toBe('PS256')
    expect((await b.publicJwks()).keys[0]!.alg).toBe('PS256')
  })
})

describe('TokenBroker.issue', () => {
  it('names an unknown option in its message, without an app prefix', async () => {
    await expect(broker([es256]).issue({ sub: 'u', scopes: 'x' } as never)).rejects.toMatchObject({
      code: 'config_invalid',
      message: 'TokenBroker.issue options has an unknown key "scopes": did you mean scope?',
    })
  })

  it('refuses options that are not an object with a typed error, not a TypeError', async () => {
    for (const options of [null, undefined, 'user-1']) {
      await expect(broker([es256]).issue(options as never)).rejects.toMatchObject({
        code: 'invalid_request',
        message: 'TokenBroker.issue: needs options',
      })
    }
  })

  it('takes scope as a string or a list of strings, nothing else', async () => {
    const b = broker([es256])
    for (const scope of [42, [42], ['a', null], { a: 1 }, null]) {
      await expect(b.issue({ sub: 'u', scope } as never)).rejects.toMatchObject({
        code: 'invalid_request',
        message: 'TokenBroker.issue: scope must be a string or strings',
      })
    }
    const cases: Array<[string | string[] | undefined, string | undefined]> = [
      ['a b', 'a b'],
      [['a', 'b'], 'a b'],
      [[], undefined],
      ['', undefined],
      [undefined, undefined],
    ]
    for (const [scope, claim] of cases) {
      const issued = await b.issue({ sub: 'u', ...(scope === undefined ? {} : { scope }) })
      expect(issued.scope).toBe(claim)
      expect(jose.decodeJwt(issued.access_token).scope).toBe(claim)
    }
  })

  it('takes clientId as a non-empty string', async () => {
    const b = broker([es256])
    for (const clientId of [42, '', null, ['spa']]) {
      await expect(b.issue({ sub: 'u', clientId } as never)).rejects.toMatchObject({
        code: 'invalid_request',
        message: 'TokenBroker.issue: clientId must be a non-empty string',
      })
    }
    const { access_token } = await b.issue({ sub: 'u', clientId: 'spa' })
    expect(jose.decodeJwt(access_token).client_id).toBe('spa')
  })

  it('takes claims as an object, not a string, a list or null', async () => {
    const b = broker([es256])
    for (const claims of ['ab', ['x'], null, 42]) {
      await expect(b.issue({ sub: 'u', claims } as never)).rejects.toMatchObject({
        code: 'invalid_request',
        message: 'TokenBroker.issue: claims must be an object',
      })
    }
    const { access_token } = await b.issue({ sub: 'u', claims: {} })
    expect(Object.keys(jose.decodeJwt(access_token)).sort()).toEqual(
      ['aud', 'client_id', 'exp', 'iat', 'iss', 'jti', 'sub'],
    )
  })

  it('needs sub as a non-empty string', async () => {
    for (const sub of [undefined, '', 42, ['u']]) {
      await expect(broker([es256]).issue({ sub } as never)).rejects.toMatchObject({
        code: 'invalid_request',
        message: 'TokenBroker.issue: sub is required',
      })
    }
  })

  it('takes a ttl from 1 to the broker\u2019s own, in whole seconds', async () => {
    const b = broker([es256], { ttlSeconds: 120 })
    for (const ttlSeconds of [0, -1, 1.5, 121]) {
      await expect(b.issue({ sub: 'u', ttlSeconds })).rejects.toMatchObject({
        code: 'invalid_request',
        message: 'TokenBroker.issue: ttlSeconds must be from 1 to 120',
      })
    }
    for (const ttlSeconds of [1, 120]) {
      expect((await b.issue({ sub: 'u', ttlSeconds })).expires_in).toBe(ttlSeconds)
    }
  })

  it('refuses an invalid audience for one token', async () => {
    for (const audience of ['', [], [''], [API, 42]]) {
      await expect(broker([es256]).issue({ sub: 'u', audience } as never)).rejects.toMatchObject({
        code: 'invalid_request',
        message: 'TokenBroker.issue: audience is invalid',
      })
    }
  })

  it('drops extra claims with registered names (scope, client_id, nbf…), keeps the others', async () => {
    const { access_token } = await broker([es256]).issue({
      sub: 'u',
      claims: { scope: 'admin', nbf: 1, jti: 'mine', iat: 1, tenant: 't1' },
    })
    const claims = jose.decodeJwt(access_token)
    expect(claims).not.toHaveProperty('scope')
    expect(claims).not.toHaveProperty('nbf')
    expect(claims.jti).not.toBe('mine')
    expect(claims).toMatchObject({ tenant: 't1', client_id: APP })
  })

  it('dates the token in seconds since the epoch', async () => {
    const before = Math.floor(Date.now() / 1000)
    const issued = await broker([es256]).issue({ sub: 'u' })
    const after = Math.floor(Date.now() / 1000)
    const { iat, exp } = jose.decodeJwt(issued.access_token)
    expect(iat).toBeGreaterThanOrEqual(before)
    expect(iat).toBeLessThanOrEqual(after)
    expect(exp).toBe(iat! + 300)
    expect(issued.expires_at).toBe(exp)
  })
})

describe('generateBrokerKey', () => {
  it('makes an ES256 key by default', async () => {
    const key = await generateBrokerKey()
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' })
    expect(typeof key.d).toBe('string')
  })

  it('makes an exportable private key for each algorithm it lists', async () => {
    const types: Record<string, Record<string, string>> = {
      ES256: { kty: 'EC', crv: 'P-256' },
      ES384: { kty: 'EC', crv: 'P-384' },
      ES512: { kty: 'EC', crv: 'P-521' },
      EdDSA: { kty: 'OKP', crv: 'Ed25519' },
      RS256: { kty: 'RSA' },
      PS256: { kty: 'RSA' },
    }
    for (const [alg, type] of Object.entries(types)) {
      const key = await generateBrokerKey(alg)
      expect(key).toMatchObject({ ...type, alg, use: 'sig' })
      expect(typeof key.d, alg).toBe('string')
      expect(key.kid).toBe(await jose.calculateJwkThumbprint(key))
    }
  })

  it('refuses any other algorithm, naming it', async () => {
    for (const alg of ['HS256', '', 'ES256K']) {
      const error = await generateBrokerKey(alg).catch((e: unknown) => e)
      expectConfig(error, `TokenBroker: generateBrokerKey cannot make a key for ${alg}`)
    }
  })
})
