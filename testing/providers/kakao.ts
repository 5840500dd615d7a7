/**
 * Kakao emulation: discovery and RS256 ID tokens at kauth.kakao.com (with the login's nonce), the
 * client secret in the token request's body, token errors with Kakao's `error_code`, and the API at
 * kapi.kakao.com answering a bad token with `{ code: -401, msg }` and no challenge.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

const KAUTH = 'https://kauth.kakao.com'
const KAPI = 'https://kapi.kakao.com'

/** The default Kakao test user (its id is a number on the wire). @group Testing */
export const KAKAO_TEST_USER: EmulatedUser = {
  id: '2912345678',
  name: '라이언',
  email: 'ryan@kakao.test',
  email_verified: true,
  email_valid: true,
  picture: 'https://k.kakaocdn.test/dn/ryan.jpg',
}

/** Emulate Kakao Login for the `kakao` preset. @group Testing */
export function emulateKakao(
  options: { users?: EmulatedUser[]; clientSecret?: string } = {},
): Promise<ProviderEmulation> {
  const kakaoError = (error: string, description: string, code: string) =>
    HttpResponse.json({ error, error_description: description, error_code: code }, { status: 400 })
  return createEmulation(
    {
      name: 'kakao',
      authorizeUrl: `${KAUTH}/oauth/authorize`,
      tokenUrl: `${KAUTH}/oauth/token`,
      issuer: KAUTH,
      jwksUri: `${KAUTH}/.well-known/jwks.json`,
      discoveryUrl: `${KAUTH}/.well-known/openid-configuration`,
      metadata: {
        userinfo_endpoint: `${KAPI}/v1/oidc/userinfo`,
        token_endpoint_auth_methods_supported: ['client_secret_post'],
        code_challenge_methods_supported: ['S256'],
      },
      idTokenClaims: (user) => ({ nickname: user.name, picture: user.picture, email: user.email }),
      checkTokenRequest: (request, params) =>
        request.headers.has('authorization') ||
        (options.clientSecret !== undefined && params.get('client_secret') !== options.clientSecret)
          ? kakaoError('invalid_client', 'Bad client credentials', 'KOE010')
          : undefined,
      tokenError: (error, description) => kakaoError(error, description, 'KOE320'),
      tokenResponse: async (ctx) =>
        HttpResponse.json({
          token_type: 'bearer',
          access_token: ctx.accessToken,
          expires_in: 21599,
          refresh_token: ctx.refreshToken,
          refresh_token_expires_in: 5183999,
          scope: ctx.scope,
          ...(ctx.scope.split(' ').includes('openid') && { id_token: await ctx.idToken() }),
        }),
      // Kakao's API refuses a bad token with { code: -401, msg } and no WWW-Authenticate.
      apiUnauthorized: () =>
        HttpResponse.json({ msg: 'this access token does not exist', code: -401 }, { status: 401 }),
      api: {
        [`${KAPI}/v2/user/me`]: (user) =>
          HttpResponse.json({
            id: Number(user.id),
            connected_at: '2026-11-01T00:00:00Z',
            properties: { nickname: user.name, profile_image: user.picture },
            kakao_account: {
              profile_needs_agreement: false,
              profile: {
                nickname: user.name,
                profile_image_url: user.picture,
                thumbnail_image_url: user.picture,
                is_default_image: false,
              },
              ...(user.email === undefined
                ? { email_needs_agreement: true }
                : {
                    email_needs_agreement: false,
                    is_email_valid: user.email_valid ?? true,
                    is_email_verified: user.email_verified ?? false,
                    email: user.email,
                  }),
            },
          }),
        [`${KAPI}/v1/oidc/userinfo`]: (user) =>
          HttpResponse.json({ sub: user.id, nickname: user.name, email: user.email }),
      },
    },
    options.users ?? [KAKAO_TEST_USER],
  )
}
