/**
 * The bearer guard against a real issuer: oidc-provider (the dev provider) with resource indicators
 * (RFC 8707), issuing JWT access tokens (RFC 9068) for one API and opaque ones for another, to the
 * service client through the client credentials grant of a registered oauthkit app. JWT tokens are
 * checked against the keys found through its discovery; opaque ones through its introspection
 * endpoint, by the same registered app.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { BearerGuard, OAuth, type OAuth2Token } from '../../src/index.js'
import { startTestProvider, TEST_CLIENTS, type TestProvider } from '../support/oidc-provider.js'

const JWT_API = 'https://api.example/jwt'
const OPAQUE_API = 'https://api.example/opaque'
const SHORT_API = 'https://api.example/short'

let provider: TestProvider
let introspections = 0
let metadataAndKeys = 0

function registry() {
  const counting: typeof fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input))
    if (url.pathname.includes('introspect')) introspections++
    return fetch(input, init)
  }
  return new OAuth().register('idp', {
    serverMetadataUrl: provider.discoveryUrl,
    clientId: TEST_CLIENTS.service.client_id,
    clientSecret: TEST_CLIENTS.service.client_secret,
    scope: 'api:read',
    fetch: counting,
  })
}
let oauth: ReturnType<typeof registry>

beforeAll(async () => {
  provider = await startTestProvider({
    configuration: {
      // Each resource server's own lifetime (the dev provider's is one number for every token).
      ttl: {
        ClientCredentials: (_ctx, token) => token.resourceServer?.accessTokenTTL ?? 300,
      },
      features: {
        resourceIndicators: {
          enabled: true,
          defaultResource: () => JWT_API,
          useGrantedResource: () => true,
          getResourceServerInfo: (_ctx, resource) => ({
            scope: 'api:read api:write',
            audience: resource,
            accessTokenTTL: resource === SHORT_API ? 2 : 300,
            accessTokenFormat: resource === JWT_API ? 'jwt' : 'opaque',
            ...(resource === JWT_API ? { jwt: { sign: { alg: 'ES256' } } } : {}),
          }),
        },
      },
    },
  })
  oauth = registry()
})

afterAll(async () => {
  await provider?.close()
})

const token = (resource: string, scope = 'api:read'): Promise<OAuth2Token> =>
  oauth.create('idp').clientCredentials({ scope, params: { resource } })

const bearer = (value: string) =>
  new Request('https://api.example/notes', { headers: { authorization: `Bearer ${value}` } })

/** A fetch that counts what the guard asks the provider (metadata, JWKS). */
const countingFetch: typeof fetch = (input, init) => {
  metadataAndKeys++
  return fetch(input, init)
}

describe('JWT access tokens (RFC 9068) from oidc-provider', () => {
  it('are accepted for their API, with keys found through discovery once, and the claims typed', async () => {
    const guard = new BearerGuard<{ iss: string; client_id: string; scope: string }>({
      audience: JWT_API,
      issuers: [provider.issuer],
      fetch: countingFetch,
    })
    const { access_token } = await token(JWT_API)
    expect(access_token.split('.')).toHaveLength(3)
    const before = metadataAndKeys
    const result = await guard.authenticate(bearer(access_token), { scopes: ['api:read'] })
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.claims).toMatchObject({
      iss: provider.issuer,
      aud: JWT_API,
      client_id: TEST_CLIENTS.service.client_id,
      scope: 'api:read',
    })
    expect(metadataAndKeys - before).toBe(2) // discovery, then the JWKS
    await guard.verify((await token(JWT_API)).access_token)
    expect(metadataAndKeys - before).toBe(2) // both cached
  })

  it('are refused for another audience, and 403 without a scope the route needs', async () => {
    const { access_token } = await token(JWT_API)
    const other = new BearerGuard({ audience: OPAQUE_API, issuers: [provider.issuer] })
    const refused = await other.authenticate(bearer(access_token))
    expect(refused.ok || refused.response.status).toBe(401)
    expect(refused.ok || refused.response.headers.get('www-authenticate')).toContain(
      'error_description="the token is for another audience"',
    )
    const guard = new BearerGuard({ audience: JWT_API, issuers: [provider.issuer] })
    const scoped = await guard.authenticate(bearer(access_token), { scopes: ['api:write'] })
    expect(scoped.ok || scoped.response.status).toBe(403)
    expect(scoped.ok || scoped.response.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="insufficient_scope", error_description="the token lacks the scope api:write", scope="api:write"',
    )
    const both = await guard.authenticate(
      bearer((await token(JWT_API, 'api:read api:write')).access_token),
      {
        scopes: ['api:write'],
      },
    )
    expect(both.ok).toBe(true)
  })

  it('are refused from an issuer the guard does not trust, with no request to it', async () => {
    const before = metadataAndKeys
    const guard = new BearerGuard({
      audience: JWT_API,
      issuers: ['https://idp.example'],
      fetch: countingFetch,
    })
    await expect(guard.verify((await token(JWT_API)).access_token)).rejects.toMatchObject({
      code: 'invalid_token',
      message: 'bearer guard: the token is from an untrusted issuer',
    })
    expect(metadataAndKeys).toBe(before)
  })
})

describe('opaque access tokens, introspected at oidc-provider (RFC 7662)', () => {
  const guardFor = (audience: string, introspectionCacheSeconds?: number) =>
    new BearerGuard({
      audience,
      issuers: [{ issuer: provider.issuer, introspection: oauth.create('idp') }],
      ...(introspectionCacheSeconds === undefined ? {} : { introspectionCacheSeconds }),
    })

  it('are accepted for their API, and the answer is reused rather than asked again', async () => {
    const { access_token } = await token(OPAQUE_API)
    expect(access_token.split('.')).toHaveLength(1)
    const guard = guardFor(OPAQUE_API)
    const before = introspections
    const claims = await guard.verify(access_token, { scopes: ['api:read'] })
    expect(claims).toMatchObject({
      iss: provider.issuer,
      aud: OPAQUE_API,
      client_id: TEST_CLIENTS.service.client_id,
      scope: 'api:read',
    })
    expect(claims).not.toHaveProperty('active')
    await guard.verify(access_token)
    expect(introspections - before).toBe(1)
  })

  it('are refused for another audience, and when revoked (once the cache has let go)', async () => {
    const { access_token } = await token(OPAQUE_API)
    await expect(guardFor(JWT_API).verify(access_token)).rejects.toMatchObject({
      code: 'invalid_token',
      message: 'bearer guard: the token is for another audience',
    })
    const guard = guardFor(OPAQUE_API, 1)
    await guard.verify(access_token)
    await oauth.create('idp').revokeToken(access_token)
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const result = await guard.authenticate(bearer(access_token))
    expect(result.ok || result.response.headers.get('www-authenticate')).toBe(
      'Bearer realm="api", error="invalid_token", error_description="the token is not active"',
    )
  })

  it('are cached no longer than the token lives, however long the cache may keep answers', async () => {
    const { access_token } = await token(SHORT_API) // lives 2 s
    const guard = guardFor(SHORT_API, 600)
    const before = introspections
    await guard.verify(access_token)
    await guard.verify(access_token)
    expect(introspections - before).toBe(1)
    await new Promise((resolve) => setTimeout(resolve, 2100))
    await expect(guard.verify(access_token)).rejects.toMatchObject({ code: 'invalid_token' })
    expect(introspections - before).toBe(2) // asked again once the token's life was over
  })

  it('checks a JWT of an issuer that also introspects by its signature, without asking the introspection endpoint', async () => {
    const { access_token } = await token(JWT_API)
    const guard = guardFor(JWT_API)
    const before = introspections
    await expect(guard.verify(access_token)).resolves.toMatchObject({ aud: JWT_API })
    expect(introspections).toBe(before)
  })
})
