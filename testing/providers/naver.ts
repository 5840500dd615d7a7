/**
 * Naver emulation: the token endpoint answering errors with HTTP 200 and `expires_in` as a string, the
 * client secret in the body, and `/v1/nid/me` wrapping the member in `{ resultcode, message, response }`
 * and refusing a bad token with `{ resultcode: "024" }` and no challenge.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Naver test member. @group Testing */
export const NAVER_TEST_USER: EmulatedUser = {
  id: '32742776',
  name: '홍길동',
  nickname: 'gildong',
  email: 'gildong@naver.test',
  picture: 'https://ssl.pstatic.test/static/pwe/address/img_profile.png',
}

/** Emulate Naver Login for the `naver` preset. @group Testing */
export function emulateNaver(
  options: { users?: EmulatedUser[]; clientSecret?: string } = {},
): Promise<ProviderEmulation> {
  // Errors with HTTP 200.
  const naverError = (error: string, description: string) =>
    HttpResponse.json({ error, error_description: description })
  return createEmulation(
    {
      name: 'naver',
      authorizeUrl: 'https://nid.naver.com/oauth2.0/authorize',
      tokenUrl: 'https://nid.naver.com/oauth2.0/token',
      checkTokenRequest: (_request, params) =>
        params.get('client_secret') !== (options.clientSecret ?? 'naver-secret')
          ? naverError('invalid_client', 'client authentication failed')
          : undefined,
      tokenError: (error, description) => naverError(error, description),
      tokenResponse: (ctx) =>
        HttpResponse.json({
          access_token: ctx.accessToken,
          // Only the code grant gets a refresh token.
          ...(ctx.grantType === 'authorization_code' && { refresh_token: ctx.refreshToken }),
          token_type: 'bearer',
          expires_in: '3600',
        }),
      rotateRefreshTokens: false,
      apiUnauthorized: () =>
        HttpResponse.json(
          { resultcode: '024', message: 'Authentication failed (인증 실패하였습니다.)' },
          { status: 401 },
        ),
      api: {
        'https://openapi.naver.com/v1/nid/me': (user) =>
          HttpResponse.json({
            resultcode: '00',
            message: 'success',
            response: {
              id: user.id,
              nickname: user.nickname,
              name: user.name,
              email: user.email,
              profile_image: user.picture,
              gender: 'M',
            },
          }),
      },
    },
    options.users ?? [NAVER_TEST_USER],
  )
}
