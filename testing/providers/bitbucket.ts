/**
 * Bitbucket Cloud emulation: HTTP Basic at the token endpoint, token responses naming the scopes
 * `scopes`, `/2.0/user` without any email, and a paginated `/2.0/user/emails`.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Bitbucket test user: one confirmed primary address. @group Testing */
export const BITBUCKET_TEST_USER: EmulatedUser = {
  id: '{d301aafa-d676-4ee0-88be-962be7417567}',
  account_id: '557058:c0b72ad0-1cb5-4018-9cdc-0cde8492c443',
  name: 'Bit Bucketeer',
  nickname: 'bitbucketeer',
  email: 'bucketeer@bitbucket.test',
  email_verified: true,
}

/**
 * Emulate Bitbucket Cloud for the `bitbucket` preset. A user's `emails` (optional: `BitbucketEmail`
 * objects) replaces the single address made from `email`/`email_verified`; `emailsPageLength` (default
 * 10) paginates them.
 * @group Testing
 */
export function emulateBitbucket(
  options: { users?: EmulatedUser[]; emailsPageLength?: number } = {},
): Promise<ProviderEmulation> {
  const pagelen = options.emailsPageLength ?? 10
  return createEmulation(
    {
      name: 'bitbucket',
      authorizeUrl: 'https://bitbucket.org/site/oauth2/authorize',
      tokenUrl: 'https://bitbucket.org/site/oauth2/access_token',
      checkTokenRequest: (request) =>
        /^Basic\s/i.test(request.headers.get('authorization') ?? '')
          ? undefined
          : HttpResponse.json(
              {
                error: 'invalid_client',
                error_description:
                  'Client credentials missing; this request needs to be authenticated with the OAuth client id and secret',
              },
              { status: 401 },
            ),
      // `scopes`, not `scope`.
      tokenResponse: (ctx) =>
        HttpResponse.json({
          access_token: ctx.accessToken,
          scopes: ctx.scope,
          expires_in: 7200,
          refresh_token: ctx.refreshToken,
          token_type: 'bearer',
          state: ctx.grantType,
        }),
      api: {
        'https://api.bitbucket.org/2.0/user': (user) =>
          HttpResponse.json({
            type: 'user',
            uuid: user.id,
            account_id: user.account_id,
            display_name: user.name,
            nickname: user.nickname,
            links: {
              avatar: {
                href: `https://avatar-management.bitbucket.test/${encodeURIComponent(String(user.account_id))}/128`,
              },
              html: { href: `https://bitbucket.org/${encodeURIComponent(user.id)}/` },
            },
          }),
        'https://api.bitbucket.org/2.0/user/emails': (user, request, grant) => {
          if (!grant.scope.split(' ').includes('email'))
            return HttpResponse.json(
              { type: 'error', error: { message: 'Access denied. You must have the email scope' } },
              { status: 403 },
            )
          const all =
            (user.emails as unknown[] | undefined) ??
            (user.email
              ? [
                  {
                    email: user.email,
                    is_primary: true,
                    is_confirmed: user.email_verified ?? false,
                    type: 'email',
                  },
                ]
              : [])
          const page = Number(new URL(request.url).searchParams.get('page') ?? '1')
          const values = all.slice((page - 1) * pagelen, page * pagelen)
          const next =
            page * pagelen < all.length
              ? `https://api.bitbucket.org/2.0/user/emails?page=${page + 1}`
              : undefined
          return HttpResponse.json({
            pagelen,
            size: all.length,
            page,
            values,
            ...(next && { next }),
          })
        },
      },
    },
    options.users ?? [BITBUCKET_TEST_USER],
  )
}
