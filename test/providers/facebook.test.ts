import { createHmac } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth } from '../../src/index.js'
import {
  facebook,
  facebookAppsecretProof,
  type FacebookOptions,
} from '../../src/providers/facebook.js'
import { completeLogin, type EmulatedUser } from '../../testing/index.js'
import {
  emulateFacebook,
  FACEBOOK_TEST_USER,
  type FacebookEmulationOptions,
} from '../../testing/providers/facebook.js'
import { SECRET, expectCode, useMsw, expectRejected } from '../support/helpers.js'

const server = useMsw()

async function setup(
  options: Partial<FacebookOptions> = {},
  emulated: FacebookEmulationOptions = {},
  edit?: (config: ReturnType<typeof facebook>) => void,
) {
  const emulation = await emulateFacebook(emulated)
  server.use(...emulation.handlers)
  const config = facebook({ clientId: 'fb-app', clientSecret: 'fb-secret', ...options })
  edit?.(config)
  const oauth = new OAuth({ secret: SECRET }).register('facebook', config)
  return { emulation, app: oauth.create('facebook') }
}

async function failedExchange(
  app: Awaited<ReturnType<typeof setup>>['app'],
  emulation: Awaited<ReturnType<typeof setup>>['emulation'],
) {
  const cookies = new MemoryCookieJar()
  const res = await app.authorizeRedirect({ cookies }, 'https://app.test/cb')
  const callback = new URL((await emulation.authorize(res.headers.get('location')!)).url)
  callback.searchParams.set('code', 'used-code')
  return app.authorizeAccessToken({ cookies, request: new Request(callback) })
}

describe('facebook preset', () => {
  it('logs in through the emulation and reads the normalised profile', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(token).toMatchObject({ token_type: 'bearer', expires_in: 5183944 })
    expect(await app.profile(token)).toEqual({
      sub: FACEBOOK_TEST_USER.id,
      name: 'Mark Testuser',
      email: 'mark@facebook.test',
      picture: 'https://scontent.fbcdn.test/v/p50x50/mark.jpg',
      raw: expect.objectContaining({ id: FACEBOOK_TEST_USER.id, picture: expect.any(Object) }),
    })
    const authorize = emulation.calls.find((c) => c.url.includes('/oauth/access_token'))!
    // The secret travels as a parameter (client_secret_post), as the manual flow documents.
    expect(new URLSearchParams(authorize.body).get('client_secret')).toBe('fb-secret')
    const me = new URL(emulation.calls.find((c) => c.url.includes('/me'))!.url)
    expect(me.searchParams.get('fields')).toBe('id,name,email,picture')
  })

  it('a user without an email gets a profile without email; a silhouette is no picture', async () => {
    const users: EmulatedUser[] = [{ id: '42', name: 'No Mail' }]
    const { emulation, app } = await setup({}, { users })
    const profile = await app.profile(await completeLogin(app, emulation))
    expect(profile).toEqual({
      sub: '42',
      name: 'No Mail',
      raw: expect.objectContaining({ id: '42' }),
    })
    expect('email' in profile).toBe(false)
    expect('picture' in profile).toBe(false)
  })

  it('graphVersion sets every versioned path', async () => {
    const { emulation, app } = await setup({ graphVersion: 'v25.0' }, { graphVersion: 'v25.0' })
    expect(app.config).toMatchObject({
      authorizeUrl: 'https://www.facebook.com/v25.0/dialog/oauth',
      accessTokenUrl: 'https://graph.facebook.com/v25.0/oauth/access_token',
      apiBaseUrl: 'https://graph.facebook.com/v25.0',
    })
    expect((await app.profile(await completeLogin(app, emulation))).sub).toBe(FACEBOOK_TEST_USER.id)
  })

  it('quirk: Graph-shaped token errors become token_error invalid_grant (and are unreadable without the hook)', async () => {
    const fixed = await setup()
    const err = await expectCode(failedExchange(fixed.app, fixed.emulation), ErrorCode.TOKEN_ERROR)
    expect(err).toMatchObject({
      error: 'invalid_grant',
      errorDescription: 'This authorization code has been used.',
      status: 400,
    })

    const raw = await setup(
      {},
      {},
      (config) => void (config.hooks = { ...config.hooks, accessTokenResponse: [] }),
    )
    await expectCode(failedExchange(raw.app, raw.emulation), ErrorCode.HTTP_ERROR)
  })

  it('quirk: a wrong app secret is invalid_client', async () => {
    const { emulation, app } = await setup({ clientSecret: 'wrong' })
    const err = await expectCode(completeLogin(app, emulation), ErrorCode.TOKEN_ERROR)
    expect(err.error).toBe('invalid_client')
  })

  it('quirk: appsecret_proof signs Graph calls (required by "Require App Secret"); without it the call fails', async () => {
    const { emulation, app } = await setup({}, { requireAppsecretProof: true })
    const token = await completeLogin(app, emulation)
    expect((await app.profile(token)).sub).toBe(FACEBOOK_TEST_USER.id)
    const me = new URL(emulation.calls.find((c) => c.url.includes('/me'))!.url)
    expect(me.searchParams.get('appsecret_proof')).toBe(
      createHmac('sha256', 'fb-secret').update(token.access_token).digest('hex'),
    )

    const off = await setup({ appsecretProof: false }, { requireAppsecretProof: true })
    await expectRejected(off.app.profile(await completeLogin(off.app, off.emulation)), /400/)
  })

  it('appsecret_proof also works with a secret function and is not sent to other hosts', async () => {
    const { emulation, app } = await setup(
      { clientSecret: async () => 'fb-secret' },
      { requireAppsecretProof: true },
    )
    const token = await completeLogin(app, emulation)
    expect((await app.profile(token)).sub).toBe(FACEBOOK_TEST_USER.id)
    const hook = facebookAppsecretProof('fb-secret')
    expect(
      await hook(
        new Request('https://api.example.test/me', { headers: { authorization: 'Bearer t' } }),
      ),
    ).toBeUndefined()
    expect(() => facebook({ clientId: 'x', appsecretProof: true })).toThrow(
      /appsecretProof needs clientSecret/,
    )
  })
})
