/**
 * Zoom emulation: HTTP Basic required at the token endpoint, errors with `reason`, rotating refresh
 * tokens, `api_url` in token responses, and `/v2/users/me` with a numeric `verified`.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Zoom test user. @group Testing */
export const ZOOM_TEST_USER: EmulatedUser = {
  id: 'KDcuGIm1QgePTO8WbOqwIQ',
  first_name: 'Jill',
  last_name: 'Chill',
  name: 'Jill Chill',
  email: 'jchill@zoom.test',
  email_verified: true,
  picture: 'https://lh4.googleusercontent.test/photo.jpg',
  account_id: 'q6gBJVO5TzexKYTb_I2rpg',
}

/**
 * Emulate Zoom for the `zoom` preset.
 * @group Testing
 */
export function emulateZoom(options: { users?: EmulatedUser[] } = {}): Promise<ProviderEmulation> {
  return createEmulation(
    {
      name: 'zoom',
      authorizeUrl: 'https://zoom.us/oauth/authorize',
      tokenUrl: 'https://zoom.us/oauth/token',
      checkTokenRequest: (request) =>
        /^Basic\s/i.test(request.headers.get('authorization') ?? '')
          ? undefined
          : HttpResponse.json(
              { reason: 'Invalid client_id or client_secret', error: 'invalid_client' },
              { status: 401 },
            ),
      // `reason`, not error_description.
      tokenError: (error) =>
        HttpResponse.json(
          {
            reason: error === 'invalid_grant' ? 'Invalid authorization code' : 'Invalid request',
            error: error === 'invalid_grant' ? 'invalid_request' : error,
          },
          { status: 400 },
        ),
      tokenResponse: (ctx) =>
        HttpResponse.json({
          access_token: ctx.accessToken,
          token_type: 'bearer',
          refresh_token: ctx.refreshToken,
          expires_in: 3599,
          scope: ctx.scope || 'user:read:user',
          api_url: 'https://api.zoom.us',
        }),
      api: {
        'https://api.zoom.us/v2/users/me': (user) =>
          HttpResponse.json({
            id: user.id,
            first_name: user.first_name ?? '',
            last_name: user.last_name ?? '',
            display_name: user.name ?? '',
            email: user.email,
            type: 1,
            verified: user.email_verified ? 1 : 0,
            pic_url: user.picture ?? '',
            account_id: user.account_id ?? 'acct',
            status: 'active',
          }),
      },
    },
    options.users ?? [ZOOM_TEST_USER],
  )
}
