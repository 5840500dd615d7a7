/**
 * Dex emulation: an issuer with a path, an opaque `sub`, `federated_claims` in the ID token only (with
 * scope `federated:id`), groups, refresh tokens only with `offline_access`, `connector_id` honoured,
 * and no end_session_endpoint.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Dex test user (from the `ldap` connector). @group Testing */
export const DEX_TEST_USER: EmulatedUser = {
  id: 'CgVqYW5lZBIEbGRhcA',
  upstream: 'janed',
  connector: 'ldap',
  name: 'Jane Doe',
  preferred_username: 'janed',
  email: 'jane@dex.test',
  email_verified: true,
  groups: ['admins', 'developers'],
}

/** Emulate a Dex server (default issuer https://auth.dex.test/dex) for the `dex` preset. @group Testing */
export function emulateDex(
  options: { issuer?: string; users?: EmulatedUser[] } = {},
): Promise<ProviderEmulation> {
  const issuer = (options.issuer ?? 'https://auth.dex.test/dex').replace(/\/+$/, '')
  const claims = (user: EmulatedUser) => ({
    sub: user.id,
    name: user.name,
    preferred_username: user.preferred_username,
    email: user.email,
    email_verified: user.email_verified ?? false,
    groups: user.groups ?? [],
  })
  return createEmulation(
    {
      name: 'dex',
      authorizeUrl: `${issuer}/auth`,
      tokenUrl: `${issuer}/token`,
      issuer,
      jwksUri: `${issuer}/keys`,
      discoveryUrl: `${issuer}/.well-known/openid-configuration`,
      metadata: {
        userinfo_endpoint: `${issuer}/userinfo`,
        device_authorization_endpoint: `${issuer}/device/code`,
        scopes_supported: ['openid', 'email', 'groups', 'profile', 'offline_access'],
      },
      tokenResponse: async (ctx) => {
        const scopes = ctx.scope.split(' ')
        const connector = ctx.authorizeParams?.get('connector_id') ?? String(ctx.user.connector)
        return HttpResponse.json({
          access_token: ctx.accessToken,
          token_type: 'bearer',
          expires_in: 86399,
          ...(scopes.includes('offline_access') && { refresh_token: ctx.refreshToken }),
          id_token: await ctx.idToken({
            ...claims(ctx.user),
            ...(scopes.includes('federated:id') && {
              federated_claims: { connector_id: connector, user_id: ctx.user.upstream },
            }),
          }),
        })
      },
      api: { [`${issuer}/userinfo`]: (user) => HttpResponse.json(claims(user)) },
    },
    options.users ?? [DEX_TEST_USER],
  )
}
