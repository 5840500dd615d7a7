/**
 * Spotify emulation: HTTP Basic (or PKCE with client_id) at the token endpoint, refreshes that keep
 * the refresh token and omit it from the response, and `/v1/me` with an unverified email and images
 * in several sizes.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Spotify test user. @group Testing */
export const SPOTIFY_TEST_USER: EmulatedUser = {
  id: 'wizzler',
  name: 'JM Wizzler',
  email: 'wizzler@spotify.test',
  country: 'SE',
  product: 'premium',
}

/**
 * Emulate Spotify accounts and `/v1/me` for the `spotify` preset. A user's `picture` becomes two
 * images (300 and 64 px wide, smallest first); without it `images` is empty.
 * @group Testing
 */
export function emulateSpotify(
  options: { users?: EmulatedUser[] } = {},
): Promise<ProviderEmulation> {
  return createEmulation(
    {
      name: 'spotify',
      authorizeUrl: 'https://accounts.spotify.com/authorize',
      tokenUrl: 'https://accounts.spotify.com/api/token',
      // Spotify answers a refresh with the same refresh token still valid, and often without refresh_token.
      rotateRefreshTokens: false,
      tokenResponse: (ctx) =>
        HttpResponse.json({
          access_token: ctx.accessToken,
          token_type: 'Bearer',
          scope: ctx.scope,
          expires_in: 3600,
          ...(ctx.grantType === 'authorization_code' && { refresh_token: ctx.refreshToken }),
        }),
      api: {
        'https://api.spotify.com/v1/me': (user, _request, grant) => {
          const scopes = grant.scope.split(' ')
          const picture =
            (user.picture as string | undefined) ??
            (user.id === SPOTIFY_TEST_USER.id ? 'https://i.scdn.test/image/wizzler' : undefined)
          return HttpResponse.json({
            id: user.id,
            display_name: user.name ?? null,
            ...(scopes.includes('user-read-email') && user.email && { email: user.email }),
            ...(scopes.includes('user-read-private') && {
              country: user.country ?? 'US',
              product: user.product ?? 'free',
            }),
            images: picture
              ? [
                  { url: `${picture}-64`, height: 64, width: 64 },
                  { url: `${picture}-300`, height: 300, width: 300 },
                ]
              : [],
            uri: `spotify:user:${user.id}`,
          })
        },
      },
    },
    options.users ?? [SPOTIFY_TEST_USER],
  )
}
