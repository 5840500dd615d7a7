/**
 * Dropbox emulation: refresh tokens only with `token_access_type=offline` (and never rotated),
 * `account_id` in the token response, and `users/get_current_account` as an RPC endpoint: POST only,
 * no body (or `null`).
 *
 * @module
 */
import { http, HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Dropbox test user. @group Testing */
export const DROPBOX_TEST_USER: EmulatedUser = {
  id: 'dbid:AAH4f99T0taONIb-OurWxbNQ6ywGRopQngc',
  name: 'Franz Ferdinand',
  given_name: 'Franz',
  surname: 'Ferdinand',
  email: 'franz@dropbox.test',
  email_verified: true,
  picture:
    'https://dl-web.dropbox.test/account_photo/get/dbaphid%3AAAHWGmIXV3sUuOmBfTz0wPsiqHUpBWvv3ZA',
}

const ACCOUNT_URL = 'https://api.dropboxapi.com/2/users/get_current_account'

/**
 * Emulate Dropbox for the `dropbox` preset.
 * @group Testing
 */
export async function emulateDropbox(
  options: { users?: EmulatedUser[] } = {},
): Promise<ProviderEmulation> {
  const emulation = await createEmulation(
    {
      name: 'dropbox',
      authorizeUrl: 'https://www.dropbox.com/oauth2/authorize',
      tokenUrl: 'https://api.dropboxapi.com/oauth2/token',
      // Refresh tokens are long-lived and reused.
      rotateRefreshTokens: false,
      tokenResponse: (ctx) => {
        const offline =
          ctx.grantType === 'authorization_code' &&
          ctx.authorizeParams?.get('token_access_type') === 'offline'
        return HttpResponse.json({
          access_token: ctx.accessToken,
          expires_in: 14400,
          token_type: 'bearer',
          scope: ctx.scope,
          ...(offline && { refresh_token: ctx.refreshToken }),
          ...(ctx.grantType === 'authorization_code' && { account_id: ctx.user.id, uid: '12345' }),
        })
      },
      apiMethods: { [ACCOUNT_URL]: 'POST' },
      api: {
        [ACCOUNT_URL]: async (user, request) => {
          const body = await request.text()
          const type = request.headers.get('content-type') ?? ''
          if (body !== '' && body !== 'null')
            return new HttpResponse(
              'Error in call to API function "users/get_current_account": request body: this endpoint takes no arguments',
              { status: 400 },
            )
          if (body === '' && type.includes('json'))
            return new HttpResponse(
              'Error in call to API function "users/get_current_account": request body: could not decode input as JSON',
              { status: 400 },
            )
          const given = (user.given_name as string | undefined) ?? user.name ?? ''
          const surname = (user.surname as string | undefined) ?? ''
          return HttpResponse.json({
            account_id: user.id,
            name: {
              given_name: given,
              surname,
              familiar_name: given,
              display_name: user.name ?? given,
              abbreviated_name: given.slice(0, 1) + surname.slice(0, 1),
            },
            email: user.email,
            email_verified: user.email_verified ?? false,
            ...(user.picture && { profile_photo_url: user.picture }),
            disabled: false,
            country: 'US',
            locale: 'en',
            account_type: { '.tag': 'basic' },
          })
        },
      },
    },
    options.users ?? [DROPBOX_TEST_USER],
  )
  // Dropbox refuses GET on RPC endpoints.
  const refuseGet = http.get(ACCOUNT_URL, async ({ request }) => {
    emulation.calls.push({
      url: request.url,
      method: request.method,
      body: '',
      headers: new Headers(request.headers),
    })
    return new HttpResponse(
      'Error in call to API function "users/get_current_account": Your request has method GET, but this endpoint requires POST',
      { status: 400 },
    )
  })
  return { ...emulation, handlers: [...emulation.handlers, refuseGet] }
}
