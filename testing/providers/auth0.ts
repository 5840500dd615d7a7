/**
 * Auth0 emulation: a tenant at `https://{domain}/` (issuer with its trailing slash), discovery, ID
 * tokens (with `org_id`/`org_name` for users of an organization), userinfo, and refresh tokens for
 * `offline_access`. The `audience` and `organization` of each authorization request are recorded.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Auth0 test user (a database connection user). @group Testing */
export const AUTH0_TEST_USER: EmulatedUser = {
  id: 'auth0|64f1c2a9b3e4d5f6a7b8c9d0',
  name: 'jdoe@example.com',
  nickname: 'jdoe',
  email: 'jdoe@example.com',
  email_verified: false,
  picture: 'https://s.gravatar.test/avatar/jdoe.png',
}

/** An Auth0 emulation, which also records what each authorization request asked for. @group Testing */
export interface Auth0Emulation extends ProviderEmulation {
  /** Per authorization request, in order: its `audience` and `organization` parameters. */
  readonly requests: Array<{ audience?: string; organization?: string }>
}

/**
 * Emulate an Auth0 tenant at `domain` (default `dev-abc123.us.auth0.com`) for the `auth0` preset. A
 * user's `org_id` and `org_name` go into their ID tokens.
 * @group Testing
 */
export async function emulateAuth0(
  options: { domain?: string; users?: EmulatedUser[] } = {},
): Promise<Auth0Emulation> {
  const base = `https://${options.domain ?? 'dev-abc123.us.auth0.com'}`
  const requests: Auth0Emulation['requests'] = []
  const claims = (user: EmulatedUser) => {
    const out: Record<string, unknown> = { sub: user.id, updated_at: '2026-10-30T12:00:00.000Z' }
    for (const key of [
      'nickname',
      'name',
      'picture',
      'email',
      'email_verified',
      'org_id',
      'org_name',
    ])
      if (user[key] !== undefined) out[key] = user[key]
    return out
  }
  const emulation = await createEmulation(
    {
      name: 'auth0',
      authorizeUrl: `${base}/authorize`,
      tokenUrl: `${base}/oauth/token`,
      issuer: `${base}/`,
      jwksUri: `${base}/.well-known/jwks.json`,
      discoveryUrl: `${base}/.well-known/openid-configuration`,
      metadata: {
        userinfo_endpoint: `${base}/userinfo`,
        revocation_endpoint: `${base}/oauth/revoke`,
        end_session_endpoint: `${base}/oidc/logout`,
        device_authorization_endpoint: `${base}/oauth/device/code`,
        scopes_supported: [
          'openid',
          'profile',
          'offline_access',
          'name',
          'given_name',
          'family_name',
          'nickname',
          'email',
          'email_verified',
          'picture',
          'created_at',
          'identities',
          'phone',
          'address',
        ],
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['public'],
        token_endpoint_auth_methods_supported: [
          'client_secret_basic',
          'client_secret_post',
          'private_key_jwt',
        ],
        code_challenge_methods_supported: ['S256', 'plain'],
      },
      idTokenClaims: (user) => {
        const { sub: _sub, ...rest } = claims(user)
        return rest
      },
      tokenResponse: async (ctx) => {
        const scopes = ctx.scope.split(' ')
        const body: Record<string, unknown> = {
          access_token: ctx.accessToken,
          scope: ctx.scope,
          expires_in: 86400,
          token_type: 'Bearer',
        }
        if (scopes.includes('openid')) body.id_token = await ctx.idToken()
        if (scopes.includes('offline_access')) body.refresh_token = ctx.refreshToken
        return HttpResponse.json(body)
      },
      api: { [`${base}/userinfo`]: (user) => HttpResponse.json(claims(user)) },
    },
    options.users ?? [AUTH0_TEST_USER],
  )
  return {
    ...emulation,
    requests,
    authorize(authorizationUrl, opts) {
      const query = new URL(authorizationUrl).searchParams
      requests.push({
        audience: query.get('audience') ?? undefined,
        organization: query.get('organization') ?? undefined,
      })
      return emulation.authorize(authorizationUrl, opts)
    },
  }
}
