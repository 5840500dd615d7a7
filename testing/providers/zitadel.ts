/**
 * ZITADEL emulation: discovery, ID tokens and userinfo at an instance, the reserved claims its scopes
 * ask for (resource owner, project roles), and an end_session_endpoint.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default ZITADEL test user, of organization `2139873498572`. @group Testing */
export const ZITADEL_TEST_USER: EmulatedUser = {
  id: '2139874429865',
  org: '2139873498572',
  name: 'Road Runner',
  preferred_username: 'road.runner@acme.zitadel.test',
  email: 'road.runner@acme.test',
  email_verified: true,
  roles: ['admin'],
}

/** Emulate a ZITADEL instance (default https://acme.zitadel.test) for the `zitadel` preset. @group Testing */
export function emulateZitadel(
  options: { issuer?: string; users?: EmulatedUser[] } = {},
): Promise<ProviderEmulation> {
  const issuer = (options.issuer ?? 'https://acme.zitadel.test').replace(/\/+$/, '')
  const reserved = (user: EmulatedUser, scope: string): Record<string, unknown> => {
    const scopes = scope.split(' ')
    return {
      ...(scopes.includes('urn:zitadel:iam:user:resourceowner') && {
        'urn:zitadel:iam:user:resourceowner:id': user.org,
        'urn:zitadel:iam:user:resourceowner:name': 'ACME',
      }),
      ...(scopes.includes('urn:zitadel:iam:org:project:roles') && {
        'urn:zitadel:iam:org:project:roles': Object.fromEntries(
          ((user.roles as string[] | undefined) ?? []).map((r) => [
            r,
            { [String(user.org)]: 'acme.zitadel.test' },
          ]),
        ),
      }),
    }
  }
  const claims = (user: EmulatedUser) => ({
    sub: user.id,
    name: user.name,
    preferred_username: user.preferred_username,
    email: user.email,
    email_verified: user.email_verified ?? false,
  })
  return createEmulation(
    {
      name: 'zitadel',
      authorizeUrl: `${issuer}/oauth/v2/authorize`,
      tokenUrl: `${issuer}/oauth/v2/token`,
      issuer,
      jwksUri: `${issuer}/oauth/v2/keys`,
      discoveryUrl: `${issuer}/.well-known/openid-configuration`,
      metadata: {
        userinfo_endpoint: `${issuer}/oidc/v1/userinfo`,
        end_session_endpoint: `${issuer}/oidc/v1/end_session`,
        revocation_endpoint: `${issuer}/oauth/v2/revoke`,
        introspection_endpoint: `${issuer}/oauth/v2/introspect`,
      },
      tokenResponse: async (ctx) =>
        HttpResponse.json({
          access_token: ctx.accessToken,
          token_type: 'Bearer',
          expires_in: 43199,
          id_token: await ctx.idToken(reserved(ctx.user, ctx.scope)),
        }),
      api: {
        [`${issuer}/oidc/v1/userinfo`]: (user, _request, grant) =>
          HttpResponse.json({ ...claims(user), ...reserved(user, grant.scope) }),
      },
    },
    options.users ?? [ZITADEL_TEST_USER],
  )
}
