/**
 * OAuth 1 signatures (src/oauth1/signature.ts), what the RFC 5849 vectors and the cross-checks leave
 * unpinned: the by-hand parameter normalisation (used when a parameter is named `__proto__`) sorts
 * by name, then by value; and the body placement joins the form body and the protocol parameters with
 * exactly one `&`.
 */
import { describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/errors/error.js'
import { generateNonce, rsaSha1 } from '../../src/oauth1/crypto.js'
import {
  baseString,
  collectParameters,
  importRsaSha1Key,
  mediaType,
  percentEncode,
  signRequest,
} from '../../src/oauth1/signature.js'

const credentials = { clientId: 'ck', clientSecret: 'cs', token: 'tk', tokenSecret: 'ts' }
const fixed = { nonce: 'n0nce', timestamp: '1700000000' }
const FORM_TYPE = 'application/x-www-form-urlencoded'
const FORM = { 'content-type': FORM_TYPE }

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

// Every refusal of signRequest, with its code and its exact message: the unit tests pin the codes.
const GET = { method: 'GET', url: 'https://api.example/r', ...fixed }
const POST = { method: 'POST', url: 'https://api.example/r', ...fixed }
const LONE = '\uD800'
const notUnicode = (what: string) =>
  `${what} is not well-formed Unicode (lone surrogate) and cannot be percent-encoded`

describe('refusals', () => {
  it('say what is wrong, with a stable code, for each bad credential, input, body or parameter', async () => {
    const invalid = ErrorCode.INVALID_REQUEST
    const config = ErrorCode.CONFIG_INVALID
    const cases: Array<[string, Record<string, unknown>, Record<string, unknown>, string, string]> =
      [
        ['empty clientId', { ...credentials, clientId: '' }, GET, config, 'OAuth 1 credentials need a clientId'],
        ['clientId not a string', { ...credentials, clientId: 42 }, GET, config, 'OAuth 1 credentials need a clientId'],
        ['no clientSecret', { clientId: 'ck' }, GET, config, 'HMAC-SHA1 signing needs a clientSecret'],
        ['unknown method', credentials, { ...GET, signatureMethod: 'MD5' }, config, 'Unsupported OAuth 1 signature method'],
        ['unknown placement', credentials, { ...GET, placement: 'cookie' }, invalid, 'placement must be header, query or body'],
        ['method not a token', credentials, { ...GET, method: 'GE T' }, invalid, 'The HTTP method is not a valid token'],
        ['method not a string', credentials, { ...GET, method: 42 }, invalid, 'The HTTP method is not a valid token'],
        ['invalid header name', credentials, { ...GET, headers: [['bad name', 'v']] }, invalid, 'The request headers are not valid'],
        ['form body as a Blob', credentials, { ...POST, headers: FORM, body: new Blob(['a=1']) }, invalid, 'A form-urlencoded body must be a string or URLSearchParams to be signed'],
        ['body placement with GET', credentials, { ...GET, headers: FORM, placement: 'body' }, invalid, 'placement "body" is not possible with GET, which has no body'],
        ['body placement with HEAD', credentials, { ...GET, method: 'HEAD', headers: FORM, placement: 'body' }, invalid, 'placement "body" is not possible with HEAD, which has no body'],
        ['body placement, text body', credentials, { ...POST, body: 'x', placement: 'body' }, invalid, 'placement "body" needs an application/x-www-form-urlencoded body'],
        ['body placement, other type, no body', credentials, { ...POST, headers: { 'content-type': 'text/plain' }, placement: 'body' }, invalid, 'placement "body" needs an application/x-www-form-urlencoded body'],
        ['timestamp with letters after', credentials, { ...GET, timestamp: '1700000000x' }, invalid, 'timestamp must be a number of seconds'],
        ['timestamp with letters before', credentials, { ...GET, timestamp: 'x1700000000' }, invalid, 'timestamp must be a number of seconds'],
        ['empty nonce', credentials, { ...GET, nonce: '' }, invalid, 'nonce must be a non-empty string'],
        ['nonce not a string', credentials, { ...GET, nonce: 42 }, invalid, 'nonce must be a non-empty string'],
        ['oauthParams not oauth_*', credentials, { ...GET, oauthParams: { foo: 'x' } }, invalid, 'oauthParams may only add oauth_* parameters that signRequest does not set itself'],
        ['oauthParams value not a string', credentials, { ...GET, oauthParams: { oauth_callback: 42 } }, invalid, 'oauthParams values must be strings'],
        ['realm not printable', credentials, { ...GET, realm: 'a\tb' }, invalid, 'realm must be printable ASCII'],
        ['PLAINTEXT over http', credentials, { ...GET, url: 'http://api.example/r', signatureMethod: 'PLAINTEXT' }, invalid, 'PLAINTEXT sends the secrets as the signature: it needs https (RFC 5849 §3.4.4)'],
        ['an unknown oauth_* clash', credentials, { ...GET, url: 'https://api.example/r?oauth_x=1', oauthParams: { oauth_x: '2' } }, invalid, 'The request already carries the protocol parameter oauth_*'],
        ['a lone surrogate in a request parameter', credentials, { ...GET, url: 'https://api.example/r', oauthParams: { oauth_callback: LONE } }, invalid, notUnicode('A request parameter')],
        ['a lone surrogate in the client secret', { ...credentials, clientSecret: LONE }, GET, config, notUnicode('clientSecret or tokenSecret')],
      ]
    for (const [name, creds, input, code, message] of cases) {
      await expect(signRequest(creds as never, input as never), name).rejects.toMatchObject({ code, message })
    }
  })
})

describe('percent-encoding and the base string', () => {
  it('name what holds a lone surrogate, and let any other error through unchanged', () => {
    expect(() => percentEncode(LONE)).toThrow(notUnicode('A value'))
    expect(() => baseString('GET', 'https://api.example/r', [['a', LONE]])).toThrow(
      notUnicode('A request parameter'),
    )
    // By hand (a __proto__ parameter) the values go through percentEncode.
    expect(() =>
      baseString('GET', 'https://api.example/r', [['__proto__', 'p'], ['a', LONE]]),
    ).toThrow(notUnicode('A value'))
    // encodeURIComponent throws a TypeError on a symbol: not an encoding problem, so not rewritten.
    expect(() => percentEncode(Symbol('s') as unknown as string)).toThrow(TypeError)
  })

  it('by hand, sorts two values of one name given in descending order', () => {
    expect(
      baseString('GET', 'https://api.example/r', [
        ['__proto__', 'p'],
        ['a', '2'],
        ['a', '1'],
      ]),
    ).toBe(`GET&https%3A%2F%2Fapi.example%2Fr&${encodeURIComponent('__proto__=p&a=1&a=2')}`)
  })

  it('collectParameters leaves out oauth_signature and keeps everything else', () => {
    expect(
      collectParameters('https://api.example/r?oauth_signature=s&a=1', 'oauth_signature=t&b=2'),
    ).toEqual([
      ['a', '1'],
      ['b', '2'],
    ])
  })
})

describe('bodies', () => {
  it('reads the media type with the spaces around it removed, so such a form body is signed', async () => {
    expect(mediaType(' Application/X-WWW-Form-Urlencoded ; charset=UTF-8')).toBe(FORM_TYPE)
    const signed = await signRequest(credentials, {
      ...POST,
      headers: { 'content-type': `${FORM_TYPE} ; charset=UTF-8` },
      body: 'a=1',
    })
    expect(signed.baseString).toContain(encodeURIComponent('a=1&'))
  })

  it('signs a form request without a body as one with an empty body', async () => {
    const signed = await signRequest(credentials, { ...POST, headers: FORM })
    const bare = await signRequest(credentials, { ...POST, headers: FORM, body: '' })
    expect(signed.baseString).toBe(bare.baseString)
    expect(signed.baseString).toBe(
      `POST&https%3A%2F%2Fapi.example%2Fr&${encodeURIComponent(
        'oauth_consumer_key=ck&oauth_nonce=n0nce&oauth_signature_method=HMAC-SHA1&oauth_timestamp=1700000000&oauth_token=tk',
      )}`,
    )
  })

  it('turns an empty body without a content type into the form that carries the parameters', async () => {
    const signed = await signRequest(credentials, { ...POST, body: '', placement: 'body' })
    expect(signed.headers.get('content-type')).toBe(FORM_TYPE)
    expect(signed.body).toBe(new URLSearchParams(signed.oauthParams).toString())
  })

  it('returns no body key at all when there is no body to send', async () => {
    const signed = await signRequest(credentials, GET)
    expect(Object.hasOwn(signed, 'body')).toBe(false)
  })
})

describe('protocol parameters', () => {
  it('leaves oauth_token out for an empty token', async () => {
    const signed = await signRequest({ ...credentials, token: '' }, GET)
    expect(Object.keys(signed.oauthParams)).not.toContain('oauth_token')
    expect(signed.baseString).not.toContain('oauth_token')
  })

  it('reads realm only for the header placement', async () => {
    const signed = await signRequest(credentials, { ...GET, placement: 'query', realm: 'a\tb' })
    expect(signed.url).not.toContain('realm')
  })
})

describe('PLAINTEXT over http to loopback', () => {
  it('accepts every 127/8 address, whatever the number of digits in each part', async () => {
    for (const host of ['127.0.0.10', '127.0.10.1', '127.10.0.1', '127.255.255.254']) {
      const signed = await signRequest(credentials, {
        ...GET,
        url: `http://${host}/r`,
        signatureMethod: 'PLAINTEXT',
      })
      expect(signed.oauthParams.oauth_signature, host).toBe('cs&ts')
    }
  })
})

describe('RSA-SHA1 key import', () => {
  it('keeps why WebCrypto refused a PKCS#8 PEM as the cause', async () => {
    const pem = '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----'
    const error = await importRsaSha1Key(pem).catch((e: unknown) => e)
    expect(error).toMatchObject({
      code: ErrorCode.CONFIG_INVALID,
      message: 'rsaKey could not be imported as a PKCS#8 RSA private key',
    })
    expect((error as Error).cause).toBeInstanceOf(Error)
  })
})

describe('nonces', () => {
  it('are 30 letters and digits, each equally likely (no byte above 247 used)', () => {
    const counts = new Map<string, number>()
    const n = 10_000
    for (let i = 0; i < n; i++) {
      const nonce = generateNonce()
      expect(nonce).toMatch(/^[A-Za-z0-9]{30}$/)
      for (const c of nonce) counts.set(c, (counts.get(c) ?? 0) + 1)
    }
    expect(counts.size).toBe(62)
    // Each character is 1/62 = 0.0161 of 300,000 (sd 0.00023). Using byte 248 too (byte <= 248) makes
    // 'A' 5/249 = 0.0201; using 248-255 (no check) makes A-H 5/256 = 0.0195 each.
    for (const [c, count] of counts) expect(count / (n * 30), c).toBeLessThan(0.018)
  })
})
