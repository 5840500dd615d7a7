/**
 * Box emulation: single-use rotating refresh tokens, the client secret in the body, and `/2.0/users/me`.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Box test user. @group Testing */
export const BOX_TEST_USER: EmulatedUser = {
  id: '11446498',
  name: 'Aaron Levie',
  email: 'ceo@box.test',
  picture: 'https://www.box.test/api/avatar/large/11446498',
}

/** Emulate Box for the `box` preset. @group Testing */
export function emulateBox(options: { users?: EmulatedUser[] } = {}): Promise<ProviderEmulation> {
  return createEmulation(
    {
      name: 'box',
      authorizeUrl: 'https://account.box.com/api/oauth2/authorize',
      tokenUrl: 'https://api.box.com/oauth2/token',
      checkTokenRequest: (_request, params) =>
        params.get('client_secret')
          ? undefined
          : HttpResponse.json(
              { error: 'invalid_client', error_description: 'The client credentials are invalid' },
              { status: 400 },
            ),
      tokenResponse: (ctx) =>
        HttpResponse.json({
          access_token: ctx.accessToken,
          expires_in: 3600,
          restricted_to: [],
          refresh_token: ctx.refreshToken,
          token_type: 'bearer',
        }),
      api: {
        'https://api.box.com/2.0/users/me': (user) =>
          HttpResponse.json({
            type: 'user',
            id: user.id,
            name: user.name,
            login: user.email,
            avatar_url: user.picture,
            enterprise: null,
          }),
      },
    },
    options.users ?? [BOX_TEST_USER],
  )
}
