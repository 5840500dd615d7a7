/**
 * Keycloak emulation: a realm at `${baseUrl}/realms/${realm}` with discovery (advertising RFC 9207
 * `iss` in authorization responses, which it then sends), ID tokens, userinfo and refresh tokens.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Keycloak test user. @group Testing */
export const KEYCLOAK_TEST_USER: EmulatedUser = {
  id: 'f3c1b2a0-8d7e-4c6b-9a5f-1e2d3c4b5a69',
  preferred_username: 'alice',
  name: 'Alice Liddell',
  given_name: 'Alice',
  family_name: 'Liddell',
  email: 'alice@example.org',
  email_verified: true,
}

/**
 * Emulate a Keycloak realm for the `keycloak` preset (default `https://sso.example.org`, realm `demo`).
 * @group Testing
 */
export async function emulateKeycloak(
  options: { baseUrl?: string; realm?: string; users?: EmulatedUser[] } = {},
): Promise<ProviderEmulation> {
  const issuer = `${(options.baseUrl ?? 'https://sso.example.org').replace(/\/+$/, '')}/realms/${encodeURIComponent(options.realm ?? 'demo')}`
  const oidc = `${issuer}/protocol/openid-connect`
  const claims = (user: EmulatedUser) => {
    const out: Record<string, unknown> = { sub: user.id }
    for (const key of [
      'email_verified',
      'name',
      'preferred_username',
      'given_name',
      'family_name',
      'email',
    ])
      if (user[key] !== undefined) out[key] = user[key]
    return out
  }
  return createEmulation(
    {
      name: 'keycloak',
      authorizeUrl: `${oidc}/auth`,
      tokenUrl: `${oidc}/token`,
      issuer,
      jwksUri: `${oidc}/certs`,
      discoveryUrl: `${issuer}/.well-known/openid-configuration`,
      metadata: {
        userinfo_endpoint: `${oidc}/userinfo`,
        end_session_endpoint: `${oidc}/logout`,
        revocation_endpoint: `${oidc}/revoke`,
        introspection_endpoint: `${oidc}/token/introspect`,
        device_authorization_endpoint: `${oidc}/auth/device`,
        authorization_response_iss_parameter_supported: true,
        response_modes_supported: [
          'query',
          'fragment',
          'form_post',
          'query.jwt',
          'fragment.jwt',
          'form_post.jwt',
          'jwt',
        ],
        code_challenge_methods_supported: ['plain', 'S256'],
        token_endpoint_auth_methods_supported: [
          'private_key_jwt',
          'client_secret_basic',
          'client_secret_post',
          'tls_client_auth',
          'client_secret_jwt',
        ],
      },
      idTokenClaims: (user) => ({
        ...claims(user),
        typ: 'ID',
        sid: 'c5b2b0a0-0000-4000-8000-000000000001',
        acr: '1',
      }),
      tokenResponse: async (ctx) => {
        const body: Record<string, unknown> = {
          access_token: ctx.accessToken,
          expires_in: 300,
          refresh_expires_in: 1800,
          refresh_token: ctx.refreshToken,
          token_type: 'Bearer',
          'not-before-policy': 0,
          session_state: 'c5b2b0a0-0000-4000-8000-000000000001',
          scope: ctx.scope,
        }
        if (ctx.scope.split(' ').includes('openid'))
          body.id_token = await ctx.idToken({ azp: ctx.clientId })
        return HttpResponse.json(body)
      },
      api: { [`${oidc}/userinfo`]: (user) => HttpResponse.json(claims(user)) },
    },
    options.users ?? [KEYCLOAK_TEST_USER],
  )
}
