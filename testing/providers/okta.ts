/**
 * Okta emulation: an org authorization server (`https://{domain}`, endpoints under `/oauth2/v1`) or a
 * custom one (`https://{domain}/oauth2/{id}`, endpoints under `/v1`), with discovery, ID tokens,
 * userinfo, and refresh tokens for `offline_access`.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Okta test user. @group Testing */
export const OKTA_TEST_USER: EmulatedUser = {
  id: '00uid4BxXw6I6TV4m0g3',
  name: 'Jane Doe',
  given_name: 'Jane',
  family_name: 'Doe',
  preferred_username: 'jane.doe@example.com',
  email: 'jane.doe@example.com',
  email_verified: true,
  locale: 'en_US',
  zoneinfo: 'America/Los_Angeles',
}

/**
 * Emulate Okta for the `okta` preset at `issuer` (default a custom authorization server,
 * `https://dev-123456.okta.com/oauth2/default`).
 * @group Testing
 */
export async function emulateOkta(
  options: { issuer?: string; users?: EmulatedUser[] } = {},
): Promise<ProviderEmulation> {
  const issuer = (options.issuer ?? 'https://dev-123456.okta.com/oauth2/default').replace(
    /\/+$/,
    '',
  )
  const v1 = new URL(issuer).pathname.startsWith('/oauth2/')
    ? `${issuer}/v1`
    : `${issuer}/oauth2/v1`
  const claims = (user: EmulatedUser) => {
    const out: Record<string, unknown> = { sub: user.id, updated_at: 1700000000 }
    for (const key of [
      'name',
      'given_name',
      'family_name',
      'preferred_username',
      'email',
      'email_verified',
      'locale',
      'zoneinfo',
    ])
      if (user[key] !== undefined) out[key] = user[key]
    return out
  }
  return createEmulation(
    {
      name: 'okta',
      authorizeUrl: `${v1}/authorize`,
      tokenUrl: `${v1}/token`,
      issuer,
      jwksUri: `${v1}/keys`,
      discoveryUrl: `${issuer}/.well-known/openid-configuration`,
      metadata: {
        userinfo_endpoint: `${v1}/userinfo`,
        revocation_endpoint: `${v1}/revoke`,
        introspection_endpoint: `${v1}/introspect`,
        end_session_endpoint: `${v1}/logout`,
        response_modes_supported: ['query', 'fragment', 'form_post', 'okta_post_message'],
        scopes_supported: [
          'openid',
          'profile',
          'email',
          'address',
          'phone',
          'offline_access',
          'groups',
        ],
        token_endpoint_auth_methods_supported: [
          'client_secret_basic',
          'client_secret_post',
          'client_secret_jwt',
          'private_key_jwt',
          'none',
        ],
        code_challenge_methods_supported: ['S256'],
      },
      idTokenClaims: (user) => ({
        name: user.name,
        preferred_username: user.preferred_username,
        email: user.email,
        email_verified: user.email_verified,
        ver: 1,
        idp: '00o1abcdEFGHijkl0h7',
        auth_time: Math.floor(Date.now() / 1000),
        amr: ['pwd'],
      }),
      tokenResponse: async (ctx) => {
        const scopes = ctx.scope.split(' ')
        const body: Record<string, unknown> = {
          token_type: 'Bearer',
          expires_in: 3600,
          access_token: ctx.accessToken,
          scope: ctx.scope,
        }
        if (scopes.includes('offline_access')) body.refresh_token = ctx.refreshToken
        if (scopes.includes('openid')) body.id_token = await ctx.idToken()
        return HttpResponse.json(body)
      },
      api: { [`${v1}/userinfo`]: (user) => HttpResponse.json(claims(user)) },
    },
    options.users ?? [OKTA_TEST_USER],
  )
}
