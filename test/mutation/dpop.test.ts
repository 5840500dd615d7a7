/**
 * DPoP (RFC 9449, src/oauth2/dpop.ts) through its module API, what the login and resource-server tests
 * leave unpinned: the API proof exactly, the shape of a token's key, the key cache (one import per key,
 * a forged `d` not served from it, bounded, a failed import forgotten), the resource servers' nonces
 * (NQCHAR only, per origin, bounded), the challenge that asks for one, the token endpoint's single
 * retry, and the exact refusals.
 */
import { createHash } from 'node:crypto'
import * as jose from 'jose'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ErrorCode, type DPoPJwk, type OAuth2Token } from '../../src/index.js'
import {
  DPoPSigner,
  NonceCache,
  apiProof,
  asksForNonce,
  checkBound,
  dpopKeyOf,
  isDPoPJwk,
  keyPairOf,
  withNonceRetry,
} from '../../src/oauth2/dpop.js'
import { expectCode } from '../support/helpers.js'

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const

/** A fresh P-256 private JWK, as the token keeps it. */
async function freshJwk(): Promise<DPoPJwk> {
  const pair = await crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])
  const { x, y, d } = await crypto.subtle.exportKey('jwk', pair.privateKey)
  return { kty: 'EC', crv: 'P-256', x: x!, y: y!, d: d! }
}

/** How many times `crypto.subtle.importKey` is called while `run` runs. */
async function importsDuring(run: () => Promise<unknown>): Promise<number> {
  const spy = vi.spyOn(crypto.subtle, 'importKey')
  try {
    await run()
    return spy.mock.calls.length
  } finally {
    spy.mockRestore()
  }
}

const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'))

describe('the proof of an API call (RFC 9449 §4.2, §7)', () => {
  it('is a dpop+jwt ES256 JWS over the public key only, with htm, htu, iat, jti and ath', async () => {
    vi.useFakeTimers({ now: 1_700_000_000_999, toFake: ['Date'] })
    const jwk = await freshJwk()
    const proof = await apiProof(jwk, 'post', 'https://rs.example:8443/a/b?q=1#frag', 'at-1', undefined)
    const [header, payload] = proof.split('.')
    expect(decode(header!)).toEqual({
      typ: 'dpop+jwt',
      alg: 'ES256',
      jwk: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y },
    })
    const claims = decode(payload!)
    expect(Object.keys(claims).sort()).toEqual(['ath', 'htm', 'htu', 'iat', 'jti'])
    expect(claims).toMatchObject({
      htm: 'POST',
      htu: 'https://rs.example:8443/a/b',
      iat: 1_700_000_000,
      ath: createHash('sha256').update('at-1').digest('base64url'),
    })
    expect(claims.jti).toMatch(/^[A-Za-z0-9_-]{22}$/)
    const { d: _d, ...publicJwk } = jwk
    const verified = await jose.compactVerify(proof, await jose.importJWK(publicJwk, 'ES256'))
    expect(verified.protectedHeader.alg).toBe('ES256')
  })

  it('has a new jti every time, and carries the nonce only when there is one', async () => {
    const jwk = await freshJwk()
    const one = decode((await apiProof(jwk, 'GET', 'https://rs.example/', 't', 'n-1')).split('.')[1]!)
    const two = decode((await apiProof(jwk, 'GET', 'https://rs.example/', 't', undefined)).split('.')[1]!)
    expect(one.jti).not.toBe(two.jti)
    expect(one.nonce).toBe('n-1')
    expect('nonce' in two).toBe(false)
  })
})

describe("a token's DPoP key", () => {
  it('is an EC P-256 JWK with string x, y and d; anything else is not', async () => {
    const jwk = await freshJwk()
    expect(isDPoPJwk(jwk)).toBe(true)
    for (const value of [
      null,
      undefined,
      'EC',
      { ...jwk, kty: 'RSA' },
      { ...jwk, crv: 'P-384' },
      { ...jwk, x: 1 },
      { ...jwk, y: undefined },
      { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y },
    ]) {
      expect(isDPoPJwk(value), JSON.stringify(value)).toBe(false)
    }
  })

  it('missing from a DPoP-bound token is token_missing, naming the app and never the key', async () => {
    const token: OAuth2Token = { access_token: 'at', token_type: 'dpop', dpop_jwk: { kty: 'EC' } as never }
    const message =
      'api: the token is DPoP-bound but carries no DPoP key (dpop_jwk); store the whole token as oauthkit returned it'
    const direct = await expectCode(
      (async () => dpopKeyOf('api', token))(),
      ErrorCode.TOKEN_MISSING,
    )
    expect(direct.message).toBe(message)
    expect(direct.app).toBe('api')
    // The signer names the app it was made for.
    const signed = new DPoPSigner('api').authorize(new Request('https://rs.example/'), token)
    const err = await expectCode(signed, ErrorCode.TOKEN_MISSING)
    expect(err.message).toBe(message)
    expect(err.app).toBe('api')
  })

  it('is imported once: the private key not extractable, the public key extractable for verify', async () => {
    const a = await freshJwk()
    const b = await freshJwk()
    expect(await importsDuring(() => keyPairOf(a))).toBe(2)
    expect(await importsDuring(() => keyPairOf(b))).toBe(2)
    // Two keys side by side: neither pushes the other out.
    expect(await importsDuring(() => keyPairOf(a))).toBe(0)
    expect(await importsDuring(() => keyPairOf(b))).toBe(0)
    const { privateKey, publicKey } = await keyPairOf(a)
    expect([privateKey.type, privateKey.extractable, privateKey.usages]).toEqual(['private', false, ['sign']])
    expect([publicKey.type, publicKey.extractable, publicKey.usages]).toEqual(['public', true, ['verify']])
  })

  it('with the public key of a cached one and another d is imported afresh, not served the cached pair', async () => {
    const a = await freshJwk()
    const other = await freshJwk()
    await keyPairOf(a)
    // WebCrypto refuses a d that does not belong to x and y.
    await expect(keyPairOf({ ...a, d: other.d })).rejects.toThrow()
  })

  it('whose import failed is forgotten, so the next call imports it again', async () => {
    const jwk = await freshJwk()
    vi.spyOn(crypto.subtle, 'importKey').mockRejectedValueOnce(new Error('import failed'))
    await expect(keyPairOf(jwk)).rejects.toThrow('import failed')
    await expect(keyPairOf(jwk)).resolves.toHaveProperty('privateKey.type', 'private')
  })

  it('cache holds 1000 keys: the 1001st pushes the oldest out, and only it', async () => {
    // 1000 new keys fill the cache whatever it held (the oldest go first): keys[0] is the oldest.
    const keys = await Promise.all(Array.from({ length: 1001 }, () => freshJwk()))
    for (const key of keys.slice(0, 1000)) await keyPairOf(key)
    expect(await importsDuring(() => keyPairOf(keys[0]!))).toBe(0)
    await keyPairOf(keys[1000]!)
    expect(await importsDuring(() => keyPairOf(keys[1]!))).toBe(0)
    expect(await importsDuring(() => keyPairOf(keys[0]!))).toBe(2)
  }, 30_000)
})

/** A response carrying `headers`. */
const answer = (headers: Record<string, string>, status = 401) =>
  new Response(null, { status, headers })

describe("the resource servers' nonces (RFC 9449 §8.1, §9)", () => {
  it('keeps a DPoP-Nonce of NQCHAR only, by origin', () => {
    const nonces = new NonceCache()
    expect(nonces.remember('https://rs.example/a', answer({}))).toBe(false)
    for (const bad of ['a b', 'a"b', 'a\\b', 'a\u00e9b']) {
      expect(nonces.remember('https://rs.example/a', answer({ 'dpop-nonce': bad })), bad).toBe(false)
    }
    expect(nonces.get('https://rs.example/a')).toBeUndefined()
    expect(nonces.remember('https://rs.example/a?x=1', answer({ 'dpop-nonce': '!#[]~' }))).toBe(true)
    expect(nonces.get('https://rs.example/other/path')).toBe('!#[]~')
    expect(nonces.get('https://rs.example:8443/a')).toBeUndefined()
  })

  it('holds 100 origins: the 101st pushes the oldest out, and only it', () => {
    const nonces = new NonceCache()
    const origin = (i: number) => `https://rs${i}.example/`
    for (let i = 0; i < 100; i++) nonces.remember(origin(i), answer({ 'dpop-nonce': `n${i}` }))
    expect(nonces.get(origin(0))).toBe('n0')
    nonces.remember(origin(100), answer({ 'dpop-nonce': 'n100' }))
    expect(nonces.get(origin(0))).toBeUndefined()
    expect([1, 99, 100].map((i) => nonces.get(origin(i)))).toEqual(['n1', 'n99', 'n100'])
  })

  it('are asked for by a DPoP challenge with error use_dpop_nonce, quoted or not, spaces around =', () => {
    const asks = (challenge: string) => asksForNonce(answer({ 'www-authenticate': challenge }))
    expect(asks('DPoP error="use_dpop_nonce"')).toBe(true)
    expect(asks('DPoP algs="ES256", error="use_dpop_nonce", error_description="x"')).toBe(true)
    expect(asks('DPoP error = "use_dpop_nonce"')).toBe(true)
    expect(asks('DPoP error= "use_dpop_nonce"')).toBe(true)
    expect(asks('DPoP error=use_dpop_nonce')).toBe(true)
    expect(asks('dpop ERROR="USE_DPOP_NONCE"')).toBe(true)
    expect(asks('Bearer error="use_dpop_nonce"')).toBe(false)
    expect(asks('DPoP error="invalid_token"')).toBe(false)
    expect(asksForNonce(answer({}))).toBe(false)
  })

  it('are used by the signer on the next call to that origin only, after a 401 that asks and gives one', async () => {
    const signer = new DPoPSigner('api')
    const token: OAuth2Token = { access_token: 'at-2', token_type: 'dpop', dpop_jwk: await freshJwk() }
    const challenge = { 'www-authenticate': 'DPoP error="use_dpop_nonce"' }
    expect(signer.nonceRetry(answer(challenge), 'https://rs.example/x')).toBe(false)
    expect(signer.nonceRetry(answer({ 'dpop-nonce': 'n-9' }), 'https://rs.example/x')).toBe(false)
    expect(signer.nonceRetry(answer({ ...challenge, 'dpop-nonce': 'n-9' }), 'https://rs.example/x')).toBe(true)
    const request = await signer.authorize(new Request('https://rs.example/y', { method: 'PUT' }), token)
    expect(request.headers.get('authorization')).toBe('DPoP at-2')
    expect(decode(request.headers.get('dpop')!.split('.')[1]!)).toMatchObject({
      htm: 'PUT',
      htu: 'https://rs.example/y',
      nonce: 'n-9',
    })
    const elsewhere = await signer.authorize(new Request('https://other.example/y'), token)
    expect('nonce' in decode(elsewhere.headers.get('dpop')!.split('.')[1]!)).toBe(false)
  })
})

describe("the token endpoint's nonce (RFC 9449 §8)", () => {
  /** A `send` that answers `responses` in turn, and counts its calls. */
  function sender(...responses: Response[]) {
    const send = vi.fn(async () => responses.shift()!)
    return send
  }
  const json = (body: unknown, status: number, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } })
  const asks = (status = 400) => json({ error: 'use_dpop_nonce' }, status, { 'dpop-nonce': 'n' })

  it('is answered by sending once more, and only once', async () => {
    const ok = json({ access_token: 'x' }, 200)
    const once = sender(asks(), ok)
    expect(await withNonceRetry(once)).toBe(ok)
    expect(once).toHaveBeenCalledTimes(2)
    const second = asks()
    const twice = sender(asks(), second, ok)
    expect(await withNonceRetry(twice)).toBe(second)
    expect(twice).toHaveBeenCalledTimes(2)
  })

  it('is not retried without a 400, a DPoP-Nonce header and the error use_dpop_nonce together', async () => {
    for (const first of [
      asks(401),
      json({ error: 'use_dpop_nonce' }, 400),
      json({ error: 'invalid_grant' }, 400, { 'dpop-nonce': 'n' }),
      json(['use_dpop_nonce'], 400, { 'dpop-nonce': 'n' }),
    ]) {
      const send = sender(first, json({}, 200))
      expect(await withNonceRetry(send)).toBe(first)
      expect(send).toHaveBeenCalledTimes(1)
    }
  })

  it('leaves a 400 whose body is not JSON to the caller, body unread', async () => {
    const first = new Response('<html>busy</html>', { status: 400, headers: { 'dpop-nonce': 'n' } })
    const send = sender(first)
    expect(await withNonceRetry(send)).toBe(first)
    expect(send).toHaveBeenCalledTimes(1)
    expect(await first.text()).toBe('<html>busy</html>')
  })
})

describe('a token response that should be DPoP-bound (RFC 9449 §5)', () => {
  it('is accepted with token_type DPoP in any case', () => {
    expect(() => checkBound('api', 'DPoP')).not.toThrow()
    expect(() => checkBound('api', 'dpop')).not.toThrow()
  })

  it('is dpop_not_bound otherwise, naming the type cut to 20 characters', async () => {
    const err = await expectCode(
      (async () => checkBound('api', 'Bearer-with-a-long-made-up-suffix'))(),
      ErrorCode.DPOP_NOT_BOUND,
    )
    expect(err.message).toBe(
      'api: the app uses DPoP but the token endpoint returned a token_type "Bearer-with-a-long-m" token, not a DPoP-bound one; nothing was stored',
    )
    expect(err.app).toBe('api')
  })
})
