import { describe, expect, it } from 'vitest'
import { ErrorCode, OAuth } from '../../src/index.js'
import { twitter, type TwitterOptions } from '../../src/providers/twitter.js'
import { completeLogin } from '../../testing/index.js'
import {
  emulateTwitter,
  TWITTER_TEST_USER,
  type TwitterEmulationOptions,
} from '../../testing/providers/twitter.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup(
  options: Partial<TwitterOptions> = {},
  emulated: TwitterEmulationOptions = {},
  edit?: (config: ReturnType<typeof twitter>) => void,
) {
  const emulation = await emulateTwitter(emulated)
  server.use(...emulation.handlers)
  const config = twitter({ clientId: 'x-client', clientSecret: 'x-secret', ...options })
  edit?.(config)
  const oauth = new OAuth({ secret: SECRET }).register('x', config)
  return { emulation, app: oauth.create('x') }
}

describe('twitter (X) preset', () => {
  it('logs in through the emulation and reads the normalised profile (no email by default)', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(token).toMatchObject({
      token_type: 'bearer',
      scope: 'users.read tweet.read offline.access',
      refresh_token: expect.any(String),
    })
    const profile = await app.profile(token)
    expect(profile).toEqual({
      sub: TWITTER_TEST_USER.id,
      name: 'Ada Tester',
      picture: 'https://pbs.twimg.test/profile_images/1/ada_normal.jpg',
      raw: {
        id: TWITTER_TEST_USER.id,
        name: 'Ada Tester',
        username: 'adatester',
        profile_image_url: 'https://pbs.twimg.test/profile_images/1/ada_normal.jpg',
      },
    })
    // Unwrapped from { data }, asked with user.fields.
    const me = new URL(emulation.calls.find((c) => c.url.includes('/2/users/me'))!.url)
    expect(me.searchParams.get('user.fields')).toBe('profile_image_url')
  })

  it('email: true asks for users.email and confirmed_email, and marks the email verified', async () => {
    const { emulation, app } = await setup({ email: true })
    const token = await completeLogin(app, emulation)
    expect(token.scope).toContain('users.email')
    expect(await app.profile(token)).toMatchObject({ email: 'ada@x.test', email_verified: true })
  })

  it('quirk: PKCE S256 is always sent; turning it off is refused (X requires it)', async () => {
    const { app } = await setup()
    const { url } = await app.createAuthorizationUrl('https://app.test/cb')
    expect(url.searchParams.get('code_challenge_method')).toBe('S256')
    expect(() => twitter({ clientId: 'c', pkce: false })).toThrow(/X requires PKCE/)
    // The emulation refuses a request without PKCE, as X does.
    const noPkce = await setup({}, {}, (config) => void (config.pkce = false))
    const err = await expectCode(
      completeLogin(noPkce.app, noPkce.emulation),
      ErrorCode.AUTHORIZATION_ERROR,
    )
    expect(err.error).toBe('invalid_request')
  })

  it('quirk: a confidential client authenticates with HTTP Basic; client_secret_post is refused', async () => {
    const { emulation, app } = await setup()
    await completeLogin(app, emulation)
    const tokenCall = emulation.calls.find((c) => c.url.endsWith('/2/oauth2/token'))!
    expect(tokenCall.headers.get('authorization')).toMatch(/^Basic /)
    expect(new URLSearchParams(tokenCall.body).get('code_verifier')).toBeTruthy()

    const post = await setup({ tokenEndpointAuthMethod: 'client_secret_post' })
    const err = await expectCode(completeLogin(post.app, post.emulation), ErrorCode.TOKEN_ERROR)
    expect(err).toMatchObject({ error: 'unauthorized_client', status: 401 })
  })

  it('a public client (no secret) sends client_id in the body', async () => {
    const { emulation, app } = await setup({ clientSecret: undefined }, { confidential: false })
    const token = await completeLogin(app, emulation)
    expect((await app.profile(token)).sub).toBe(TWITTER_TEST_USER.id)
    const tokenCall = emulation.calls.find((c) => c.url.endsWith('/2/oauth2/token'))!
    expect(tokenCall.headers.get('authorization')).toBeNull()
    expect(new URLSearchParams(tokenCall.body).get('client_id')).toBe('x-client')
  })

  it('offline.access yields a refresh token that refreshes', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    const fresh = await app.refreshToken(token)
    expect(fresh.access_token).not.toBe(token.access_token)
    expect((await app.profile(fresh)).sub).toBe(TWITTER_TEST_USER.id)
  })
})
