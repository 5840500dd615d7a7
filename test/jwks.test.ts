/**
 * The JWKS cache behind ID token signatures: one fetch shared by every verification, refetched after
 * its TTL, refetched at once for a key it does not hold (rotation), and at most once per 30 s cooldown
 * after that, so tokens with forged `kid`s cannot make oauthkit flood the provider.
 */
import * as jose from 'jose'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { ErrorCode } from '../src/index.js'
import { HttpClient } from '../src/http/client.js'
import { JwksCache } from '../src/oauth2/jwks.js'
import { expectCode } from './support/helpers.js'

const JWKS_URI = 'https://idp.test/jwks'

type Key = { kid: string; privateKey: CryptoKey; publicJwk: jose.JWK }
async function key(kid: string): Promise<Key> {
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256')
  return {
    kid,
    privateKey,
    publicJwk: { ...(await jose.exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
  }
}
const sign = (k: Key) =>
  new jose.SignJWT({ sub: 'user-1' })
    .setProtectedHeader({ alg: 'ES256', kid: k.kid })
    .sign(k.privateKey)

let published: Key[]
let fetches: number
let answer: () => Response
function cache(ttlMs = 3_600_000) {
  const http = new HttpClient({
    app: 'idp',
    fetch: async (input) => {
      expect(new Request(input).url).toBe(JWKS_URI)
      fetches++
      return answer()
    },
    timeout: 5_000,
    maxResponseSize: 1024 * 1024,
    hooks: {},
  })
  return new JwksCache('idp', JWKS_URI, http, ttlMs)
}
const verify = async (jwks: JwksCache, k: Key) =>
  (await jose.jwtVerify(await sign(k), jwks.resolve)).payload.sub

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] })
  vi.setSystemTime(new Date('2026-12-01T00:00:00Z'))
  published = []
  fetches = 0
  answer = () => Response.json({ keys: published.map((k) => k.publicJwk) })
})
afterEach(() => vi.useRealTimers())

describe('JwksCache', () => {
  it('fetches the key set once for every verification within its TTL, and again after it', async () => {
    const k1 = await key('k1')
    published = [k1]
    const jwks = cache(60_000)
    await Promise.all([verify(jwks, k1), verify(jwks, k1), verify(jwks, k1)])
    vi.setSystemTime(Date.now() + 60_000)
    expect(await verify(jwks, k1)).toBe('user-1')
    expect(fetches).toBe(1)
    vi.setSystemTime(Date.now() + 1)
    await verify(jwks, k1)
    expect(fetches).toBe(2)
  })

  it('refetches at once for a key it does not hold, so a rotated-in key is accepted', async () => {
    const [k1, k2] = await Promise.all([key('k1'), key('k2')])
    published = [k1]
    const jwks = cache()
    await verify(jwks, k1)
    published = [k1, k2]
    expect(await verify(jwks, k2)).toBe('user-1')
    expect(fetches).toBe(2)
  })

  it('refetches for unknown kids at most once per 30 s: two unknown-kid tokens within 30 s cost one fetch, not two', async () => {
    const [k1, forged1, forged2, rotated] = await Promise.all([
      key('k1'),
      key('forged-1'),
      key('forged-2'),
      key('rotated'),
    ])
    published = [k1]
    const jwks = cache()
    await verify(jwks, k1)
    expect(fetches).toBe(1)

    await expect(verify(jwks, forged1)).rejects.toBeInstanceOf(jose.errors.JWKSNoMatchingKey)
    expect(fetches).toBe(2)
    vi.setSystemTime(Date.now() + 29_999)
    await expect(verify(jwks, forged2)).rejects.toBeInstanceOf(jose.errors.JWKSNoMatchingKey)
    expect(fetches).toBe(2)

    // Once the cooldown has passed, a key rotated in meanwhile is fetched and accepted.
    published = [k1, rotated]
    vi.setSystemTime(Date.now() + 1)
    expect(await verify(jwks, rotated)).toBe('user-1')
    expect(fetches).toBe(3)
    expect(await verify(jwks, k1)).toBe('user-1')
    expect(fetches).toBe(3)
  })

  it('refuses a JWKS endpoint that answers an error status or a document without keys, and tries again next time', async () => {
    const k1 = await key('k1')
    published = [k1]
    const jwks = cache()
    answer = () => new Response('down', { status: 503 })
    const down = await expectCode(verify(jwks, k1), ErrorCode.METADATA_INVALID)
    expect(down).toMatchObject({ status: 503 })
    expect(down.message).toMatch(/HTTP 503/)
    answer = () => Response.json({ keys: 'none' })
    expect((await expectCode(verify(jwks, k1), ErrorCode.METADATA_INVALID)).message).toMatch(
      /no keys array/,
    )
    answer = () => Response.json(null)
    await expectCode(verify(jwks, k1), ErrorCode.METADATA_INVALID)
    answer = () => Response.json({ keys: published.map((k) => k.publicJwk) })
    expect(await verify(jwks, k1)).toBe('user-1')
    expect(fetches).toBe(4)
  })
})
