/**
 * X (Twitter) OAuth 2.0 emulation: PKCE required at the authorization endpoint, HTTP Basic required
 * of confidential clients, refresh tokens only with `offline.access`, and `/2/users/me` wrapped in
 * `{ data }`, with `confirmed_email` only for `users.email`.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default X test user (has a confirmed email, shown only with `users.email`). @group Testing */
export const TWITTER_TEST_USER: EmulatedUser = {
  id: '1234567890123456789',
  name: 'Ada Tester',
  username: 'adatester',
  email: 'ada@x.test',
  picture: 'https://pbs.twimg.test/profile_images/1/ada_normal.jpg',
}

/** Options of {@link emulateTwitter}. @group Testing */
export interface TwitterEmulationOptions {
  users?: EmulatedUser[]
  /** A confidential client (HTTP Basic required at the token endpoint). Default true. */
  confidential?: boolean
}

/**
 * Emulate X's OAuth 2.0 and `/2/users/me` for the `twitter` preset.
 * @group Testing
 */
export function emulateTwitter(options: TwitterEmulationOptions = {}): Promise<ProviderEmulation> {
  const confidential = options.confidential ?? true
  return createEmulation(
    {
      name: 'x',
      authorizeUrl: 'https://x.com/i/oauth2/authorize',
      tokenUrl: 'https://api.x.com/2/oauth2/token',
      // PKCE is mandatory at X.
      checkAuthorizeRequest: (q) =>
        q.get('code_challenge') && ['S256', 'plain'].includes(q.get('code_challenge_method') ?? '')
          ? undefined
          : {
              error: 'invalid_request',
              error_description: 'Missing required parameter [code_challenge].',
            },
      checkTokenRequest: (request, params) => {
        const basic = /^Basic\s/i.test(request.headers.get('authorization') ?? '')
        if (confidential && !basic)
          return HttpResponse.json(
            {
              error: 'unauthorized_client',
              error_description: 'Missing valid authorization header',
            },
            { status: 401 },
          )
        if (!confidential && !params.get('client_id'))
          return HttpResponse.json(
            {
              error: 'invalid_request',
              error_description: 'Missing required parameter [client_id].',
            },
            { status: 400 },
          )
        return undefined
      },
      tokenResponse: (ctx) => {
        const offline = ctx.scope.split(' ').includes('offline.access')
        return HttpResponse.json({
          token_type: 'bearer',
          expires_in: 7200,
          access_token: ctx.accessToken,
          scope: ctx.scope,
          ...(offline && { refresh_token: ctx.refreshToken }),
        })
      },
      api: {
        'https://api.x.com/2/users/me': (user, request, grant) => {
          const fields = (new URL(request.url).searchParams.get('user.fields') ?? '').split(',')
          const scopes = grant.scope.split(' ')
          if (!scopes.includes('users.read') || !scopes.includes('tweet.read'))
            return HttpResponse.json(
              { title: 'Forbidden', status: 403, detail: 'Forbidden', type: 'about:blank' },
              { status: 403 },
            )
          const data: Record<string, unknown> = {
            id: user.id,
            name: user.name,
            username: user.username,
          }
          if (fields.includes('profile_image_url') && user.picture)
            data.profile_image_url = user.picture
          // confirmed_email is only returned to tokens with users.email.
          if (fields.includes('confirmed_email') && scopes.includes('users.email') && user.email)
            data.confirmed_email = user.email
          return HttpResponse.json({ data })
        },
      },
    },
    options.users ?? [TWITTER_TEST_USER],
  )
}
