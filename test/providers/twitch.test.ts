import { describe, expect, it } from 'vitest'
import { ErrorCode, OAuth } from '../../src/index.js'
import { twitch, twitchScopeResponse, type TwitchOptions } from '../../src/providers/twitch.js'
import { completeLogin } from '../../testing/index.js'
import { emulateTwitch, TWITCH_TEST_USER } from '../../testing/providers/twitch.js'
import { SECRET, expectCode, useMsw, expectRejected } from '../support/helpers.js'

const server = useMsw()

async function setup(
  options: Partial<TwitchOptions> = {},
  edit?: (config: ReturnType<typeof twitch>) => void,
) {
  const emulation = await emulateTwitch()
  server.use(...emulation.handlers)
  const config = twitch({ clientId: 'tw-client', clientSecret: 'tw-secret', ...options })
  edit?.(config)
  const oauth = new OAuth({ secret: SECRET }).register('twitch', config)
  return { emulation, app: oauth.create('twitch') }
}

describe('twitch preset', () => {
  it('logs in through the emulation and reads the normalised profile from Helix', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(token).toMatchObject({ token_type: 'bearer', scope: 'user:read:email' })
    expect(await app.profile(token)).toEqual({
      sub: TWITCH_TEST_USER.id,
      name: 'TwitchDev',
      email: 'dev@twitch.test',
      email_verified: true,
      picture: TWITCH_TEST_USER.picture,
      raw: expect.objectContaining({ login: 'twitchdev', broadcaster_type: 'partner' }),
    })
    // The credentials go in the body, as Twitch documents.
    const body = new URLSearchParams(
      emulation.calls.find((c) => c.url.endsWith('/oauth2/token'))!.body,
    )
    expect(body.get('client_secret')).toBe('tw-secret')
  })

  it('quirk: scope as an array is joined into a string (without the hook the token is refused)', async () => {
    const { emulation, app } = await setup({ scope: 'user:read:email channel:read:subscriptions' })
    const token = await completeLogin(app, emulation)
    expect(token.scope).toBe('user:read:email channel:read:subscriptions')
    // A refresh answers with an array too.
    expect((await app.refreshToken(token)).scope).toBe('user:read:email channel:read:subscriptions')

    const raw = await setup(
      {},
      (config) => void (config.hooks = { ...config.hooks, accessTokenResponse: [] }),
    )
    await expectCode(completeLogin(raw.app, raw.emulation), ErrorCode.INVALID_RESPONSE)

    const untouched = new Response('{"error":"x"}', {
      status: 400,
      headers: { 'content-type': 'application/json' },
    })
    expect(await twitchScopeResponse(untouched)).toBe(untouched)
  })

  it('quirk: every Helix call carries the Client-Id header (without the hook Helix answers 401)', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    await app.get('users', { token }).json()
    expect(
      emulation.calls
        .filter((c) => c.url.startsWith('https://api.twitch.tv/'))
        .every((c) => c.headers.get('client-id') === 'tw-client'),
    ).toBe(true)

    const raw = await setup(
      {},
      (config) => void (config.hooks = { ...config.hooks, protectedRequest: [] }),
    )
    const rawToken = await completeLogin(raw.app, raw.emulation)
    await expectRejected(raw.app.profile(rawToken), /401/)
  })

  it('forceVerify sets force_verify', async () => {
    const { app } = await setup({ forceVerify: true })
    const { url } = await app.createAuthorizationUrl('https://app.test/cb')
    expect(url.searchParams.get('force_verify')).toBe('true')
  })
})
