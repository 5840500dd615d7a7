/**
 * authentik emulation: an application's provider with its issuer ending in a slash, global authorize,
 * token and userinfo endpoints, a per-application end-session endpoint, `groups` in the claims and the
 * old default mapping's `email_verified: true` for every user.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default authentik test user. @group Testing */
export const AUTHENTIK_TEST_USER: EmulatedUser = {
  id: '2f5e5a0e3a0c4f8b8f3f0a6c3b0f6c1d7c1b9f0e8a2c4d6e8f0a1b2c3d4e5f60',
  name: 'akadmin',
  preferred_username: 'akadmin',
  email: 'admin@authentik.test',
  groups: ['authentik Admins'],
}

/** Emulate an authentik application (default https://auth.authentik.test, slug `portal`). @group Testing */
export function emulateAuthentik(
  options: { baseUrl?: string; slug?: string; users?: EmulatedUser[] } = {},
): Promise<ProviderEmulation> {
  const base = (options.baseUrl ?? 'https://auth.authentik.test').replace(/\/+$/, '')
  const issuer = `${base}/application/o/${options.slug ?? 'portal'}/`
  const claims = (user: EmulatedUser) => ({
    sub: user.id,
    name: user.name,
    preferred_username: user.preferred_username,
    nickname: user.preferred_username,
    email: user.email,
    // The old default email mapping: true whatever the address.
    email_verified: true,
    groups: user.groups ?? [],
  })
  return createEmulation(
    {
      name: 'authentik',
      authorizeUrl: `${base}/application/o/authorize/`,
      tokenUrl: `${base}/application/o/token/`,
      issuer,
      jwksUri: `${issuer}jwks/`,
      discoveryUrl: `${issuer}.well-known/openid-configuration`,
      metadata: {
        userinfo_endpoint: `${base}/application/o/userinfo/`,
        end_session_endpoint: `${issuer}end-session/`,
        revocation_endpoint: `${base}/application/o/revoke/`,
        introspection_endpoint: `${base}/application/o/introspect/`,
      },
      idTokenClaims: (user) => claims(user),
      tokenResponse: async (ctx) =>
        HttpResponse.json({
          access_token: ctx.accessToken,
          token_type: 'Bearer',
          scope: ctx.scope,
          expires_in: 300,
          id_token: await ctx.idToken(),
        }),
      api: { [`${base}/application/o/userinfo/`]: (user) => HttpResponse.json(claims(user)) },
    },
    options.users ?? [AUTHENTIK_TEST_USER],
  )
}
