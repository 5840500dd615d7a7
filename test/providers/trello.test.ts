/**
 * The `trello` preset against the Trello OAuth 1.0a emulation (every request's HMAC-SHA1 signature
 * checked by the emulation), one test per quirk.
 */
import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth, type OAuth1Token } from '../../src/index.js'
import { trello, type TrelloOptions } from '../../src/providers/trello.js'
import { completeLogin } from '../../testing/emulator.js'
import {
  TRELLO_TEST_CONSUMER,
  emulateTrello,
  type TrelloEmulationOptions,
} from '../../testing/providers/trello.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup(preset: Partial<TrelloOptions> = {}, options?: TrelloEmulationOptions) {
  const emulation = await emulateTrello(options)
  server.use(...emulation.handlers)
  const app = new OAuth({ secret: SECRET })
    .register(
      'trello',
      trello({
        clientId: TRELLO_TEST_CONSUMER.key,
        clientSecret: TRELLO_TEST_CONSUMER.secret,
        ...preset,
      }),
    )
    .create('trello')
  return { emulation, app }
}

describe('trello preset', () => {
  it('logs in through the emulation and reads the normalised profile from members/me', async () => {
    const { emulation, app } = await setup({ scope: ['read', 'account'] })
    const token: OAuth1Token = await completeLogin(app, emulation)
    const profile = await app.profile(token)
    expect(profile).toEqual({
      sub: '5f1a2b3c4d5e6f7a8b9c0d1e',
      name: 'Ada Tester',
      email: 'ada@trello.test',
      picture: 'https://trello-members.s3.amazonaws.test/5f1a2b3c4d5e6f7a8b9c0d1e/abcdef/170.png',
      raw: expect.objectContaining({ username: 'adatester' }),
    })
    expect(profile.email_verified).toBeUndefined()
    expect(emulation.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST https://trello.com/1/OAuthGetRequestToken',
      'POST https://trello.com/1/OAuthGetAccessToken',
      'GET https://api.trello.com/1/members/me?fields=id,username,fullName,email,avatarUrl,url',
    ])
  })

  it('quirk: name, scope and expiration go on the authorize URL, not the request-token request', async () => {
    const { emulation, app } = await setup({
      appName: 'Board tool',
      scope: ['read', 'write'],
      expiration: 'never',
    })
    const cookies = new MemoryCookieJar()
    const redirect = await app.authorizeRedirect(
      { cookies },
      'https://app.test/auth/trello/callback',
    )
    const url = new URL(redirect.headers.get('location')!)
    expect(`${url.origin}${url.pathname}`).toBe('https://trello.com/1/OAuthAuthorizeToken')
    expect(Object.fromEntries(url.searchParams)).toEqual({
      name: 'Board tool',
      scope: 'read,write',
      expiration: 'never',
      oauth_token: expect.stringMatching(/^trello-rt-/),
    })
    expect(new URL(emulation.calls[0]!.url).search).toBe('')
    expect(emulation.calls[0]!.body).toBe('')
    // Defaults: read, 30 days (always sent), no name.
    const defaults = trello({ clientId: 'k', clientSecret: 's' })
    expect(defaults.authorizeParams).toEqual({ scope: 'read', expiration: '30days' })
  })

  it('quirk: without the account scope there is no email', async () => {
    const { emulation, app } = await setup()
    const profile = await app.profile(await completeLogin(app, emulation))
    expect(profile.sub).toBe('5f1a2b3c4d5e6f7a8b9c0d1e')
    expect(profile.email).toBeUndefined()
  })

  it('quirk: a token past its expiration is refused with plain text, and cannot be refreshed: http_error; never does not expire', async () => {
    let clock = Date.now()
    const { emulation, app } = await setup({ expiration: '1hour' }, { now: () => clock })
    const token = await completeLogin(app, emulation)
    clock += 2 * 3600_000
    const error = await expectCode(app.profile(token), ErrorCode.HTTP_ERROR)
    expect(error).toMatchObject({ status: 401, errorDescription: 'invalid token' })
    expect(error.message).toBe('trello: members/me failed with HTTP 401: invalid token')
    const never = await setup({ expiration: 'never' }, { now: () => clock })
    const kept = await completeLogin(never.app, never.emulation)
    clock += 10 * 365 * 86_400_000
    expect((await never.app.profile(kept)).sub).toBe('5f1a2b3c4d5e6f7a8b9c0d1e')
  })

  it('refuses a scope or expiration Trello does not know, with config_invalid', async () => {
    const refused = async (options: Partial<TrelloOptions>) =>
      expectCode(
        Promise.resolve().then(() => trello({ clientId: 'k', clientSecret: 's', ...options })),
        ErrorCode.CONFIG_INVALID,
      )
    expect((await refused({ scope: ['admin' as 'read'] })).message).toMatch(/scope must be/)
    expect((await refused({ scope: [] })).message).toMatch(/scope must be/)
    expect((await refused({ expiration: '1year' as 'never' })).message).toMatch(
      /expiration must be/,
    )
  })
})
