/**
 * Twitch emulation: client_id/client_secret in the token request body, `scope` as a JSON array in
 * token responses, and Helix `/users` that refuses calls without the app's `Client-Id` and wraps the
 * user in `{ data: [...] }`.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Twitch test user. @group Testing */
export const TWITCH_TEST_USER: EmulatedUser = {
  id: '141981764',
  login: 'twitchdev',
  name: 'TwitchDev',
  email: 'dev@twitch.test',
  picture: 'https://static-cdn.jtvnw.test/user-default-pictures/twitchdev-300x300.png',
}

/** Options of {@link emulateTwitch}. @group Testing */
export interface TwitchEmulationOptions {
  users?: EmulatedUser[]
  /** The client secret the token endpoint expects in the body. Default `tw-secret`. */
  clientSecret?: string
}

/**
 * Emulate Twitch (id.twitch.tv and Helix `/users`) for the `twitch` preset.
 * @group Testing
 */
export function emulateTwitch(options: TwitchEmulationOptions = {}): Promise<ProviderEmulation> {
  const secret = options.clientSecret ?? 'tw-secret'
  return createEmulation(
    {
      name: 'twitch',
      authorizeUrl: 'https://id.twitch.tv/oauth2/authorize',
      tokenUrl: 'https://id.twitch.tv/oauth2/token',
      checkTokenRequest: (_request, params) =>
        params.get('client_id') && params.get('client_secret') === secret
          ? undefined
          : HttpResponse.json({ status: 400, message: 'invalid client secret' }, { status: 400 }),
      // scope comes as an array.
      tokenResponse: (ctx) =>
        HttpResponse.json({
          access_token: ctx.accessToken,
          expires_in: 14124,
          refresh_token: ctx.refreshToken,
          scope: ctx.scope.split(' ').filter(Boolean),
          token_type: 'bearer',
        }),
      api: {
        'https://api.twitch.tv/helix/users': (user, request, grant) => {
          if (request.headers.get('client-id') !== grant.clientId) {
            return HttpResponse.json(
              {
                error: 'Unauthorized',
                status: 401,
                message: 'Client ID and OAuth token do not match',
              },
              { status: 401 },
            )
          }
          const withEmail = grant.scope.split(' ').includes('user:read:email')
          return HttpResponse.json({
            data: [
              {
                id: user.id,
                login: user.login,
                display_name: user.name ?? user.login,
                type: '',
                broadcaster_type: 'partner',
                description: '',
                profile_image_url: user.picture ?? '',
                offline_image_url: '',
                view_count: 0,
                ...(withEmail && user.email && { email: user.email }),
                created_at: '2016-12-14T20:32:28Z',
              },
            ],
          })
        },
      },
    },
    options.users ?? [TWITCH_TEST_USER],
  )
}
