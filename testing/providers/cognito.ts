/**
 * Amazon Cognito emulation: discovery and JWKS at `cognito-idp.<region>.amazonaws.com/<pool>` naming the
 * pool domain's endpoints (and no `end_session_endpoint`), ID tokens with `cognito:username` and
 * `token_use`, a userInfo endpoint sending `email_verified` as a string, and `/logout` taking
 * `client_id` and `logout_uri`.
 *
 * @module
 */
import { http, HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Cognito test user. @group Testing */
export const COGNITO_TEST_USER: EmulatedUser = {
  id: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
  username: 'jdoe',
  name: 'Jane Doe',
  email: 'jane@cognito.test',
  email_verified: true,
}

/** Options of {@link emulateCognito}. @group Testing */
export interface CognitoEmulationOptions {
  users?: EmulatedUser[]
  /** Default `eu-west-1_AbCdEf123`. */
  userPoolId?: string
  /** Default `https://acme.auth.eu-west-1.amazoncognito.com`. */
  domain?: string
}

/** Emulate a Cognito user pool and its domain for the `cognito` preset. @group Testing */
export async function emulateCognito(
  options: CognitoEmulationOptions = {},
): Promise<ProviderEmulation> {
  const pool = options.userPoolId ?? 'eu-west-1_AbCdEf123'
  const region = pool.split('_')[0]!
  const domain = (options.domain ?? 'https://acme.auth.eu-west-1.amazoncognito.com').replace(
    /\/+$/,
    '',
  )
  const issuer = `https://cognito-idp.${region}.amazonaws.com/${pool}`
  const emulation = await createEmulation(
    {
      name: 'cognito',
      authorizeUrl: `${domain}/oauth2/authorize`,
      tokenUrl: `${domain}/oauth2/token`,
      issuer,
      jwksUri: `${issuer}/.well-known/jwks.json`,
      discoveryUrl: `${issuer}/.well-known/openid-configuration`,
      metadata: {
        userinfo_endpoint: `${domain}/oauth2/userInfo`,
        revocation_endpoint: `${domain}/oauth2/revoke`,
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
      },
      rotateRefreshTokens: false,
      idTokenClaims: (user) => ({
        'cognito:username': user.username,
        token_use: 'id',
        email: user.email,
        email_verified: user.email_verified ?? false,
      }),
      tokenResponse: async (ctx) =>
        HttpResponse.json({
          access_token: ctx.accessToken,
          id_token: await ctx.idToken({ auth_time: Math.floor(Date.now() / 1000) }),
          ...(ctx.grantType === 'authorization_code' && { refresh_token: ctx.refreshToken }),
          token_type: 'Bearer',
          expires_in: 3600,
        }),
      api: {
        [`${domain}/oauth2/userInfo`]: (user) =>
          HttpResponse.json({
            sub: user.id,
            username: user.username,
            name: user.name,
            email: user.email,
            // Strings, not booleans.
            email_verified: String(user.email_verified ?? false),
          }),
      },
    },
    options.users ?? [COGNITO_TEST_USER],
  )
  const logout = http.get(`${domain}/logout`, ({ request }) => {
    const q = new URL(request.url).searchParams
    if (!q.get('client_id') || !q.get('logout_uri'))
      return new HttpResponse('Required String parameter is not present', { status: 400 })
    return new HttpResponse(null, { status: 302, headers: { location: q.get('logout_uri')! } })
  })
  return { ...emulation, handlers: [...emulation.handlers, logout] }
}
