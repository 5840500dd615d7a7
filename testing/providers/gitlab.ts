/**
 * GitLab emulation (GitLab.com or a self-managed instance at `baseUrl`): discovery, ID tokens,
 * `/oauth/userinfo`, two-hour access tokens with refresh tokens, and the REST API's `GET /api/v4/user`.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default GitLab test user. @group Testing */
export const GITLAB_TEST_USER: EmulatedUser = {
  id: '1234567',
  username: 'jsmith',
  name: 'Jane Smith',
  email: 'jsmith@example.org',
  email_verified: true,
  groups: ['acme', 'acme/platform'],
}

/**
 * Emulate GitLab for the `gitlab` preset (default `https://gitlab.com`).
 * @group Testing
 */
export async function emulateGitLab(
  options: { baseUrl?: string; users?: EmulatedUser[] } = {},
): Promise<ProviderEmulation> {
  const base = (options.baseUrl ?? 'https://gitlab.com').replace(/\/+$/, '')
  const avatar = (user: EmulatedUser) =>
    `${base}/uploads/-/system/user/avatar/${user.id}/avatar.png`
  const claims = (user: EmulatedUser): Record<string, unknown> => ({
    sub: user.id,
    sub_legacy: `legacy-${user.id}`,
    name: user.name,
    nickname: user.username,
    preferred_username: user.username,
    email: user.email,
    email_verified: user.email_verified ?? false,
    website: '',
    profile: `${base}/${String(user.username)}`,
    picture: avatar(user),
    groups: user.groups ?? [],
  })
  return createEmulation(
    {
      name: 'gitlab',
      authorizeUrl: `${base}/oauth/authorize`,
      tokenUrl: `${base}/oauth/token`,
      issuer: base,
      jwksUri: `${base}/oauth/discovery/keys`,
      discoveryUrl: `${base}/.well-known/openid-configuration`,
      metadata: {
        userinfo_endpoint: `${base}/oauth/userinfo`,
        revocation_endpoint: `${base}/oauth/revoke`,
        introspection_endpoint: `${base}/oauth/introspect`,
        scopes_supported: [
          'api',
          'read_api',
          'read_user',
          'create_runner',
          'k8s_proxy',
          'read_repository',
          'write_repository',
          'sudo',
          'openid',
          'profile',
          'email',
        ],
        response_modes_supported: ['query', 'fragment', 'form_post'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
        subject_types_supported: ['public'],
      },
      idTokenClaims: (user) => {
        const {
          sub: _sub,
          picture: _picture,
          website: _website,
          profile: _profile,
          ...rest
        } = claims(user)
        return {
          ...rest,
          auth_time: Math.floor(Date.now() / 1000),
          sub_legacy: `legacy-${user.id}`,
        }
      },
      tokenResponse: async (ctx) => {
        const body: Record<string, unknown> = {
          access_token: ctx.accessToken,
          token_type: 'Bearer',
          expires_in: 7200,
          refresh_token: ctx.refreshToken,
          scope: ctx.scope,
          created_at: Math.floor(Date.now() / 1000),
        }
        if (ctx.scope.split(' ').includes('openid')) body.id_token = await ctx.idToken()
        return HttpResponse.json(body)
      },
      api: {
        [`${base}/oauth/userinfo`]: (user) => HttpResponse.json(claims(user)),
        [`${base}/api/v4/user`]: (user) =>
          HttpResponse.json({
            id: Number(user.id),
            username: user.username,
            name: user.name,
            state: 'active',
            avatar_url: avatar(user),
            web_url: `${base}/${String(user.username)}`,
            email: user.email,
            public_email: '',
          }),
      },
    },
    options.users ?? [GITLAB_TEST_USER],
  )
}
