/**
 * Atlassian emulation (3LO): an authorize endpoint refusing requests without
 * `audience=api.atlassian.com` or `prompt=consent`, a JSON token endpoint with rotating refresh tokens
 * (refused with HTTP 403 when unknown), `/me`, `accessible-resources` and a Jira API per cloud id.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

const API = 'https://api.atlassian.com'

/** The default Atlassian test user. @group Testing */
export const ATLASSIAN_TEST_USER: EmulatedUser = {
  id: '5b10ac8d82e05b22cc7d4ef5',
  name: 'Mia Krystof',
  nickname: 'mia',
  email: 'mia@atlassian.test',
  picture: 'https://avatar-management.atlassian.test/mia.png',
}

/** The default site every token reaches. @group Testing */
export const ATLASSIAN_TEST_SITE = {
  id: '1324a887-45db-1bf4-1e99-ef0ff456d421',
  url: 'https://acme.atlassian.net',
  name: 'acme',
  avatarUrl: 'https://site-admin-avatar-cdn.prod.public.atl-paas.test/avatars/240/rocket.png',
}

/** Emulate Atlassian's 3LO for the `atlassian` preset. @group Testing */
export function emulateAtlassian(
  options: { users?: EmulatedUser[] } = {},
): Promise<ProviderEmulation> {
  return createEmulation(
    {
      name: 'atlassian',
      authorizeUrl: 'https://auth.atlassian.com/authorize',
      tokenUrl: 'https://auth.atlassian.com/oauth/token',
      checkAuthorizeRequest: (params) =>
        params.get('audience') !== 'api.atlassian.com'
          ? { error: 'invalid_request', error_description: 'audience is required' }
          : params.get('prompt') !== 'consent'
            ? { error: 'invalid_request', error_description: 'prompt=consent is required' }
            : undefined,
      checkTokenRequest: (request) =>
        /json/i.test(request.headers.get('content-type') ?? '')
          ? undefined
          : HttpResponse.json(
              { error: 'invalid_request', error_description: 'JSON body expected' },
              { status: 400 },
            ),
      tokenError: (error, description) =>
        // An unknown refresh token is refused with 403.
        HttpResponse.json(
          { error, error_description: description },
          { status: error === 'invalid_grant' ? 403 : 400 },
        ),
      tokenResponse: (ctx) =>
        HttpResponse.json({
          access_token: ctx.accessToken,
          expires_in: 3600,
          token_type: 'Bearer',
          scope: ctx.scope,
          ...(ctx.scope.split(' ').includes('offline_access') && {
            refresh_token: ctx.refreshToken,
          }),
        }),
      api: {
        [`${API}/me`]: (user) =>
          HttpResponse.json({
            account_type: 'atlassian',
            account_id: user.id,
            email: user.email,
            name: user.name,
            picture: user.picture,
            account_status: 'active',
            nickname: user.nickname,
            zoneinfo: 'Australia/Sydney',
            locale: 'en-US',
            extended_profile: { job_title: 'Engineer' },
          }),
        [`${API}/oauth/token/accessible-resources`]: (_user, _request, grant) =>
          HttpResponse.json([{ ...ATLASSIAN_TEST_SITE, scopes: grant.scope.split(' ') }]),
        [`${API}/ex/jira/${ATLASSIAN_TEST_SITE.id}/rest/api/3/myself`]: (user) =>
          HttpResponse.json({ accountId: user.id, displayName: user.name, active: true }),
      },
    },
    options.users ?? [ATLASSIAN_TEST_USER],
  )
}
