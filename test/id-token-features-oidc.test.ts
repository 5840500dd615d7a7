/**
 * Signed userinfo, `parseIdToken` and an inline `jwks` against a real OpenID provider (oidc-provider on
 * 127.0.0.1): a client registered with `userinfo_signed_response_alg`, the provider's JWT userinfo
 * (`features.jwtUserinfo`), and ID tokens it issued.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth, type OAuth2AppConfig } from '../src/index.js'
import { SECRET, expectCode } from './support/helpers.js'
import { TEST_REDIRECT_URI, startTestProvider, type TestProvider } from './support/oidc-provider.js'

const SIGNED = {
  client_id: 'signed-userinfo-client',
  client_secret: 'signed-userinfo-secret-0123456789abcdef',
}
const PLAIN = { client_id: 'plain-client', client_secret: 'plain-client-secret-0123456789abcdef' }

let provider: TestProvider
beforeAll(async () => {
  const web = {
    redirect_uris: [TEST_REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code' as const],
    token_endpoint_auth_method: 'client_secret_basic' as const,
  }
  provider = await startTestProvider({
    clients: [
      { ...web, ...SIGNED, userinfo_signed_response_alg: 'RS256' },
      { ...web, ...PLAIN },
    ],
    configuration: { features: { jwtUserinfo: { enabled: true } } },
  })
})
afterAll(() => provider?.close())

/** Fetches made by the app, by URL, and the content type of each answer. */
function recordingFetch(seen: string[], types: string[] = []): typeof fetch {
  return async (input, init) => {
    seen.push(input instanceof Request ? input.url : String(input))
    const response = await globalThis.fetch(input, init)
    types.push(response.headers.get('content-type') ?? '')
    return response
  }
}

function app(
  client: { client_id: string; client_secret: string },
  extra: Partial<OAuth2AppConfig> = {},
) {
  return new OAuth({ secret: SECRET })
    .register('op', {
      serverMetadataUrl: provider.discoveryUrl,
      clientId: client.client_id,
      clientSecret: client.client_secret,
      scope: 'openid email profile',
      ...extra,
    })
    .create('op')
}

async function login(target: ReturnType<typeof app>) {
  const cookies = new MemoryCookieJar()
  const redirect = await target.authorizeRedirect({ cookies }, TEST_REDIRECT_URI)
  const location = new URL(redirect.headers.get('location')!)
  const { url } = await provider.authorize(location.href)
  const token = await target.authorizeAccessToken({ cookies, request: new Request(url) })
  return { token, nonce: location.searchParams.get('nonce')! }
}

describe('signed userinfo (oidc-provider, userinfo_signed_response_alg)', () => {
  it('asks for a JWT, verifies it with the provider JWKS and returns its claims', async () => {
    const seen: string[] = []
    const types: string[] = []
    const op = app(SIGNED, {
      userinfoSignedResponseAlg: 'RS256',
      fetch: recordingFetch(seen, types),
    })
    const { token } = await login(op)
    const info = await op.userinfo(token)
    expect(info).toMatchObject({ sub: 'alice', email: expect.any(String) })
    expect(types.at(-1)).toMatch(/^application\/jwt/)
    expect((await op.profile(token)).sub).toBe('alice')
  })

  it('a client registered for signed userinfo gets verified JWT claims even without the option', async () => {
    const op = app(SIGNED)
    const { token } = await login(op)
    await expect(op.userinfo(token)).resolves.toMatchObject({ sub: 'alice' })
  })

  it('asking for signed userinfo of a provider that answers JSON is refused', async () => {
    const op = app(PLAIN, { userinfoSignedResponseAlg: 'RS256' })
    const { token } = await login(op)
    await expect(op.userinfo(token)).rejects.toMatchObject({ name: 'OAuthKitError' })
  })
})

describe('parseIdToken (oidc-provider ID tokens)', () => {
  it('validates an ID token the provider issued, with its nonce', async () => {
    const op = app(PLAIN)
    const { token, nonce } = await login(op)
    const claims = await op.parseIdToken(token.id_token!, { nonce })
    expect(claims).toMatchObject({ sub: 'alice', aud: PLAIN.client_id, nonce })
    await expectCode(
      op.parseIdToken(token.id_token!, { nonce: 'another' }),
      ErrorCode.ID_TOKEN_INVALID,
    )
  })

  it("refuses another client's ID token from the same provider", async () => {
    const other = await login(app(SIGNED))
    await expectCode(
      app(PLAIN).parseIdToken(other.token.id_token!, { nonce: other.nonce }),
      ErrorCode.ID_TOKEN_INVALID,
    )
  })

  it('accepts it when that client is in trustedAudiences? no: trustedAudiences widens aud, never replaces this client', async () => {
    const other = await login(app(SIGNED))
    await expectCode(
      app(PLAIN, { trustedAudiences: [SIGNED.client_id] }).parseIdToken(other.token.id_token!, {
        nonce: other.nonce,
      }),
      ErrorCode.ID_TOKEN_INVALID,
    )
  })
})

describe('inline jwks (oidc-provider keys)', () => {
  it('logs in and validates ID tokens with the inline keys, never fetching jwks_uri', async () => {
    const metadata = (await (await fetch(provider.discoveryUrl)).json()) as { jwks_uri: string }
    const jwks = await (await fetch(metadata.jwks_uri)).json()
    const seen: string[] = []
    const op = app(PLAIN, { jwks, fetch: recordingFetch(seen) })
    const { token, nonce } = await login(op)
    expect(token.userinfo?.sub).toBe('alice')
    await expect(op.parseIdToken(token.id_token!, { nonce })).resolves.toHaveProperty(
      'sub',
      'alice',
    )
    expect(seen).not.toContain(metadata.jwks_uri)
    expect(seen.length).toBeGreaterThan(0)
  })
})
