import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth } from '../../src/index.js'
import { zoom, type ZoomOptions } from '../../src/providers/zoom.js'
import { completeLogin, type EmulatedUser } from '../../testing/index.js'
import { emulateZoom, ZOOM_TEST_USER } from '../../testing/providers/zoom.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup(
  options: Partial<ZoomOptions> = {},
  users?: EmulatedUser[],
  edit?: (config: ReturnType<typeof zoom>) => void,
) {
  const emulation = await emulateZoom({ users })
  server.use(...emulation.handlers)
  const config = zoom({ clientId: 'zm-client', clientSecret: 'zm-secret', ...options })
  edit?.(config)
  const oauth = new OAuth({ secret: SECRET }).register('zoom', config)
  return { emulation, app: oauth.create('zoom') }
}

async function staleCode(
  app: Awaited<ReturnType<typeof setup>>['app'],
  emulation: Awaited<ReturnType<typeof setup>>['emulation'],
) {
  const cookies = new MemoryCookieJar()
  const res = await app.authorizeRedirect({ cookies }, 'https://app.test/cb')
  const callback = new URL((await emulation.authorize(res.headers.get('location')!)).url)
  callback.searchParams.set('code', 'stale')
  return app.authorizeAccessToken({ cookies, request: new Request(callback) })
}

describe('zoom preset', () => {
  it('logs in through the emulation and reads the normalised profile', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(token).toMatchObject({ token_type: 'bearer', api_url: 'https://api.zoom.us' })
    expect(await app.profile(token)).toEqual({
      sub: ZOOM_TEST_USER.id,
      name: 'Jill Chill',
      email: 'jchill@zoom.test',
      email_verified: true,
      picture: ZOOM_TEST_USER.picture,
      raw: expect.objectContaining({ verified: 1, account_id: ZOOM_TEST_USER.account_id }),
    })
    // No scope parameter: Zoom takes the scopes configured on the app.
    expect(
      (await app.createAuthorizationUrl('https://app.test/cb')).url.searchParams.has('scope'),
    ).toBe(false)
  })

  it('quirk: the token endpoint takes HTTP Basic; client_secret_post is refused', async () => {
    const { emulation, app } = await setup()
    await completeLogin(app, emulation)
    expect(
      emulation.calls.find((c) => c.url.endsWith('/oauth/token'))!.headers.get('authorization'),
    ).toMatch(/^Basic /)
    const post = await setup({ tokenEndpointAuthMethod: 'client_secret_post' })
    expect(
      await expectCode(completeLogin(post.app, post.emulation), ErrorCode.TOKEN_ERROR),
    ).toMatchObject({
      error: 'invalid_client',
      errorDescription: 'Invalid client_id or client_secret',
    })
  })

  it('quirk: `reason` becomes error_description (without the hook the description is lost)', async () => {
    const { emulation, app } = await setup()
    expect(await expectCode(staleCode(app, emulation), ErrorCode.TOKEN_ERROR)).toMatchObject({
      error: 'invalid_request',
      errorDescription: 'Invalid authorization code',
    })
    const raw = await setup(
      {},
      undefined,
      (config) => void (config.hooks = { ...config.hooks, accessTokenResponse: [] }),
    )
    expect(
      (await expectCode(staleCode(raw.app, raw.emulation), ErrorCode.TOKEN_ERROR)).errorDescription,
    ).toBeUndefined()
  })

  it('quirk: verified is a number (0 → email_verified false); refresh tokens rotate', async () => {
    const { emulation, app } = await setup({}, [
      {
        id: 'u0',
        first_name: 'Un',
        last_name: 'Verified',
        email: 'uv@zoom.test',
        email_verified: false,
      },
    ])
    const token = await completeLogin(app, emulation)
    expect(await app.profile(token)).toMatchObject({
      name: 'Un Verified',
      email: 'uv@zoom.test',
      email_verified: false,
    })
    const fresh = await app.refreshToken(token)
    expect(fresh.refresh_token).not.toBe(token.refresh_token)
  })
})
