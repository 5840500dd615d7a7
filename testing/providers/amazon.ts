/**
 * Login with Amazon emulation: per-region authorize and token hosts, the client secret in the body,
 * and `/user/profile` with `user_id`.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Amazon test customer. @group Testing */
export const AMAZON_TEST_USER: EmulatedUser = {
  id: 'amzn1.account.K2LI23KL2LK2',
  name: 'John Doe',
  email: 'johndoe@amazon.test',
  postal_code: '98101',
}

const HOSTS = {
  na: ['https://www.amazon.com/ap/oa', 'https://api.amazon.com'],
  eu: ['https://eu.account.amazon.com/ap/oa', 'https://api.amazon.co.uk'],
  fe: ['https://apac.account.amazon.com/ap/oa', 'https://api.amazon.co.jp'],
} as const

/** Emulate Login with Amazon in a region for the `amazon` preset. @group Testing */
export function emulateAmazon(
  options: { users?: EmulatedUser[]; region?: 'na' | 'eu' | 'fe' } = {},
): Promise<ProviderEmulation> {
  const [authorize, api] = HOSTS[options.region ?? 'na']
  return createEmulation(
    {
      name: 'amazon',
      authorizeUrl: authorize,
      tokenUrl: `${api}/auth/o2/token`,
      checkTokenRequest: (request, params) =>
        request.headers.has('authorization') || !params.get('client_secret')
          ? HttpResponse.json(
              { error: 'invalid_client', error_description: 'Client authentication failed' },
              { status: 401 },
            )
          : undefined,
      tokenResponse: (ctx) =>
        HttpResponse.json({
          access_token: ctx.accessToken,
          refresh_token: ctx.refreshToken,
          token_type: 'bearer',
          expires_in: 3600,
        }),
      api: {
        [`${api}/user/profile`]: (user) =>
          HttpResponse.json({
            user_id: user.id,
            name: user.name,
            email: user.email,
            postal_code: user.postal_code,
          }),
      },
    },
    options.users ?? [AMAZON_TEST_USER],
  )
}
