/**
 * client_secret_basic's Authorization header: form-encoded as RFC 6749 §2.3.1 asks, but leaving
 * `- . _ * ~` as they are (servers that never decode, such as Authlib's, then still read `my-app`), or
 * raw for such servers when the secret holds other characters. And the `aud` of the client assertion
 * of private_key_jwt and client_secret_jwt.
 */
import { decodeJwt, generateKeyPair } from 'jose'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { ErrorCode, OAuth, type OAuth2AppConfig } from '../src/index.js'
import { basicAuthorization } from '../src/oauth2/client-auth.js'
import { SECRET, expectCode, useMsw } from './support/helpers.js'

const TOKEN_URL = 'https://as.test/token'
const server = useMsw()

/** The id and secret a server that form-decodes the header reads back (RFC 6749 Appendix B). */
function formDecoded(header: string): [string, string] {
  const text = new TextDecoder().decode(
    Uint8Array.from(atob(header.replace(/^Basic /, '')), (c) => c.charCodeAt(0)),
  )
  const colon = text.indexOf(':')
  const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, '%20'))
  return [decode(text.slice(0, colon)), decode(text.slice(colon + 1))]
}

function raw(header: string): string {
  return new TextDecoder().decode(
    Uint8Array.from(atob(header.replace(/^Basic /, '')), (c) => c.charCodeAt(0)),
  )
}

describe('client_secret_basic encoding', () => {
  it('form: leaves letters, digits and - . _ * ~ as they are', () => {
    expect(raw(basicAuthorization('a', 'my-app_v1.0~x*', 'Sec-ret_.~*9', 'form'))).toBe(
      'my-app_v1.0~x*:Sec-ret_.~*9',
    )
  })

  it('form: percent-encodes everything else, a space as %20, and the server decodes it back', () => {
    const secret = "a+b/c=d:e%f g!h'i(j)k&l?m#né€"
    const header = basicAuthorization('a', 'id:with space', secret, 'form')
    expect(raw(header)).toBe(
      'id%3Awith%20space:a%2Bb%2Fc%3Dd%3Ae%25f%20g%21h%27i%28j%29k%26l%3Fm%23n%C3%A9%E2%82%AC',
    )
    expect(formDecoded(header)).toEqual(['id:with space', secret])
  })

  it('raw: sends the UTF-8 bytes unencoded', () => {
    expect(raw(basicAuthorization('a', 'my-app', 'a+b/c=d:e%fé', 'raw'))).toBe(
      'my-app:a+b/c=d:e%fé',
    )
  })

  it('form: a lone surrogate is config_invalid, naming the field and not the value', async () => {
    const err = await expectCode(
      Promise.resolve().then(() => basicAuthorization('a', 'id', 'sec\uD800ret', 'form')),
      ErrorCode.CONFIG_INVALID,
    )
    expect(err.message).toBe(
      'app "a": clientSecret is not well-formed Unicode text and cannot be sent with client_secret_basic',
    )
  })

  const register = (config: Partial<OAuth2AppConfig>) =>
    new OAuth({ secret: SECRET }).register('as', {
      authorizeUrl: 'https://as.test/authorize',
      accessTokenUrl: TOKEN_URL,
      clientId: 'my-app',
      clientSecret: 'a+b/c=d:e%f',
      grantType: 'client_credentials',
      ...config,
    } as OAuth2AppConfig)

  it.each([
    [undefined, 'my-app:a%2Bb%2Fc%3Dd%3Ae%25f'],
    ['form', 'my-app:a%2Bb%2Fc%3Dd%3Ae%25f'],
    ['raw', 'my-app:a+b/c=d:e%f'],
  ] as const)(
    'clientSecretBasicEncoding %s is what the token endpoint receives',
    async (encoding, expected) => {
      const seen: string[] = []
      server.use(
        http.post(TOKEN_URL, ({ request }) => {
          seen.push(request.headers.get('authorization') ?? '')
          return HttpResponse.json({ access_token: 'at', token_type: 'Bearer', expires_in: 60 })
        }),
      )
      const oauth = register(encoding === undefined ? {} : { clientSecretBasicEncoding: encoding })
      await oauth.create('as').clientCredentials()
      expect(seen.map(raw)).toEqual([expected])
    },
  )

  it('refuses an unknown encoding, and raw with a ":" in the client id', () => {
    expect(() => register({ clientSecretBasicEncoding: 'base64' as never })).toThrow(
      /clientSecretBasicEncoding must be "form" or "raw"/,
    )
    expect(() => register({ clientId: 'a:b', clientSecretBasicEncoding: 'raw' })).toThrow(
      /"raw" cannot send a client id containing ":"/,
    )
  })
})

describe('clientAssertionAudience', () => {
  const ISSUER = 'https://as.test'
  const register = (config: Partial<OAuth2AppConfig>) =>
    new OAuth({ secret: SECRET }).register('as', {
      authorizeUrl: 'https://as.test/authorize',
      accessTokenUrl: TOKEN_URL,
      issuer: ISSUER,
      clientId: 'my-app',
      grantType: 'client_credentials',
      ...config,
    } as OAuth2AppConfig)

  /** The `aud` of each client assertion the token endpoint receives. */
  function audiences(): unknown[] {
    const seen: unknown[] = []
    server.use(
      http.post(TOKEN_URL, async ({ request }) => {
        const assertion = new URLSearchParams(await request.text()).get('client_assertion') ?? ''
        seen.push(decodeJwt(assertion).aud)
        return HttpResponse.json({ access_token: 'at', token_type: 'Bearer', expires_in: 60 })
      }),
    )
    return seen
  }

  const methods = [
    ['private_key_jwt', async () => ({ privateKey: (await generateKeyPair('ES256')).privateKey })],
    [
      'client_secret_jwt',
      async () => ({
        tokenEndpointAuthMethod: 'client_secret_jwt' as const,
        clientSecret: 'a+b/c=d:e%f-long-enough-for-hs256',
      }),
    ],
  ] as const

  it.each(methods)(
    '%s: the issuer by default and with "issuer", the token endpoint URL with "token_endpoint"',
    async (_method, credentials) => {
      const seen = audiences()
      const base = await credentials()
      await register(base).create('as').clientCredentials()
      await register({ ...base, clientAssertionAudience: 'issuer' })
        .create('as')
        .clientCredentials()
      await register({ ...base, clientAssertionAudience: 'token_endpoint' })
        .create('as')
        .clientCredentials()
      expect(seen).toEqual([ISSUER, ISSUER, TOKEN_URL])
    },
  )

  it('refuses an unknown value, and a method that signs no assertion', () => {
    expect(() => register({ privateKey: 'x', clientAssertionAudience: 'aud' as never })).toThrow(
      /"as": clientAssertionAudience must be "issuer" or "token_endpoint"/,
    )
    expect(() =>
      register({ clientSecret: 's', clientAssertionAudience: 'token_endpoint' }),
    ).toThrow(/"as": clientAssertionAudience applies only to private_key_jwt and client_secret_jwt/)
    expect(() =>
      register({
        clientSecret: 's',
        tokenEndpointAuthMethod: 'client_secret_post',
        clientAssertionAudience: 'issuer',
      }),
    ).toThrow(/applies only to private_key_jwt/)
  })
})
