import { createHmac, createPrivateKey, createVerify, generateKeyPairSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import OAuth from 'oauth-1.0a'
import { describe, expect, it } from 'vitest'
import { ErrorCode, isOAuthKitError, type OAuthKitError } from '../../src/errors/error.js'
import {
  baseString,
  baseUri,
  collectParameters,
  importRsaSha1Key,
  parseForm,
  percentEncode,
  signRequest,
  type OAuth1Credentials,
  type SignRequestInput,
} from '../../src/oauth1/signature.js'

interface HmacVector {
  name: string
  method: string
  url: string
  oauth: Record<string, string>
  consumer_secret: string
  token_secret: string
  base_string: string
  signature: string
}
interface BaseStringVector {
  name: string
  method: string
  url: string
  form_body: string
  oauth: Record<string, string>
  base_string: string
}
interface Vectors {
  hmac_sha1: HmacVector[]
  base_string_only: BaseStringVector[]
  base_uri_rules: Array<{ request: string; base_uri: string }>
}

const vectors = JSON.parse(
  readFileSync(new URL('../../../shared/vectors/rfc5849.json', import.meta.url), 'utf8'),
) as Vectors

const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

/** Splits a vector's oauth_* parameters into credentials and signRequest input, as a caller would pass them. */
function fromVector(oauth: Record<string, string>, secrets: { consumer?: string; token?: string }) {
  const {
    oauth_consumer_key,
    oauth_token,
    oauth_signature_method,
    oauth_timestamp,
    oauth_nonce,
    ...extra
  } = oauth
  const credentials: OAuth1Credentials = {
    clientId: oauth_consumer_key!,
    clientSecret: secrets.consumer ?? 'unused',
    ...(oauth_token === undefined ? {} : { token: oauth_token, tokenSecret: secrets.token ?? '' }),
  }
  expect(oauth_signature_method).toBe('HMAC-SHA1')
  return {
    credentials,
    input: { nonce: oauth_nonce!, timestamp: oauth_timestamp!, oauthParams: extra },
  }
}

/** The oauth_* parameters of an Authorization header, decoded (RFC 5849 §3.5.1). */
function headerParams(header: string | null): Record<string, string> {
  expect(header).toMatch(/^OAuth /)
  const params: Record<string, string> = {}
  for (const [, name, value] of (header ?? '').matchAll(/(\w+)="([^"]*)"/g))
    params[name!] = decodeURIComponent(value!)
  return params
}

async function rejection(promise: Promise<unknown>, label = ''): Promise<OAuthKitError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  if (!isOAuthKitError(error))
    throw new Error(`${label} expected an OAuthKitError, got ${String(error)}`)
  return error
}

describe('RFC 5849 vectors', () => {
  it.each(vectors.hmac_sha1.map((v) => [v.name, v] as const))(
    '%s: signRequest gives the base string and signature',
    async (_, v) => {
      const { credentials, input } = fromVector(v.oauth, {
        consumer: v.consumer_secret,
        token: v.token_secret,
      })
      const signed = await signRequest(credentials, { method: v.method, url: v.url, ...input })
      expect(signed.baseString).toBe(v.base_string)
      expect(signed.oauthParams.oauth_signature).toBe(v.signature)
      expect(headerParams(signed.headers.get('authorization'))).toEqual({
        ...v.oauth,
        oauth_signature: v.signature,
      })
    },
  )

  it.each(vectors.hmac_sha1.map((v) => [v.name, v] as const))(
    '%s: baseString alone gives the base string',
    (_, v) => {
      expect(
        baseString(v.method, v.url, [...collectParameters(v.url), ...Object.entries(v.oauth)]),
      ).toBe(v.base_string)
    },
  )

  it.each(vectors.base_string_only.map((v) => [v.name, v] as const))(
    '%s: query and form body are normalised',
    async (_, v) => {
      const params = [...collectParameters(v.url, v.form_body), ...Object.entries(v.oauth)]
      expect(baseString(v.method, v.url, params)).toBe(v.base_string)
      const { credentials, input } = fromVector(v.oauth, {})
      // §3.4.1.3.1's request carries realm="Example" in its header, which is not signed.
      const signed = await signRequest(credentials, {
        method: v.method,
        url: v.url,
        headers: FORM,
        body: v.form_body,
        realm: 'Example',
        ...input,
      })
      expect(signed.baseString).toBe(v.base_string)
      expect(signed.headers.get('authorization')).toMatch(
        /^OAuth realm="Example", oauth_consumer_key="9djdj82h48djs9d2", /,
      )
    },
  )

  it.each(vectors.base_uri_rules.map((r) => [r.request, r.base_uri] as const))(
    'the base string URI of %s is %s',
    (request, expected) => {
      expect(baseUri(request)).toBe(expected)
      expect(baseUri(new URL(request))).toBe(expected)
    },
  )
})

describe('what oauth-1.0a gets wrong by itself, and signRequest gets right', () => {
  const raw = new OAuth({ consumer: { key: 'k', secret: 's' } })
  const [normalisation] = vectors.base_string_only
  const v = normalisation!

  it('oauth-1.0a loses the body a3 (the query repeats it) and double-encodes c%40; our base string gets both right', () => {
    const body = Object.fromEntries(parseForm(v.form_body))
    const theirs = raw.getBaseString({ method: v.method, url: v.url, data: body }, {
      ...v.oauth,
    } as unknown as OAuth.Data)
    expect(theirs).not.toContain('a3%3D2%2520q')
    expect(theirs).toContain('c%252540%3D')
    expect(
      baseString(v.method, v.url, [
        ...collectParameters(v.url, v.form_body),
        ...Object.entries(v.oauth),
      ]),
    ).toBe(v.base_string)
  })

  it('oauth-1.0a keeps host case and the default port in the base URI; ours normalises them', () => {
    const theirs = raw.getBaseString(
      { method: 'GET', url: 'http://EXAMPLE.COM:80/r%20v/X?id=123' },
      {} as OAuth.Data,
    )
    expect(theirs).toBe('GET&http%3A%2F%2FEXAMPLE.COM%3A80%2Fr%2520v%2FX&id%3D123')
    expect(
      baseString(
        'GET',
        'http://EXAMPLE.COM:80/r%20v/X?id=123',
        collectParameters('http://EXAMPLE.COM:80/r%20v/X?id=123'),
      ),
    ).toBe('GET&http%3A%2F%2Fexample.com%2Fr%2520v%2FX&id%3D123')
  })

  it('oauth-1.0a reads "+" in a query as "+", drops a repeated empty value and a raw "=" in a value; ours follows the form rules', () => {
    const url = 'http://e.example/?a=&a=x&b=1+2&d=x=y'
    expect(raw.getBaseString({ method: 'GET', url }, {} as OAuth.Data)).toBe(
      'GET&http%3A%2F%2Fe.example%2F&a%3Dx%26b%3D1%252B2%26d%3Dx',
    )
    expect(baseString('GET', url, collectParameters(url))).toBe(
      'GET&http%3A%2F%2Fe.example%2F&a%3D%26a%3Dx%26b%3D1%25202%26d%3Dx%253Dy',
    )
  })

  it('a parameter named __proto__ is signed (oauth-1.0a would drop it, so it is normalised by hand)', () => {
    const url = 'http://e.example/p?__proto__=v&b=1&__proto__=w'
    expect(baseString('get', url, collectParameters(url))).toBe(
      'GET&http%3A%2F%2Fe.example%2Fp&__proto__%3Dv%26__proto__%3Dw%26b%3D1',
    )
  })

  it('a custom method is percent-encoded and upper-cased (§3.4.1.1)', () => {
    expect(baseString('m-search!', 'http://e.example/', [])).toBe(
      'M-SEARCH%21&http%3A%2F%2Fe.example%2F&',
    )
  })
})

describe('signature methods', () => {
  const credentials = {
    clientId: 'dpf43f3p2l4k3l03',
    clientSecret: 'kd94hf93k423kf44',
    token: 'nnch734d00sl2jdk',
    tokenSecret: 'pfkkdhi9sl3r4s00',
  }
  const request: SignRequestInput = {
    method: 'GET',
    url: 'http://photos.example.net/photos?file=vacation.jpg&size=original',
    nonce: 'chapoH',
    timestamp: '137131202',
  }

  it('HMAC-SHA1 is the default', async () => {
    const signed = await signRequest(credentials, request)
    expect(signed.oauthParams.oauth_signature_method).toBe('HMAC-SHA1')
    expect(signed.oauthParams.oauth_signature).toBe('MdpQcU8iPSUjWoN/UDMsK2sui9I=')
  })

  it('HMAC-SHA256 signs the same base string with SHA-256', async () => {
    const signed = await signRequest(credentials, { ...request, signatureMethod: 'HMAC-SHA256' })
    expect(signed.baseString).toContain('oauth_signature_method%3DHMAC-SHA256')
    const expected = createHmac('sha256', 'kd94hf93k423kf44&pfkkdhi9sl3r4s00')
      .update(signed.baseString)
      .digest('base64')
    expect(signed.oauthParams.oauth_signature).toBe(expected)
  })

  it('PLAINTEXT sends the encoded signing key, with the "&" even without a token secret', async () => {
    const url = 'https://photos.example.net/initiate'
    const withToken = await signRequest(
      { ...credentials, clientSecret: 'a b&c', tokenSecret: 'é/~' },
      { method: 'POST', url, signatureMethod: 'PLAINTEXT' },
    )
    expect(withToken.oauthParams.oauth_signature).toBe('a%20b%26c&%C3%A9%2F~')
    const withoutToken = await signRequest(
      { clientId: 'c', clientSecret: 'kd94hf93k423kf44' },
      { method: 'POST', url, signatureMethod: 'PLAINTEXT' },
    )
    expect(withoutToken.oauthParams.oauth_signature).toBe('kd94hf93k423kf44&')
    expect(headerParams(withoutToken.headers.get('authorization')).oauth_signature).toBe(
      'kd94hf93k423kf44&',
    )
  })

  it('PLAINTEXT is refused over http except to a loopback host', async () => {
    const error = await rejection(
      signRequest(credentials, {
        method: 'POST',
        url: 'http://photos.example.net/initiate',
        signatureMethod: 'PLAINTEXT',
      }),
    )
    expect(error.code).toBe(ErrorCode.INVALID_REQUEST)
    for (const url of ['http://127.0.0.1:8080/x', 'http://localhost/x', 'http://[::1]/x']) {
      const signed = await signRequest(credentials, {
        method: 'POST',
        url,
        signatureMethod: 'PLAINTEXT',
      })
      expect(signed.oauthParams.oauth_signature).toBe('kd94hf93k423kf44&pfkkdhi9sl3r4s00')
      expect(headerParams(signed.headers.get('authorization')).oauth_signature).toBe(
        'kd94hf93k423kf44&pfkkdhi9sl3r4s00',
      )
    }
    for (const url of [
      'http://evillocalhost/x',
      'http://localhost.evil.example/x',
      'http://127.0.0.1.evil.example/x',
    ]) {
      expect(
        (
          await rejection(
            signRequest(credentials, { method: 'POST', url, signatureMethod: 'PLAINTEXT' }),
          )
        ).code,
      ).toBe(ErrorCode.INVALID_REQUEST)
    }
  })

  describe('RSA-SHA1', () => {
    const generate = (hash: 'SHA-1' | 'SHA-256') =>
      crypto.subtle.generateKey(
        {
          name: 'RSASSA-PKCS1-v1_5',
          modulusLength: 2048,
          publicExponent: new Uint8Array([1, 0, 1]),
          hash,
        },
        true,
        ['sign', 'verify'],
      )
    const toPem = (der: ArrayBuffer) =>
      `-----BEGIN PRIVATE KEY-----\n${Buffer.from(der)
        .toString('base64')
        .replace(/(.{64})/g, '$1\n')}\n-----END PRIVATE KEY-----\n`

    it('signs with a PEM or a CryptoKey, and WebCrypto verifies the signature with the public key', async () => {
      const pair = await generate('SHA-1')
      const pem = toPem(await crypto.subtle.exportKey('pkcs8', pair.privateKey))
      const fromPem = await signRequest(
        { clientId: 'c', rsaKey: pem, token: 't' },
        { ...request, signatureMethod: 'RSA-SHA1' },
      )
      const fromKey = await signRequest(
        { clientId: 'c', rsaKey: pair.privateKey, token: 't' },
        { ...request, signatureMethod: 'RSA-SHA1' },
      )
      expect(fromPem.oauthParams.oauth_signature).toBe(fromKey.oauthParams.oauth_signature)
      const signature = Buffer.from(fromPem.oauthParams.oauth_signature!, 'base64')
      const data = new TextEncoder().encode(fromPem.baseString)
      expect(await crypto.subtle.verify('RSASSA-PKCS1-v1_5', pair.publicKey, signature, data)).toBe(
        true,
      )
      expect(
        await crypto.subtle.verify(
          'RSASSA-PKCS1-v1_5',
          pair.publicKey,
          signature,
          new TextEncoder().encode(`${fromPem.baseString}x`),
        ),
      ).toBe(false)
      // And OpenSSL agrees that it is RSA PKCS#1 v1.5 over SHA-1 of the base string.
      const spki = await crypto.subtle.exportKey('spki', pair.publicKey)
      const verifier = createVerify('RSA-SHA1').update(fromPem.baseString)
      expect(
        verifier.verify({ key: Buffer.from(spki), format: 'der', type: 'spki' }, signature),
      ).toBe(true)
    })

    it('importRsaSha1Key gives a reusable non-extractable SHA-1 signing key', async () => {
      const pem = toPem(
        await crypto.subtle.exportKey('pkcs8', (await generate('SHA-1')).privateKey),
      )
      const key = await importRsaSha1Key(pem)
      expect(key.extractable).toBe(false)
      expect(key.algorithm).toMatchObject({ name: 'RSASSA-PKCS1-v1_5', hash: { name: 'SHA-1' } })
    })

    it('refuses a PKCS#1 PEM, a PEM that is no key, a key bound to SHA-256, and no key at all', async () => {
      const pkcs1 = generateKeyPairSync('rsa', { modulusLength: 1024 })
        .privateKey.export({ type: 'pkcs1', format: 'pem' })
        .toString()
      expect(createPrivateKey(pkcs1).asymmetricKeyType).toBe('rsa')
      const sha256 = (await generate('SHA-256')).privateKey
      const cases: Array<[OAuth1Credentials, RegExp]> = [
        [{ clientId: 'c', rsaKey: pkcs1 }, /PKCS#1/],
        [
          {
            clientId: 'c',
            rsaKey: '-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----',
          },
          /could not be imported/,
        ],
        [{ clientId: 'c', rsaKey: 'not a pem' }, /PKCS#8 PEM/],
        [{ clientId: 'c', rsaKey: sha256 }, /hash SHA-1/],
        [{ clientId: 'c' }, /needs an rsaKey/],
      ]
      for (const [rsaCredentials, message] of cases) {
        const error = await rejection(
          signRequest(rsaCredentials, { ...request, signatureMethod: 'RSA-SHA1' }),
        )
        expect(error.code).toBe(ErrorCode.CONFIG_INVALID)
        expect(error.message).toMatch(message)
      }
    })
  })
})

describe('protocol parameters', () => {
  const credentials = { clientId: 'ck', clientSecret: 'cs' }

  it('nonces are 30 random letters and digits from the CSPRNG, never repeated; the timestamp is now, in seconds', async () => {
    const nonces = new Set<string>()
    for (let i = 0; i < 200; i++) {
      const { oauthParams } = await signRequest(credentials, {
        method: 'GET',
        url: 'https://api.example/',
      })
      expect(oauthParams.oauth_nonce).toMatch(/^[A-Za-z0-9]{30}$/)
      nonces.add(oauthParams.oauth_nonce!)
      expect(Math.abs(Number(oauthParams.oauth_timestamp) - Date.now() / 1000)).toBeLessThan(5)
    }
    expect(nonces.size).toBe(200)
  })

  it('oauth_token is sent only with a token, and oauthParams adds oauth_callback / oauth_verifier', async () => {
    const temporary = await signRequest(credentials, {
      method: 'POST',
      url: 'https://api.example/oauth/request_token',
      oauthParams: { oauth_callback: 'oob' },
    })
    expect(Object.keys(temporary.oauthParams).sort()).toEqual([
      'oauth_callback',
      'oauth_consumer_key',
      'oauth_nonce',
      'oauth_signature',
      'oauth_signature_method',
      'oauth_timestamp',
    ])
    const access = await signRequest(
      { ...credentials, token: 'rt', tokenSecret: 'rs' },
      {
        method: 'POST',
        url: 'https://api.example/oauth/access_token',
        oauthParams: { oauth_verifier: 'v' },
      },
    )
    expect(access.oauthParams).toMatchObject({ oauth_token: 'rt', oauth_verifier: 'v' })
    expect(access.baseString).toContain('oauth_token%3Drt%26oauth_verifier%3Dv')
  })

  it('oauthParams cannot replace the computed parameters nor add non-protocol ones', async () => {
    const refused: Array<Record<string, string>> = [
      { oauth_nonce: 'n' },
      { oauth_token: 't' },
      { oauth_signature: 's' },
      { callback: 'oob' },
    ]
    for (const oauthParams of refused) {
      const error = await rejection(
        signRequest(credentials, { method: 'GET', url: 'https://api.example/', oauthParams }),
      )
      expect(error.code).toBe(ErrorCode.INVALID_REQUEST)
    }
  })

  it('a request that already carries a protocol parameter being added is refused, not signed twice', async () => {
    for (const input of [
      { method: 'GET', url: 'https://api.example/?oauth_nonce=1' },
      { method: 'POST', url: 'https://api.example/', headers: FORM, body: 'a=1&oauth_signature=x' },
      {
        method: 'POST',
        url: 'https://api.example/?oauth_callback=x',
        oauthParams: { oauth_callback: 'oob' },
      },
    ]) {
      const error = await rejection(signRequest(credentials, input))
      expect(error.code).toBe(ErrorCode.INVALID_REQUEST)
      expect(error.message).toMatch(/already carries the protocol parameter oauth_/)
    }
  })

  it('a parameter named like an Object.prototype member is an ordinary parameter', async () => {
    const signed = await signRequest(credentials, {
      method: 'GET',
      url: 'https://api.example/?constructor=1&toString=2',
    })
    expect(signed.baseString).toContain('constructor%3D1')
  })
})

describe('placement', () => {
  const credentials = { clientId: 'ck', clientSecret: 'cs', token: 'at', tokenSecret: 'ats' }
  const fixed = { nonce: 'n0nce', timestamp: '1700000000' }

  it('header (default): Authorization carries the protocol parameters; URL and body are unchanged', async () => {
    const signed = await signRequest(credentials, {
      method: 'POST',
      url: 'https://api.example/1/x?q=a%20b',
      headers: FORM,
      body: 'status=hi+there',
      ...fixed,
    })
    expect(signed.url).toBe('https://api.example/1/x?q=a%20b')
    expect(signed.body).toBe('status=hi+there')
    expect(headerParams(signed.headers.get('authorization'))).toEqual(signed.oauthParams)
    expect(signed.baseString).toContain('q%3Da%2520b%26status%3Dhi%2520there')
  })

  it('query: the protocol parameters are appended to the query, which is otherwise kept as it was', async () => {
    const header = await signRequest(credentials, {
      method: 'GET',
      url: 'https://api.example/x?q=a%20b&k=%2B',
      ...fixed,
    })
    const query = await signRequest(credentials, {
      method: 'GET',
      url: 'https://api.example/x?q=a%20b&k=%2B',
      placement: 'query',
      ...fixed,
    })
    expect(query.headers.has('authorization')).toBe(false)
    expect(query.url.startsWith('https://api.example/x?q=a%20b&k=%2B&oauth_')).toBe(true)
    expect(Object.fromEntries(new URL(query.url).searchParams)).toEqual({
      q: 'a b',
      k: '+',
      ...query.oauthParams,
    })
    // Where the parameters travel does not change what is signed.
    expect(query.baseString).toBe(header.baseString)
    expect(query.oauthParams).toEqual(header.oauthParams)
    const bare = await signRequest(credentials, {
      method: 'GET',
      url: 'https://api.example/x',
      placement: 'query',
      ...fixed,
    })
    expect(new URL(bare.url).search).toMatch(/^\?oauth_consumer_key=ck&/)
  })

  it('body: the protocol parameters are appended to the form body', async () => {
    const header = await signRequest(credentials, {
      method: 'POST',
      url: 'https://api.example/x',
      headers: FORM,
      body: 'a=1&b=%21',
      ...fixed,
    })
    const body = await signRequest(credentials, {
      method: 'POST',
      url: 'https://api.example/x',
      headers: FORM,
      body: 'a=1&b=%21',
      placement: 'body',
      ...fixed,
    })
    expect(body.headers.has('authorization')).toBe(false)
    expect(body.body?.startsWith('a=1&b=%21&oauth_')).toBe(true)
    expect(Object.fromEntries(new URLSearchParams(body.body))).toEqual({
      a: '1',
      b: '!',
      ...body.oauthParams,
    })
    expect(body.baseString).toBe(header.baseString)
  })

  it('body: an absent body becomes a form body; a URLSearchParams body is serialised and labelled', async () => {
    const empty = await signRequest(credentials, {
      method: 'POST',
      url: 'https://api.example/x',
      placement: 'body',
      ...fixed,
    })
    expect(empty.headers.get('content-type')).toBe('application/x-www-form-urlencoded')
    expect(Object.fromEntries(new URLSearchParams(empty.body))).toEqual(empty.oauthParams)
    const body = new URLSearchParams({ s: 'a b' })
    const params = await signRequest(credentials, {
      method: 'POST',
      url: 'https://api.example/x',
      body,
      placement: 'body',
      ...fixed,
    })
    expect(params.headers.get('content-type')).toBe(
      'application/x-www-form-urlencoded;charset=UTF-8',
    )
    expect(params.body?.startsWith('s=a+b&oauth_')).toBe(true)
    expect(params.baseString).toContain('s%3Da%2520b')
  })

  it('body: refused without a form body, and with GET', async () => {
    const refused: SignRequestInput[] = [
      {
        method: 'POST',
        url: 'https://api.example/x',
        headers: { 'content-type': 'application/json' },
        body: '{"a":1}',
        placement: 'body',
      },
      { method: 'POST', url: 'https://api.example/x', body: 'a=1', placement: 'body' },
      { method: 'GET', url: 'https://api.example/x', placement: 'body' },
    ]
    for (const input of refused)
      expect((await rejection(signRequest(credentials, input))).code).toBe(
        ErrorCode.INVALID_REQUEST,
      )
  })

  it('realm goes in the header only, first, quoted, and is never signed', async () => {
    const plain = await signRequest(credentials, {
      method: 'GET',
      url: 'https://api.example/x',
      ...fixed,
    })
    const realm = await signRequest(credentials, {
      method: 'GET',
      url: 'https://api.example/x',
      realm: 'Photos "2"',
      ...fixed,
    })
    expect(realm.headers.get('authorization')).toMatch(
      /^OAuth realm="Photos \\"2\\"", oauth_consumer_key="ck", /,
    )
    expect(realm.baseString).toBe(plain.baseString)
    expect(realm.oauthParams).toEqual(plain.oauthParams)
    const query = await signRequest(credentials, {
      method: 'GET',
      url: 'https://api.example/x',
      realm: 'Photos',
      placement: 'query',
      ...fixed,
    })
    expect(query.url).not.toContain('realm')
    expect(query.baseString).toBe(plain.baseString)
    const error = await rejection(
      signRequest(credentials, {
        method: 'GET',
        url: 'https://api.example/x',
        realm: 'a\r\nX-Injected: 1',
      }),
    )
    expect(error.code).toBe(ErrorCode.INVALID_REQUEST)
  })
})

describe('which body parameters are signed', () => {
  const credentials = { clientId: 'ck', clientSecret: 'cs' }
  const url = 'https://api.example/x'

  it('a form body is signed, whatever the content-type parameters', async () => {
    for (const type of [
      'application/x-www-form-urlencoded',
      'Application/X-WWW-Form-Urlencoded; charset=utf-8',
    ]) {
      const signed = await signRequest(credentials, {
        method: 'POST',
        url,
        headers: { 'content-type': type },
        body: 'k=v',
      })
      expect(signed.baseString).toContain('k%3Dv')
    }
  })

  it('a non-form body is not signed and is returned as it was', async () => {
    const json = await signRequest(credentials, {
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json' },
      body: 'k=v',
    })
    expect(json.baseString).not.toContain('k%3Dv')
    expect(json.body).toBe('k=v')
    const text = await signRequest(credentials, { method: 'POST', url, body: 'k=v' })
    expect(text.baseString).not.toContain('k%3Dv')
  })

  it('a form body that is not a string or URLSearchParams cannot be signed', async () => {
    const error = await rejection(
      signRequest(credentials, { method: 'POST', url, headers: FORM, body: new Blob(['k=v']) }),
    )
    expect(error.code).toBe(ErrorCode.INVALID_REQUEST)
    const opaque = await signRequest(credentials, {
      method: 'POST',
      url,
      headers: { 'content-type': 'application/octet-stream' },
      body: new Blob(['k=v']),
    })
    expect(opaque.body).toBeUndefined()
  })
})

describe('errors', () => {
  const secret = 'S3CRET-client'
  const token = 'T0KEN-value'
  const tokenSecret = 'T0KEN-secret'
  const credentials = { clientId: 'ck', clientSecret: secret, token, tokenSecret }

  it('never contain a secret or token, whatever fails', async () => {
    const url = `https://api.example/x?access_token=${token}`
    const pem = (label: string) => `-----BEGIN ${label}-----\n${secret}\n-----END ${label}-----`
    const failing: Array<[OAuth1Credentials, SignRequestInput, ErrorCode]> = [
      [
        credentials,
        { method: 'GET', url: `https://${token}:${secret}@api.example/` },
        ErrorCode.INVALID_REQUEST,
      ],
      [credentials, { method: 'GET', url: `/relative?${token}` }, ErrorCode.INVALID_REQUEST],
      [
        credentials,
        { method: 'GET', url: `ftp://api.example/${token}` },
        ErrorCode.INVALID_REQUEST,
      ],
      [credentials, { method: `GET ${token}`, url }, ErrorCode.INVALID_REQUEST],
      [
        credentials,
        {
          method: 'POST',
          url,
          headers: { 'content-type': 'text/plain' },
          body: token,
          placement: 'body',
        },
        ErrorCode.INVALID_REQUEST,
      ],
      [
        credentials,
        { method: 'GET', url, oauthParams: { [`x_${token}`]: secret } },
        ErrorCode.INVALID_REQUEST,
      ],
      [
        credentials,
        {
          method: 'GET',
          url: `${url}&oauth_x${token}=1`,
          oauthParams: { [`oauth_x${token}`]: secret },
        },
        ErrorCode.INVALID_REQUEST,
      ],
      [
        credentials,
        { method: 'GET', url: `${url}&oauth_token=${token}` },
        ErrorCode.INVALID_REQUEST,
      ],
      [credentials, { method: 'GET', url, realm: `${token}\n` }, ErrorCode.INVALID_REQUEST],
      [credentials, { method: 'GET', url, timestamp: token }, ErrorCode.INVALID_REQUEST],
      [
        credentials,
        {
          method: 'GET',
          url,
          oauthParams: { oauth_callback: `https://app.example/?${token}\uD800` },
        },
        ErrorCode.INVALID_REQUEST,
      ],
      [
        credentials,
        { method: 'POST', url: `http://api.example/?${token}`, signatureMethod: 'PLAINTEXT' },
        ErrorCode.INVALID_REQUEST,
      ],
      [
        { ...credentials, tokenSecret: `${tokenSecret}\uDC00` },
        { method: 'GET', url },
        ErrorCode.CONFIG_INVALID,
      ],
      [
        { ...credentials, clientSecret: undefined },
        { method: 'GET', url },
        ErrorCode.CONFIG_INVALID,
      ],
      [{ ...credentials, clientId: '' }, { method: 'GET', url }, ErrorCode.CONFIG_INVALID],
      [
        { ...credentials, rsaKey: pem('RSA PRIVATE KEY') },
        { method: 'GET', url, signatureMethod: 'RSA-SHA1' },
        ErrorCode.CONFIG_INVALID,
      ],
      [
        { ...credentials, rsaKey: pem('PRIVATE KEY') },
        { method: 'GET', url, signatureMethod: 'RSA-SHA1' },
        ErrorCode.CONFIG_INVALID,
      ],
      [
        credentials,
        { method: 'GET', url, signatureMethod: secret as 'PLAINTEXT' },
        ErrorCode.CONFIG_INVALID,
      ],
    ]
    for (const [index, [failingCredentials, input, code]] of failing.entries()) {
      const error = await rejection(signRequest(failingCredentials, input), `case ${index}`)
      expect(error.code, error.message).toBe(code)
      const shown = `${error.message} ${String(error)} ${JSON.stringify(error)} ${String(error.cause ?? '')}`
      for (const value of [secret, token, tokenSecret]) expect(shown).not.toContain(value)
    }
  })

  it('percentEncode and baseString refuse a lone surrogate with an OAuthKitError', () => {
    expect(() => percentEncode('\uD800')).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_REQUEST }),
    )
    expect(() => baseString('GET', 'https://api.example/', [['a', '\uDFFF']])).toThrow(
      expect.objectContaining({ code: ErrorCode.INVALID_REQUEST }),
    )
    expect(percentEncode("Ladies + Gentlemen !*'()~é")).toBe(
      'Ladies%20%2B%20Gentlemen%20%21%2A%27%28%29~%C3%A9',
    )
  })
})
