/**
 * Strava emulation: comma-separated scopes (a space is refused), client credentials as parameters,
 * token responses with `expires_at` and a summary `athlete`, the granted scope echoed on the
 * callback, Strava-shaped errors, and `/api/v3/athlete` without email.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Strava test athlete. @group Testing */
export const STRAVA_TEST_USER: EmulatedUser = {
  id: '134815',
  firstname: 'Marianne',
  lastname: 'Teutenberg',
  username: 'marianne_t',
  picture: 'https://dgalywyr863hv.cloudfront.test/pictures/athletes/134815/large.jpg',
  city: 'San Francisco',
}

/** Options of {@link emulateStrava}. @group Testing */
export interface StravaEmulationOptions {
  users?: EmulatedUser[]
  /** The client secret the token endpoint expects in the body. Default `st-secret`. */
  clientSecret?: string
}

const fault = (resource: string, field: string, code = 'invalid', status = 400) =>
  HttpResponse.json(
    {
      message: status === 401 ? 'Authorization Error' : 'Bad Request',
      errors: [{ resource, field, code }],
    },
    { status },
  )

/**
 * Emulate Strava for the `strava` preset. A user without `picture` gets the relative placeholder.
 * @group Testing
 */
export function emulateStrava(options: StravaEmulationOptions = {}): Promise<ProviderEmulation> {
  const secret = options.clientSecret ?? 'st-secret'
  const athlete = (user: EmulatedUser) => ({
    id: Number(user.id),
    username: user.username ?? null,
    resource_state: 2,
    firstname: user.firstname ?? '',
    lastname: user.lastname ?? '',
    city: user.city ?? null,
    country: null,
    profile_medium:
      (user.picture as string | undefined)?.replace('large', 'medium') ??
      'avatar/athlete/medium.png',
    profile: user.picture ?? 'avatar/athlete/large.png',
  })
  return createEmulation(
    {
      name: 'strava',
      authorizeUrl: 'https://www.strava.com/oauth/authorize',
      tokenUrl: 'https://www.strava.com/oauth/token',
      // Scopes are comma-separated; a space-separated list is refused.
      checkAuthorizeRequest: (q) =>
        /\s/.test(q.get('scope') ?? '')
          ? { error: 'invalid_scope', error_description: 'Bad Request: Authorize scope invalid' }
          : undefined,
      // The accepted scopes come back on the callback (the user can untick some).
      callbackExtras: (_user, _first, q) => ({ scope: q.get('scope') ?? 'read' }),
      checkTokenRequest: (_request, params) =>
        params.get('client_secret') === secret
          ? undefined
          : fault('Application', 'client_secret', 'invalid', 401),
      tokenError: (error) =>
        error === 'invalid_grant'
          ? fault('AuthorizationCode', 'code')
          : fault('Application', 'client_id', 'invalid', 401),
      tokenResponse: (ctx) => {
        const now = Math.floor(Date.now() / 1000)
        return HttpResponse.json({
          token_type: 'Bearer',
          expires_at: now + 21600,
          expires_in: 21600,
          refresh_token: ctx.refreshToken,
          access_token: ctx.accessToken,
          ...(ctx.grantType === 'authorization_code' && { athlete: athlete(ctx.user) }),
        })
      },
      api: {
        'https://www.strava.com/api/v3/athlete': (user) =>
          HttpResponse.json({
            ...athlete(user),
            resource_state: 3,
            follower_count: 5,
            friend_count: 5,
            measurement_preference: 'feet',
          }),
      },
    },
    options.users ?? [STRAVA_TEST_USER],
  )
}
