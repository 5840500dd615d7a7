import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth } from '../../src/index.js'
import { reddit, redditTokenResponse, type RedditOptions } from '../../src/providers/reddit.js'
import { completeLogin } from '../../testing/index.js'
import {
  emulateReddit,
  REDDIT_TEST_USER,
  type RedditEmulationOptions,
} from '../../testing/providers/reddit.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()
const UA = 'test:dev.oauthkit.tests:v1.0 (by /u/oauthkit_tests)'

async function setup(
  options: Partial<RedditOptions> = {},
  emulated: RedditEmulationOptions = {},
  edit?: (config: ReturnType<typeof reddit>) => void,
) {
  const emulation = await emulateReddit(emulated)
  server.use(...emulation.handlers)
  const config = reddit({
    clientId: 'rd-client',
    clientSecret: 'rd-secret',
    userAgent: UA,
    ...options,
  })
  edit?.(config)
  const oauth = new OAuth({ secret: SECRET }).register('reddit', config)
  return { emulation, app: oauth.create('reddit') }
}

describe('reddit preset', () => {
  it('logs in through the emulation and reads the normalised profile (no email: Reddit has none)', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(token).toMatchObject({
      token_type: 'bearer',
      scope: 'identity',
      refresh_token: expect.any(String),
    })
    const profile = await app.profile(token)
    expect(profile).toEqual({
      sub: '1w72',
      name: 'spez_test',
      picture: REDDIT_TEST_USER.picture,
      raw: expect.objectContaining({ id: '1w72', name: 'spez_test' }),
    })
    expect(profile.email).toBeUndefined()
    // The descriptive User-Agent went on every request, the token request included.
    expect(emulation.calls.length).toBeGreaterThanOrEqual(2)
    expect(emulation.calls.every((c) => c.headers.get('user-agent') === UA)).toBe(true)
    expect(
      emulation.calls.find((c) => c.url.includes('access_token'))!.headers.get('authorization'),
    ).toMatch(/^Basic /)
  })

  it('quirk: userAgent is required (without one Reddit throttles the requests)', async () => {
    expect(() => reddit({ clientId: 'c', userAgent: '' })).toThrow(/userAgent is required/)
    expect(() => reddit({ clientId: 'c' } as RedditOptions)).toThrow(/userAgent is required/)
    // The emulation throttles generic agents (429); the token request carries the app's, so it succeeds.
    const { emulation, app } = await setup()
    await completeLogin(app, emulation)
    expect(emulation.calls[0]!.headers.get('user-agent')).toBe(UA)
  })

  it('quirk: duration=permanent (the default) yields a refresh token that refreshes; temporary does not', async () => {
    const { emulation, app } = await setup()
    const { url } = await app.createAuthorizationUrl('https://app.test/cb')
    expect(url.searchParams.get('duration')).toBe('permanent')
    const token = await completeLogin(app, emulation)
    const fresh = await app.refreshToken(token)
    expect(fresh.access_token).not.toBe(token.access_token)
    // Reddit sends no new refresh token: the old one is kept.
    expect(fresh.refresh_token).toBe(token.refresh_token)

    const temporary = await setup({ duration: 'temporary' })
    const short = await completeLogin(temporary.app, temporary.emulation)
    expect(short.refresh_token).toBeUndefined()
  })

  it('quirk: a bad code answered with HTTP 200 is token_error invalid_grant', async () => {
    const { emulation, app } = await setup()
    const cookies = new MemoryCookieJar()
    const res = await app.authorizeRedirect({ cookies }, 'https://app.test/cb')
    const callback = new URL((await emulation.authorize(res.headers.get('location')!)).url)
    callback.searchParams.set('code', 'stale')
    const err = await expectCode(
      app.authorizeAccessToken({ cookies, request: new Request(callback) }),
      ErrorCode.TOKEN_ERROR,
    )
    expect(err).toMatchObject({ error: 'invalid_grant', status: 400 })
  })

  it('quirk: bad client credentials (401 with a numeric error) are token_error invalid_client', async () => {
    const { emulation, app } = await setup({ clientSecret: 'wrong' })
    const err = await expectCode(completeLogin(app, emulation), ErrorCode.TOKEN_ERROR)
    expect(err).toMatchObject({ error: 'invalid_client', status: 401 })
    const ok = new Response('{"access_token":"a","token_type":"bearer"}', {
      headers: { 'content-type': 'application/json' },
    })
    expect(await redditTokenResponse(ok)).toBe(ok)
  })

  it('quirk: raw_json=1 keeps URLs unescaped (without the hook they arrive with &amp;)', async () => {
    const { emulation, app } = await setup()
    const profile = await app.profile(await completeLogin(app, emulation))
    expect(profile.picture).toContain('&height=256')

    const raw = await setup(
      {},
      {},
      (config) => void (config.hooks = { ...config.hooks, protectedRequest: [] }),
    )
    expect((await raw.app.profile(await completeLogin(raw.app, raw.emulation))).picture).toContain(
      '&amp;height=256',
    )
  })

  it('quirk: an installed app (no secret) authenticates with HTTP Basic and an empty password', async () => {
    const { emulation, app } = await setup({ clientSecret: undefined }, { clientSecret: '' })
    const token = await completeLogin(app, emulation)
    expect(
      emulation.calls.find((c) => c.url.includes('access_token'))!.headers.get('authorization'),
    ).toBe(`Basic ${btoa('rd-client:')}`)
    await app.refreshToken(token)
    expect(emulation.calls.filter((c) => c.url.includes('access_token'))).toHaveLength(2)
  })
})
