/**
 * Tests written to kill the surviving mutants of the `guard-trust` scope in src/guard/issuers.ts: the
 * option checks on the issuers a bearer guard trusts (exact messages), where a remote issuer's keys
 * come from (OIDC discovery, then RFC 8414; the first failure is the one reported; a failure is
 * remembered for 10 s, a success for good), and the key memo (a remembered key comes back without a
 * promise, for 60 s at most and never past the JWKS cache TTL; 64 entries, one per kid and alg).
 * Discovery and JWKS are emulated with msw; time is a fake Date.
 */
import * as jose from 'jose'
import { http, HttpResponse } from 'msw'
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import {
  BearerGuard,
  ErrorCode,
  isOAuthKitError,
  type BearerGuardOptions,
} from '../../src/index.js'
import { DEFAULT_ALGORITHMS, issuerEntries, type KeyResolver } from '../../src/guard/issuers.js'
import { expectCode, useMsw } from '../support/helpers.js'

const API = 'https://api.example/notes'
const IDP = 'https://idp.example'
const OIDC = `${IDP}/.well-known/openid-configuration`
const RFC8414 = `${IDP}/.well-known/oauth-authorization-server`
const JWKS = `${IDP}/jwks`
const T0 = new Date('2026-06-01T00:00:00Z').getTime()

const server = useMsw()

let rsa: CryptoKeyPair
let ec: CryptoKeyPair
let rsaJwk: jose.JWK
let ecJwk: jose.JWK
beforeAll(async () => {
  rsa = await jose.generateKeyPair('RS256', { extractable: true })
  ec = await jose.generateKeyPair('ES256', { extractable: true })
  rsaJwk = await jose.exportJWK(rsa.publicKey)
  ecJwk = await jose.exportJWK(ec.publicKey)
})

afterEach(() => {
  vi.useRealTimers()
})

/** Fake Date only (msw and jose keep real timers), starting at `at`. */
function clockAt(at: number) {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(at)
}

function configRefusal(make: () => unknown): string {
  try {
    make()
  } catch (error) {
    expect(isOAuthKitError(error, 'config_invalid'), String(error)).toBe(true)
    return (error as Error).message
  }
  throw new Error('expected config_invalid')
}

const guardWith = (options: Partial<BearerGuardOptions>) =>
  new BearerGuard({ audience: API, issuers: [IDP], ...options } as BearerGuardOptions)

/** An RFC 9068 access token from IDP, signed with the RSA key. */
function token(header: jose.JWTHeaderParameters = { alg: 'RS256', kid: 'rsa-1' }) {
  const now = Math.floor(Date.now() / 1000)
  return new jose.SignJWT({ iss: IDP, aud: API, sub: 'u', iat: now, exp: now + 300 })
    .setProtectedHeader({ typ: 'at+jwt', ...header })
    .sign(header.alg === 'ES256' ? ec.privateKey : rsa.privateKey)
}

/** Serve IDP's OIDC metadata and JWKS (the current `keys()`), counting requests. */
function serveIdp(keys: () => jose.JWK[] = () => [{ ...rsaJwk, kid: 'rsa-1', alg: 'RS256' }]) {
  const count = { discovery: 0, jwks: 0 }
  server.use(
    http.get(OIDC, () => {
      count.discovery++
      return HttpResponse.json({ issuer: IDP, jwks_uri: JWKS })
    }),
    http.get(JWKS, () => {
      count.jwks++
      return HttpResponse.json({ keys: keys() })
    }),
  )
  return count
}

const FLAT = { payload: '', signature: '' }
/** One resolution by `resolve`: whether it answered at once (a remembered key) and the key. */
async function lookUp(resolve: KeyResolver, header: jose.JWSHeaderParameters) {
  const answer = resolve(header, FLAT)
  return { remembered: !(answer instanceof Promise), key: await answer }
}

describe('the trusted issuers options, exactly', () => {
  it('names where an algorithm list is wrong, and why', () => {
    expect(configRefusal(() => guardWith({ algorithms: [] }))).toBe(
      'bearer guard: algorithms must list at least one algorithm',
    )
    const use = `use ${DEFAULT_ALGORITHMS.join(', ')}`
    expect(use).toBe('use RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA, Ed25519')
    // Only an HS… algorithm or `none` itself is a shared-secret mistake; anything else unknown gets the list.
    for (const alg of ['XHS256', 'xnone', 'nonesuch'])
      expect(configRefusal(() => guardWith({ algorithms: [alg] }))).toBe(
        `bearer guard: algorithms: ${alg} is not accepted (${use})`,
      )
    for (const alg of ['HS256', 'hs512', 'NONE'])
      expect(configRefusal(() => guardWith({ algorithms: [alg] }))).toBe(
        `bearer guard: algorithms: ${alg} is not accepted (a resource server shares no secret with the issuer)`,
      )
    expect(
      configRefusal(() => guardWith({ issuers: [{ issuer: IDP, algorithms: ['RS256', 'HS256'] }] })),
    ).toBe(
      'bearer guard: algorithms of https://idp.example: HS256 is not accepted (a resource server shares no secret with the issuer)',
    )
  })

  it('wants jwksCacheSeconds of zero or more', () => {
    expect(configRefusal(() => guardWith({ jwksCacheSeconds: -1 }))).toBe(
      'bearer guard: jwksCacheSeconds must be a number of seconds',
    )
    expect(guardWith({ jwksCacheSeconds: 0 })).toBeInstanceOf(BearerGuard)
  })

  it('refuses an issuer that is neither a string, a TrustedIssuer nor a TokenBroker', () => {
    const local = Object.assign(() => undefined, {
      issuer: IDP,
      publicJwks: async () => ({ keys: [] }),
    })
    for (const item of [null, 5, local])
      expect(configRefusal(() => guardWith({ issuers: [item as never] }))).toBe(
        'bearer guard: each issuer must be a string, a TrustedIssuer or a TokenBroker',
      )
  })

  it('wants an issuer (and a jwksUri) as a URL string, https except on loopback or when allowed', () => {
    for (const issuer of ['not a url', new URL(IDP)])
      expect(configRefusal(() => guardWith({ issuers: [{ issuer: issuer as never }] }))).toBe(
        'bearer guard: an issuer must be a URL',
      )
    const https = 'must be https (http only on loopback, or with allowInsecureRequests)'
    expect(configRefusal(() => guardWith({ issuers: ['ftp://127.0.0.1'] }))).toBe(
      `bearer guard: an issuer ${https}`,
    )
    expect(
      configRefusal(() =>
        guardWith({ issuers: ['ftp://idp.example'], allowInsecureRequests: true }),
      ),
    ).toBe(`bearer guard: an issuer ${https}`)
    expect(
      configRefusal(() => guardWith({ issuers: [{ issuer: IDP, jwksUri: 'http://idp.example/jwks' }] })),
    ).toBe(`bearer guard: jwksUri of https://idp.example ${https}`)
    expect(guardWith({ issuers: ['http://127.0.0.1:8080'] })).toBeInstanceOf(BearerGuard)
    expect(
      guardWith({ issuers: ['http://idp.example'], allowInsecureRequests: true }),
    ).toBeInstanceOf(BearerGuard)
  })

  it('names an unknown key of a TrustedIssuer without an app prefix', () => {
    expect(
      configRefusal(() => guardWith({ issuers: [{ issuer: IDP, bogus: 1 } as never] })),
    ).toMatch(/^bearer guard issuer has an unknown key "bogus"/)
  })

  it('wants an introspection with introspectToken, even a null one', () => {
    for (const introspection of [null, {}])
      expect(
        configRefusal(() => guardWith({ issuers: [{ issuer: IDP, introspection: introspection as never }] })),
      ).toBe(
        "bearer guard: introspection of https://idp.example must have introspectToken (an OAuth 2 app, e.g. oauth.create('corp'))",
      )
  })
})

describe("a remote issuer's discovery", () => {
  it('reports the first failure (OIDC discovery), naming the guard and the metadata endpoint', async () => {
    server.use(
      http.get(OIDC, () => new HttpResponse(null, { status: 404 })),
      http.get(RFC8414, () => new HttpResponse(null, { status: 500 })),
    )
    const error = await expectCode(guardWith({}).verify(await token()), ErrorCode.METADATA_INVALID)
    expect(error.message).toBe(
      'bearer guard: the server metadata endpoint answered with unexpected HTTP status 404',
    )
  })

  it('falls back to RFC 8414 when OIDC discovery fails', async () => {
    const count = { jwks: 0 }
    server.use(
      http.get(OIDC, () => new HttpResponse(null, { status: 404 })),
      http.get(RFC8414, () => HttpResponse.json({ issuer: IDP, jwks_uri: JWKS })),
      http.get(JWKS, () => {
        count.jwks++
        return HttpResponse.json({ keys: [{ ...rsaJwk, kid: 'rsa-1', alg: 'RS256' }] })
      }),
    )
    expect((await guardWith({}).verify(await token())).sub).toBe('u')
    expect(count.jwks).toBe(1)
  })

  it('names the metadata endpoint it could not reach', async () => {
    server.use(
      http.get(OIDC, () => HttpResponse.error()),
      http.get(RFC8414, () => HttpResponse.error()),
    )
    const error = await expectCode(guardWith({}).verify(await token()), ErrorCode.NETWORK_ERROR)
    expect(error.message).toBe(
      'bearer guard: the server metadata endpoint could not be reached (https://idp.example)',
    )
  })

  it('refuses metadata without a jwks_uri, and a discovered jwks_uri that is not https', async () => {
    server.use(
      http.get(OIDC, () => HttpResponse.json({ issuer: IDP })),
      http.get(RFC8414, () => new HttpResponse(null, { status: 404 })),
    )
    const none = await expectCode(guardWith({}).verify(await token()), ErrorCode.METADATA_INVALID)
    expect(none.message).toBe('bearer guard: the metadata of https://idp.example/ has no jwks_uri')

    server.use(http.get(OIDC, () => HttpResponse.json({ issuer: IDP, jwks_uri: 'http://idp.example/jwks' })))
    const plain = await expectCode(guardWith({}).verify(await token()), ErrorCode.CONFIG_INVALID)
    expect(plain.message).toBe(
      'bearer guard: the jwks_uri of https://idp.example must be https (http only on loopback, or with allowInsecureRequests)',
    )
  })

  it('is made once: keys() answers the same resolver after, without asking again, and ready() has it', async () => {
    const count = serveIdp()
    const entry = issuerEntries({ audience: API, issuers: [IDP] }).get(IDP)!
    expect(entry.ready()).toBeUndefined()
    const resolve = await entry.keys()
    expect(entry.ready()).toBe(resolve)
    expect(await entry.keys()).toBe(resolve)
    expect(count.discovery).toBe(1)
  })

  it('remembers a failure for 10 s exactly, then asks again', async () => {
    clockAt(T0)
    let discovery = 0
    let up = false
    server.use(
      http.get(OIDC, () => {
        discovery++
        return up
          ? HttpResponse.json({ issuer: IDP, jwks_uri: JWKS })
          : new HttpResponse(null, { status: 503 })
      }),
      http.get(RFC8414, () => new HttpResponse(null, { status: 503 })),
    )
    const entry = issuerEntries({ audience: API, issuers: [IDP] }).get(IDP)!
    const failure = await expectCode(entry.keys(), ErrorCode.METADATA_INVALID)
    expect(discovery).toBe(1)
    up = true
    vi.setSystemTime(T0 + 9_999)
    expect(await entry.keys().catch((e: unknown) => e)).toBe(failure)
    expect(discovery).toBe(1)
    vi.setSystemTime(T0 + 10_000)
    expect(await entry.keys()).toBe(entry.ready())
    expect(discovery).toBe(2)
  })
})

describe('the key memo', () => {
  it("remembers a remote issuer's key for 60 s, answering without a promise", async () => {
    clockAt(T0)
    const count = serveIdp()
    const resolve = await issuerEntries({ audience: API, issuers: [IDP] }).get(IDP)!.keys()
    const header = { alg: 'RS256', kid: 'rsa-1' }
    const first = await lookUp(resolve, header)
    expect(first.remembered).toBe(false)
    expect(await lookUp(resolve, header)).toEqual({ remembered: true, key: first.key })
    vi.setSystemTime(T0 + 59_999)
    expect((await lookUp(resolve, header)).remembered).toBe(true)
    vi.setSystemTime(T0 + 60_000)
    expect((await lookUp(resolve, header)).remembered).toBe(false)
    expect((await lookUp(resolve, header)).remembered).toBe(true)
    expect(count.jwks).toBe(1)
  })

  it('never keeps a key past the JWKS cache TTL: a key dropped from the JWKS is refused after it', async () => {
    clockAt(T0)
    let keys = [{ ...rsaJwk, kid: 'rsa-1', alg: 'RS256' }]
    serveIdp(() => keys)
    const guard = guardWith({ jwksCacheSeconds: 30 })
    const old = await token()
    expect((await guard.verify(old)).sub).toBe('u')
    keys = [{ ...ecJwk, kid: 'ec-1', alg: 'ES256' }]
    vi.setSystemTime(T0 + 29_000)
    expect((await guard.verify(old)).sub).toBe('u')
    vi.setSystemTime(T0 + 31_000)
    const refused = await expectCode(guard.verify(old), ErrorCode.INVALID_TOKEN)
    expect(refused.message).toBe(
      'bearer guard: the token is signed with a key its issuer does not publish',
    )
  })

  it('gives no kid, a kid that is no string and each string kid an entry of its own', async () => {
    // Before: a kid "" (or 5, after a kid "5") hit the entry of the key chosen for no kid (for "5"),
    // so a warm guard accepted what a cold one refused.
    serveIdp(() => [
      { ...rsaJwk, kid: '5', alg: 'RS256' },
      { ...ecJwk, kid: 'ec-1', alg: 'ES256' },
    ])
    const refusal = 'bearer guard: the token is signed with a key its issuer does not publish'
    const warm = guardWith({})
    // No kid: jose picks the one RS256 key; kid "5" names it.
    for (const kid of [undefined, '5'])
      expect((await warm.verify(await token({ alg: 'RS256', kid }))).sub).toBe('u')
    for (const kid of ['', 'undefined', 5 as never]) {
      const named = await token({ alg: 'RS256', kid })
      for (const guard of [guardWith({}), warm])
        expect((await expectCode(guard.verify(named), ErrorCode.INVALID_TOKEN)).message).toBe(
          refusal,
        )
    }
  })

  it('tells keys apart by kid and alg', async () => {
    const local = {
      issuer: 'https://local.example',
      publicJwks: async () => ({
        keys: [
          { ...rsaJwk, kid: 'k', alg: 'RS256' },
          { ...ecJwk, kid: 'k', alg: 'ES256' },
        ],
      }),
    }
    const entry = issuerEntries({ audience: API, issuers: [local] }).get(local.issuer)!
    expect(entry.ready()).toBeUndefined()
    const resolve = await entry.keys()
    expect(entry.ready()).toBe(resolve)
    expect((await lookUp(resolve, { kid: 'k', alg: 'RS256' })).key.algorithm.name).toBe(
      'RSASSA-PKCS1-v1_5',
    )
    const es = await lookUp(resolve, { kid: 'k', alg: 'ES256' })
    expect(es).toMatchObject({ remembered: false, key: { algorithm: { name: 'ECDSA' } } })
    expect((await lookUp(resolve, { kid: 'k', alg: 'RS256' })).remembered).toBe(true)
  })

  it('holds 64 keys: the 65th clears it', async () => {
    const local = {
      issuer: 'https://local.example',
      publicJwks: async () => ({
        keys: Array.from({ length: 66 }, (_, i) => ({ ...ecJwk, kid: `k${i}`, alg: 'ES256' })),
      }),
    }
    const resolve = await issuerEntries({ audience: API, issuers: [local] }).get(local.issuer)!.keys()
    const kid = (i: number) => ({ kid: `k${i}`, alg: 'ES256' })
    for (let i = 0; i < 64; i++) expect((await lookUp(resolve, kid(i))).remembered).toBe(false)
    for (let i = 0; i < 64; i++) expect((await lookUp(resolve, kid(i))).remembered).toBe(true)
    expect((await lookUp(resolve, kid(64))).remembered).toBe(false)
    expect((await lookUp(resolve, kid(64))).remembered).toBe(true)
    expect((await lookUp(resolve, kid(0))).remembered).toBe(false)
  })
})
