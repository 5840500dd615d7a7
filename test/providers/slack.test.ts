import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth } from '../../src/index.js'
import { slack, slackTokenResponse, type SlackOptions } from '../../src/providers/slack.js'
import { completeLogin } from '../../testing/emulator.js'
import { emulateSlack, SLACK_TEST_USER } from '../../testing/providers/slack.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

type Config = ReturnType<typeof slack>

async function setup(
  options: Partial<SlackOptions> = {},
  edit: (c: Config) => Config = (c) => c,
  tokenRotation = false,
) {
  const emulation = await emulateSlack({ tokenRotation })
  server.use(...emulation.handlers)
  const oauth = new OAuth({ secret: SECRET }).register(
    'slack',
    edit(slack({ clientId: '1234.5678', clientSecret: 'slack-secret', ...options })),
  )
  return { emulation, app: oauth.create('slack') }
}

const noHooks = (c: Config): Config => ({ ...c, hooks: {} })

describe('slack preset', () => {
  it('logs in through the emulation and reads the normalised profile from openid.connect.userInfo', async () => {
    const { emulation, app } = await setup({ team: 'T0R7GR' })
    const location = new URL(
      (
        await app.authorizeRedirect({ cookies: new MemoryCookieJar() }, 'https://app.test/cb')
      ).headers.get('location')!,
    )
    expect(location.origin + location.pathname).toBe('https://slack.com/openid/connect/authorize')
    expect(location.searchParams.get('team')).toBe('T0R7GR')

    const token = await completeLogin(app, emulation)
    expect(token).toMatchObject({
      token_type: 'bearer',
      ok: true,
      userinfo: { iss: 'https://slack.com', sub: 'U0R7JM' },
    })
    const tokenCall = emulation.calls.find(
      (c) => c.url === 'https://slack.com/api/openid.connect.token',
    )!
    expect(new URLSearchParams(tokenCall.body).get('client_secret')).toBe('slack-secret')
    expect(await app.profile(token)).toEqual({
      sub: 'U0R7JM',
      name: 'krane',
      email: 'krane@slack-corp.test',
      email_verified: true,
      picture: 'https://secure.gravatar.test/avatar/krane.png',
      raw: expect.objectContaining({
        'https://slack.com/team_id': SLACK_TEST_USER.team_id,
        ok: true,
      }),
    })
  })

  it('quirk: a token response without token_type is read as Bearer (and refused without the hook)', async () => {
    const without = await setup({}, noHooks)
    await expectCode(completeLogin(without.app, without.emulation), ErrorCode.INVALID_RESPONSE)
    const fixed = (await slackTokenResponse(
      Response.json({ ok: true, access_token: 'xoxp-1', token_type: 'user' }),
    ))!
    expect(await fixed.json()).toMatchObject({ token_type: 'user' })
  })

  it("quirk: { ok: false, error } with HTTP 200 from the token endpoint becomes token_error with Slack's code", async () => {
    const { emulation, app } = await setup()
    const cookies = new MemoryCookieJar()
    const res = await app.authorizeRedirect({ cookies }, 'https://app.test/cb')
    const url = new URL((await emulation.authorize(res.headers.get('location')!)).url)
    url.searchParams.set('code', 'used-or-expired')
    const err = await expectCode(
      app.authorizeAccessToken({ cookies, request: new Request(url) }),
      ErrorCode.TOKEN_ERROR,
    )
    expect(err).toMatchObject({ error: 'invalid_code', status: 400 })

    // Without the hook the same answer is only an unreadable token response.
    const without = await setup({}, noHooks)
    const jar = new MemoryCookieJar()
    const start = await without.app.authorizeRedirect({ cookies: jar }, 'https://app.test/cb')
    const bad = new URL((await without.emulation.authorize(start.headers.get('location')!)).url)
    bad.searchParams.set('code', 'used-or-expired')
    const raw = await expectCode(
      without.app.authorizeAccessToken({ cookies: jar, request: new Request(bad) }),
      ErrorCode.INVALID_RESPONSE,
    )
    expect(raw.error).toBeUndefined()
  })

  it("quirk: userinfo { ok: false, error } with HTTP 200 becomes userinfo_invalid carrying Slack's code", async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    emulation.revoke(token.access_token)
    const err = await expectCode(app.userinfo(token), ErrorCode.USERINFO_INVALID)
    expect(err).toMatchObject({
      error: 'invalid_token',
      errorDescription: 'token_revoked',
      status: 401,
    })
    const unknown = await expectCode(
      app.userinfo({ access_token: 'xoxp-unknown' }),
      ErrorCode.USERINFO_INVALID,
    )
    expect(unknown.errorDescription).toBe('invalid_auth')

    const without = await setup({}, (c) => ({ ...c, hooks: { ...c.hooks, userinfoResponse: [] } }))
    const other = await completeLogin(without.app, without.emulation)
    without.emulation.revoke(other.access_token)
    const bare = await expectCode(without.app.userinfo(other), ErrorCode.USERINFO_INVALID)
    expect(bare.error).toBeUndefined()
  })

  it('quirk: an ID token with nonce "" when no nonce was sent is dropped instead of failing the login', async () => {
    // A login without openid sends no nonce; Slack still returns an ID token, with nonce "".
    const { emulation, app } = await setup({ scope: 'profile email' })
    const token = await completeLogin(app, emulation)
    expect(token.id_token).toBeUndefined()
    expect((await app.profile(token)).sub).toBe('U0R7JM')

    const without = await setup({ scope: 'profile email' }, (c) => ({
      ...c,
      hooks: { ...c.hooks, accessTokenResponse: [slackTokenResponse] },
    }))
    await expectCode(completeLogin(without.app, without.emulation), ErrorCode.ID_TOKEN_INVALID)
  })

  it('token rotation: a refresh (also without token_type) gives a new token', async () => {
    const { emulation, app } = await setup({}, undefined, true)
    const token = await completeLogin(app, emulation)
    expect(token.refresh_token).toEqual(expect.any(String))
    const refreshed = await app.refreshToken(token)
    expect(refreshed).toMatchObject({ token_type: 'bearer', refresh_token: expect.any(String) })
    expect(refreshed.access_token).not.toBe(token.access_token)
  })
})
