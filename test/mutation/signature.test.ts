/**
 * OAuth 1 signatures (src/oauth1/signature.ts), what the RFC 5849 vectors and the cross-checks leave
 * unpinned: the by-hand parameter normalisation (used when a parameter is named `__proto__`) sorts
 * by name, then by value; and the body placement joins the form body and the protocol parameters with
 * exactly one `&`.
 */
import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/errors/error.js'
import { rsaSha1 } from '../../src/oauth1/crypto.js'
import { baseString, signRequest } from '../../src/oauth1/signature.js'

const credentials = { clientId: 'ck', clientSecret: 'cs', token: 'tk', tokenSecret: 'ts' }
const fixed = { nonce: 'n0nce', timestamp: '1700000000' }
const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

describe('parameter normalisation by hand (a parameter named __proto__)', () => {
  it('sorts by encoded name, then by encoded value, as oauth-1.0a does for the other requests', () => {
    const params: Array<[string, string]> = [
      ['b', '2'],
      ['a', '2'],
      ['a', '10'],
      ['a', '1'],
      ['c', 'x'],
      ['c', 'x'],
    ]
    const normalised = 'a=1&a=10&a=2&b=2&c=x&c=x'
    expect(baseString('GET', 'https://api.example/r', params)).toBe(
      `GET&https%3A%2F%2Fapi.example%2Fr&${encodeURIComponent(normalised)}`,
    )
    expect(baseString('GET', 'https://api.example/r', [['__proto__', 'p'], ...params])).toBe(
      `GET&https%3A%2F%2Fapi.example%2Fr&${encodeURIComponent(`__proto__=p&${normalised}`)}`,
    )
  })
})

describe('body placement', () => {
  it('joins the form body and the protocol parameters with one "&": none before an empty body, one after a body ending in "&"', async () => {
    const oauth = (signed: { oauthParams: Record<string, string> }) =>
      new URLSearchParams(signed.oauthParams).toString()
    for (const body of [undefined, '']) {
      const signed = await signRequest(credentials, {
        method: 'POST',
        url: 'https://api.example/x',
        headers: FORM,
        ...(body === undefined ? {} : { body }),
        placement: 'body',
        ...fixed,
      })
      expect(signed.body, JSON.stringify(body)).toBe(oauth(signed))
    }
    const trailing = await signRequest(credentials, {
      method: 'POST',
      url: 'https://api.example/x',
      headers: FORM,
      body: 'a=1&',
      placement: 'body',
      ...fixed,
    })
    expect(trailing.body).toBe(`a=1&${oauth(trailing)}`)
  })
})

describe('the request URL', () => {
  it('is refused, saying why, when not absolute, not http(s), or carrying a user name or a password', async () => {
    const cases: Array<[string, string]> = [
      ['/relative', 'The request URL is not a valid absolute URL'],
      ['ftp://api.example/x', 'The request URL must use http or https'],
      ['https://user@api.example/x', 'The request URL must not contain credentials'],
      ['https://:pw@api.example/x', 'The request URL must not contain credentials'],
      ['https://user:pw@api.example/x', 'The request URL must not contain credentials'],
    ]
    for (const [url, message] of cases) {
      await expect(signRequest(credentials, { method: 'GET', url, ...fixed }), url).rejects.toMatchObject({
        code: ErrorCode.INVALID_REQUEST,
        message,
      })
    }
  })
})

describe('RSA-SHA1 keys', () => {
  it('refuses anything but an RSASSA-PKCS1-v1_5 SHA-1 private key for signing, as config_invalid', async () => {
    const rsa = (name: string, hash: string) =>
      crypto.subtle.generateKey(
        { name, hash, modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) },
        true,
        name === 'RSA-OAEP' ? ['encrypt', 'decrypt'] : ['sign', 'verify'],
      ) as Promise<CryptoKeyPair>
    const good = await rsa('RSASSA-PKCS1-v1_5', 'SHA-1')
    const pss = await rsa('RSA-PSS', 'SHA-1')
    const refused: unknown[] = [
      null,
      good.publicKey,
      pss.privateKey,
      { type: 'private', usages: ['sign'] },
      { type: 'private', algorithm: { name: 'RSASSA-PKCS1-v1_5' }, usages: ['sign'] },
    ]
    for (const [i, key] of refused.entries()) {
      await expect(rsaSha1(key as CryptoKey, 'data'), String(i)).rejects.toMatchObject({
        code: ErrorCode.CONFIG_INVALID,
        message: 'rsaKey must be an RSASSA-PKCS1-v1_5 private key with hash SHA-1 and the sign usage',
      })
    }
    await expect(rsaSha1(good.privateKey, 'data')).resolves.toMatch(/^[A-Za-z0-9+/]+=*$/)
  })
})
