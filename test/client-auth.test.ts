/**
 * client_secret_basic's Authorization header: form-encoded as RFC 6749 §2.3.1 asks, but leaving
 * `- . _ * ~` as they are (servers that never decode, such as Authlib's, then still read `my-app`), or
 * raw for such servers when the secret holds other characters.
 */
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { ErrorCode, OAuth, type OAuth2AppConfig } from '../src/index.js'
import { basicAuthorization } from '../src/client-auth.js'
import { SECRET, expectCode, useMsw } from './support/helpers.js'

const TOKEN_URL = 'https://as.test/token'
const server = useMsw()

/** The id and secret a server that form-decodes the header reads back (RFC 6749 Appendix B). */
function formDecoded(header: string): [string, string] {
  const text = new TextDecoder().decode(Uint8Array.from(atob(header.replace(/^Basic /, '')), (c) => c.charCodeAt(0)))
  const colon = text.indexOf(':')
  const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, '%20'))
  return [decode(text.slice(0, colon)), decode(text.slice(colon + 1))]
}

function raw(header: string): string {
  return new TextDecoder().decode(Uint8Array.from(atob(header.replace(/^Basic /, '')), (c) => c.charCodeAt(0)))
}

describe('client_secret_basic encoding', () => {
  it('form: leaves letters, digits and - . _ * ~ as they are', () => {
    expect(raw(basicAuthorization('a', 'my-app_v1.0~x*', 'Sec-ret_.~*9', 'form'))).toBe('my-app_v1.0~x*:Sec-ret_.~*9')
  })

  it('form: percent-encodes everything else, a space as %20, and the server decodes it back', () => {
    const secret = "a+b/c=d:e%f g!h'i(j)k&l?m#né€"
    const header = basicAuthorization('a', 'id:with space', secret, 'form')
    expect(raw(header)).toBe("id%3Awith%20space:a%2Bb%2Fc%3Dd%3Ae%25f%20g%21h%27i%28j%29k%26l%3Fm%23n%C3%A9%E2%82%AC")
    expect(formDecoded(header)).toEqual(['id:with space', secret])
  })

  it('raw: sends the UTF-8 bytes unencoded', () => {
    expect(raw(basicAuthorization('a', 'my-app', 'a+b/c=d:e%fé', 'raw'))).toBe('my-app:a+b/c=d:e%fé')
  })

  it('form: a lone surrogate is config_invalid, naming the field and not the value', async () => {
    const err = await expectCode(Promise.resolve().then(() => basicAuthorization('a', 'id', 'sec\uD800ret', 'form')), ErrorCode.CONFIG_INVALID)
    expect(err.message).toBe('app "a": clientSecret is not well-formed Unicode text and cannot be sent with client_secret_basic')
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
  ] as const)('clientSecretBasicEncoding %s is what the token endpoint receives', async (encoding, expected) => {
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
  })

  it('refuses an unknown encoding, and raw with a ":" in the client id', () => {
    expect(() => register({ clientSecretBasicEncoding: 'base64' as never })).toThrow(/clientSecretBasicEncoding must be "form" or "raw"/)
    expect(() => register({ clientId: 'a:b', clientSecretBasicEncoding: 'raw' })).toThrow(/"raw" cannot send a client id containing ":"/)
  })
})
