/**
 * The JWKS cache (src/jwks.ts), what test/jwks.test.ts leaves unpinned: only an unknown `kid` is worth a
 * refetch, the request asks for a JWK Set, and its errors name the JWKS endpoint and the app.
 */
import * as jose from 'jose'
import { beforeEach, describe, expect, it } from 'vitest'
import { ErrorCode } from '../../src/index.js'
import { HttpClient } from '../../src/http/client.js'
import { JwksCache } from '../../src/oauth2/jwks.js'
import { expectCode } from '../support/helpers.js'

const JWKS_URI = 'https://idp.test/jwks'

let requests: Request[]
let answer: () => Response | Promise<Response>
function cache() {
  const http = new HttpClient({
    app: 'idp',
    fetch: async (input, init) => {
      requests.push(new Request(input, init))
      return answer()
    },
    timeout: 5_000,
    maxResponseSize: 1024 * 1024,
    hooks: {},
  })
  return new JwksCache('idp', JWKS_URI, http, 3_600_000)
}

beforeEach(() => {
  requests = []
})

describe('JwksCache', () => {
  it('asks for a JWK Set (Accept: application/json, application/jwk-set+json)', async () => {
    const { privateKey, publicKey } = await jose.generateKeyPair('ES256')
    answer = async () => Response.json({ keys: [{ ...(await jose.exportJWK(publicKey)), kid: 'k1', alg: 'ES256' }] })
    const jwt = await new jose.SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'ES256', kid: 'k1' }).sign(privateKey)
    await jose.jwtVerify(jwt, cache().resolve)
    expect(requests).toHaveLength(1)
    expect(requests[0]!.headers.get('accept')).toBe('application/json, application/jwk-set+json')
  })

  it('does not refetch for a key selection error other than an unknown kid (several keys match a token without kid)', async () => {
    const [a, b] = await Promise.all([jose.generateKeyPair('ES256'), jose.generateKeyPair('ES256')])
    const keys = [{ ...(await jose.exportJWK(a.publicKey)), alg: 'ES256' }, { ...(await jose.exportJWK(b.publicKey)), alg: 'ES256' }]
    answer = () => Response.json({ keys })
    const jwt = await new jose.SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'ES256' }).sign(a.privateKey)
    await expect(jose.jwtVerify(jwt, cache().resolve)).rejects.toBeInstanceOf(jose.errors.JWKSMultipleMatchingKeys)
    expect(requests).toHaveLength(1)
  })

  it('names the app and the JWKS endpoint in its errors', async () => {
    const jwt = 'eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ1In0.c2ln'
    answer = () => Response.json({ keys: 'none' })
    expect(await expectCode(jose.jwtVerify(jwt, cache().resolve), ErrorCode.METADATA_INVALID)).toMatchObject({ app: 'idp', message: 'idp: the JWKS has no keys array' })

    answer = () => new Response('<html>not json</html>', { headers: { 'content-type': 'text/html' } })
    const notJson = await expectCode(jose.jwtVerify(jwt, cache().resolve), ErrorCode.INVALID_RESPONSE)
    expect(notJson.message).toMatch(/^idp: the JWKS endpoint step failed: /)

    answer = () => {
      throw new TypeError('fetch failed')
    }
    const unreachable = await expectCode(jose.jwtVerify(jwt, cache().resolve), ErrorCode.NETWORK_ERROR)
    expect(unreachable.message).toBe('idp: the JWKS endpoint could not be reached (https://idp.test)')
  })
})
