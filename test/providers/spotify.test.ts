import { describe, expect, it } from 'vitest'
import { OAuth } from '../../src/index.js'
import { spotify, type SpotifyOptions } from '../../src/providers/spotify.js'
import { completeLogin, type EmulatedUser } from '../../testing/index.js'
import { emulateSpotify, SPOTIFY_TEST_USER } from '../../testing/providers/spotify.js'
import { SECRET, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup(options: Partial<SpotifyOptions> = {}, users?: EmulatedUser[]) {
  const emulation = await emulateSpotify({ users })
  server.use(...emulation.handlers)
  const oauth = new OAuth({ secret: SECRET }).register(
    'spotify',
    spotify({ clientId: 'sp-client', clientSecret: 'sp-secret', ...options }),
  )
  return { emulation, app: oauth.create('spotify') }
}

describe('spotify preset', () => {
  it('logs in through the emulation and reads the normalised profile', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(token).toMatchObject({
      token_type: 'bearer',
      scope: 'user-read-email user-read-private',
      refresh_token: expect.any(String),
    })
    expect(await app.profile(token)).toEqual({
      sub: SPOTIFY_TEST_USER.id,
      name: 'JM Wizzler',
      email: 'wizzler@spotify.test',
      email_verified: false,
      picture: 'https://i.scdn.test/image/wizzler-300',
      raw: expect.objectContaining({ product: 'premium', country: 'SE' }),
    })
    expect(
      emulation.calls.find((c) => c.url.endsWith('/api/token'))!.headers.get('authorization'),
    ).toMatch(/^Basic /)
  })

  it('quirk: the email is documented as unverified, so email_verified is false (never true)', async () => {
    const { emulation, app } = await setup({}, [
      { id: 'v', name: 'Verified Elsewhere', email: 'v@spotify.test', email_verified: true },
    ])
    expect(await app.profile(await completeLogin(app, emulation))).toMatchObject({
      email: 'v@spotify.test',
      email_verified: false,
    })
  })

  it('quirk: the widest image is the picture; no images, no picture; no display_name, no name', async () => {
    const { emulation, app } = await setup({}, [{ id: 'bare' }])
    const profile = await app.profile(await completeLogin(app, emulation))
    expect(profile).toEqual({
      sub: 'bare',
      raw: expect.objectContaining({ images: [], display_name: null }),
    })
  })

  it('quirk: a refresh without refresh_token keeps the old one, which still works next time', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    const first = await app.refreshToken(token)
    expect(first.refresh_token).toBe(token.refresh_token)
    // The same refresh token works again (another process, past oauthkit's 60 s refresh cache).
    const other = new OAuth({ secret: SECRET })
      .register('spotify', spotify({ clientId: 'sp-client', clientSecret: 'sp-secret' }))
      .create('spotify')
    const second = await other.refreshToken(first)
    expect(second.access_token).not.toBe(first.access_token)
    expect(second.refresh_token).toBe(token.refresh_token)
    expect((await app.profile(second)).sub).toBe(SPOTIFY_TEST_USER.id)
  })

  it('showDialog sets show_dialog', async () => {
    const { app } = await setup({ showDialog: true })
    const { url } = await app.createAuthorizationUrl('https://app.test/cb')
    expect(url.searchParams.get('show_dialog')).toBe('true')
  })
})
