import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth } from '../../src/index.js'
import { strava, stravaScope, type StravaOptions } from '../../src/providers/strava.js'
import { completeLogin, type EmulatedUser } from '../../testing/index.js'
import { emulateStrava, STRAVA_TEST_USER } from '../../testing/providers/strava.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup(
  options: Partial<StravaOptions> = {},
  users?: EmulatedUser[],
  edit?: (config: ReturnType<typeof strava>) => void,
) {
  const emulation = await emulateStrava({ users })
  server.use(...emulation.handlers)
  const config = strava({ clientId: 'st-client', clientSecret: 'st-secret', ...options })
  edit?.(config)
  const oauth = new OAuth({ secret: SECRET }).register('strava', config)
  return { emulation, app: oauth.create('strava') }
}

describe('strava preset', () => {
  it('logs in through the emulation and reads the normalised profile (no email available)', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    const profile = await app.profile(token)
    expect(profile).toEqual({
      sub: '134815',
      name: 'Marianne Teutenberg',
      picture: STRAVA_TEST_USER.picture,
      raw: expect.objectContaining({ id: 134815, city: 'San Francisco' }),
    })
    expect(profile.email).toBeUndefined()
    expect(
      new URLSearchParams(emulation.calls.find((c) => c.url.endsWith('/oauth/token'))!.body).get(
        'client_secret',
      ),
    ).toBe('st-secret')
  })

  it("quirk: the token keeps Strava's athlete summary and expires_at", async () => {
    const { emulation, app } = await setup()
    const before = Math.floor(Date.now() / 1000)
    const token = await completeLogin(app, emulation)
    expect(token).toMatchObject({
      token_type: 'bearer',
      athlete: expect.objectContaining({ id: 134815, firstname: 'Marianne' }),
    })
    // oauthkit recomputes expires_at from expires_in on the local clock: the same instant as Strava's.
    expect(token.expires_at).toBeGreaterThanOrEqual(before + 21600)
    expect(token.expires_at).toBeLessThanOrEqual(before + 21600 + 5)
    const fresh = await app.refreshToken(token)
    expect(fresh.refresh_token).not.toBe(token.refresh_token)
  })

  it('quirk: scopes are sent comma-separated, whatever form they were given in', async () => {
    expect(stravaScope(['read', 'activity:read_all'])).toBe('read,activity:read_all')
    expect(stravaScope('read activity:read')).toBe('read,activity:read')
    const { emulation, app } = await setup({ scope: ['read', 'activity:read'] })
    const { url } = await app.createAuthorizationUrl('https://app.test/cb')
    expect(url.searchParams.get('scope')).toBe('read,activity:read')
    await completeLogin(app, emulation)

    // Without the conversion, a space-separated list is refused by Strava.
    const raw = await setup({}, undefined, (config) => void (config.scope = 'read activity:read'))
    const err = await expectCode(
      completeLogin(raw.app, raw.emulation),
      ErrorCode.AUTHORIZATION_ERROR,
    )
    expect(err.error).toBe('invalid_scope')
  })

  it('quirk: the granted scope comes back on the callback, returned by completeAuthorization', async () => {
    const { emulation, app } = await setup({ scope: ['read', 'activity:read'] })
    const cookies = new MemoryCookieJar()
    const redirect = await app.authorizeRedirect({ cookies }, 'https://app.test/cb')
    const request = await emulation.authorize(redirect.headers.get('location')!)
    const { token, params } = await app.completeAuthorization({ cookies, request })
    expect(token.access_token).toBeTruthy()
    expect(params.scope).toBe('read,activity:read')
    expect(params.code).toBeUndefined()
  })

  it('approval_prompt defaults to auto; force is an option', async () => {
    const auto = await setup()
    expect(
      (await auto.app.createAuthorizationUrl('https://app.test/cb')).url.searchParams.get(
        'approval_prompt',
      ),
    ).toBe('auto')
    const force = await setup({ approvalPrompt: 'force' })
    expect(
      (await force.app.createAuthorizationUrl('https://app.test/cb')).url.searchParams.get(
        'approval_prompt',
      ),
    ).toBe('force')
  })

  it('quirk: Strava-shaped errors become token_error (invalid_grant / invalid_client); unreadable without the hook', async () => {
    const { emulation, app } = await setup()
    const cookies = new MemoryCookieJar()
    const res = await app.authorizeRedirect({ cookies }, 'https://app.test/cb')
    const callback = new URL((await emulation.authorize(res.headers.get('location')!)).url)
    callback.searchParams.set('code', 'bogus')
    const err = await expectCode(
      app.authorizeAccessToken({ cookies, request: new Request(callback) }),
      ErrorCode.TOKEN_ERROR,
    )
    expect(err).toMatchObject({
      error: 'invalid_grant',
      errorDescription: 'Bad Request: AuthorizationCode code invalid',
    })

    const wrong = await setup({ clientSecret: 'nope' })
    expect(
      await expectCode(completeLogin(wrong.app, wrong.emulation), ErrorCode.TOKEN_ERROR),
    ).toMatchObject({ error: 'invalid_client', status: 401 })

    const raw = await setup(
      { clientSecret: 'nope' },
      undefined,
      (config) => void (config.hooks = { ...config.hooks, accessTokenResponse: [] }),
    )
    await expectCode(completeLogin(raw.app, raw.emulation), ErrorCode.HTTP_ERROR)
  })

  it('quirk: the placeholder avatar (a relative path) is no picture', async () => {
    const { emulation, app } = await setup({}, [{ id: '7', firstname: 'No', lastname: 'Photo' }])
    const profile = await app.profile(await completeLogin(app, emulation))
    expect(profile).toEqual({
      sub: '7',
      name: 'No Photo',
      raw: expect.objectContaining({ profile: 'avatar/athlete/large.png' }),
    })
  })
})
