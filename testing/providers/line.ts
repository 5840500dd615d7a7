/**
 * LINE emulation (LINE Login v2.1): ID tokens signed with HS256 keyed by the channel secret, the
 * token request's credentials in the body, `/v2/profile`, and `bot_prompt` answered with
 * `friendship_status_changed` on the callback.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default LINE test user. @group Testing */
export const LINE_TEST_USER: EmulatedUser = {
  id: 'U4af4980629a0c3f6a3f6b5c2e6ad2f0b',
  name: 'Taro Line',
  email: 'taro@line.test',
  picture: 'https://profile.line-scdn.test/0h-taro',
  statusMessage: 'Hello, LINE!',
}

/** Options of {@link emulateLine}. @group Testing */
export interface LineEmulationOptions {
  users?: EmulatedUser[]
  /** The channel secret the app uses: the HS256 key of the ID tokens. */
  channelSecret: string
}

/** Emulate LINE Login v2.1 for the `line` preset. @group Testing */
export function emulateLine(options: LineEmulationOptions): Promise<ProviderEmulation> {
  return createEmulation(
    {
      name: 'line',
      authorizeUrl: 'https://access.line.me/oauth2/v2.1/authorize',
      tokenUrl: 'https://api.line.me/oauth2/v2.1/token',
      issuer: 'https://access.line.me',
      idTokenSecret: options.channelSecret,
      idTokenClaims: (user) => ({
        name: user.name,
        picture: user.picture,
        amr: ['pwd'],
      }),
      // LINE takes the channel id and secret in the body only.
      checkTokenRequest: (request, params) =>
        request.headers.has('authorization') ||
        params.get('client_secret') !== options.channelSecret
          ? HttpResponse.json(
              { error: 'invalid_client', error_description: 'invalid client_secret' },
              { status: 400 },
            )
          : undefined,
      callbackExtras: (_user, _first, params) =>
        params.get('bot_prompt')
          ? { friendship_status_changed: 'true' }
          : ({} as Record<string, string>),
      tokenResponse: async (ctx) =>
        HttpResponse.json({
          access_token: ctx.accessToken,
          expires_in: 2592000,
          refresh_token: ctx.refreshToken,
          scope: ctx.scope,
          token_type: 'Bearer',
          ...(ctx.scope.split(' ').includes('openid') && {
            id_token: await ctx.idToken(
              ctx.scope.split(' ').includes('email') ? { email: ctx.user.email } : {},
            ),
          }),
        }),
      api: {
        'https://api.line.me/v2/profile': (user) =>
          HttpResponse.json({
            userId: user.id,
            displayName: user.name,
            pictureUrl: user.picture,
            statusMessage: user.statusMessage,
          }),
      },
    },
    options.users ?? [LINE_TEST_USER],
  )
}
