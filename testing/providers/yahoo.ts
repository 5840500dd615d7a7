/**
 * Yahoo emulation: discovery, ID tokens and userinfo at api.login.yahoo.com, and token responses with
 * `xoauth_yahoo_guid`.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

const BASE = 'https://api.login.yahoo.com'

/** The default Yahoo test user. @group Testing */
export const YAHOO_TEST_USER: EmulatedUser = {
  id: 'FSVIDUW3D7FSVIDUW3D72F2F',
  guid: 'QXJ5E2WGT6ETDXQ5VBFSLHZQKU',
  name: 'Jane Yahoo',
  email: 'jane@yahoo.test',
  email_verified: true,
  picture: 'https://s.yimg.test/ag/images/default_user_profile_pic_192sq.jpg',
}

/** Emulate Yahoo's OpenID provider for the `yahoo` preset. @group Testing */
export function emulateYahoo(options: { users?: EmulatedUser[] } = {}): Promise<ProviderEmulation> {
  return createEmulation(
    {
      name: 'yahoo',
      authorizeUrl: `${BASE}/oauth2/request_auth`,
      tokenUrl: `${BASE}/oauth2/get_token`,
      issuer: BASE,
      jwksUri: `${BASE}/openid/v1/certs`,
      discoveryUrl: `${BASE}/.well-known/openid-configuration`,
      metadata: { userinfo_endpoint: `${BASE}/openid/v1/userinfo` },
      idTokenClaims: (user) => ({ name: user.name, email: user.email }),
      tokenResponse: async (ctx) =>
        HttpResponse.json({
          access_token: ctx.accessToken,
          refresh_token: ctx.refreshToken,
          expires_in: 3600,
          token_type: 'bearer',
          xoauth_yahoo_guid: ctx.user.guid,
          ...(ctx.scope.split(' ').includes('openid') && { id_token: await ctx.idToken() }),
        }),
      api: {
        [`${BASE}/openid/v1/userinfo`]: (user) =>
          HttpResponse.json({
            sub: user.id,
            name: user.name,
            email: user.email,
            email_verified: user.email_verified ?? false,
            picture: user.picture,
          }),
      },
    },
    options.users ?? [YAHOO_TEST_USER],
  )
}
