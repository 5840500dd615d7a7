/**
 * The `tumblr` preset against the Tumblr OAuth 1.0a emulation (every request's HMAC-SHA1 signature
 * checked by the emulation), one test per quirk.
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import { ErrorCode, OAuth, OAuth1App, type OAuth1Token } from '../../src/index.js'
import { tumblr, type TumblrProfile } from '../../src/providers/tumblr.js'
import { completeLogin } from '../../testing/emulator.js'
import {
  TUMBLR_TEST_CONSUMER,
  emulateTumblr,
  type TumblrEmulationOptions,
} from '../../testing/providers/tumblr.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup(emulationOptions?: TumblrEmulationOptions) {
  const emulation = await emulateTumblr(emulationOptions)
  server.use(...emulation.handlers)
  const app = new OAuth({ secret: SECRET })
    .register(
      'tumblr',
      tumblr({ clientId: TUMBLR_TEST_CONSUMER.key, clientSecret: TUMBLR_TEST_CONSUMER.secret }),
    )
    .create('tumblr')
  return { emulation, app }
}

describe('tumblr preset', () => {
  it('logs in through the emulation and reads the normalised profile from user/info', async () => {
    const { emulation, app } = await setup()
    expect(app).toBeInstanceOf(OAuth1App)
    const token = await completeLogin(app, emulation)
    expectTypeOf(token).toEqualTypeOf<OAuth1Token>()
    expect(token).toEqual({
      oauth_token: expect.stringMatching(/^tumblr-at-/),
      oauth_token_secret: expect.any(String),
    })
    const profile = await app.profile(token)
    expect(profile).toEqual({
      sub: 't:Pf2kTUrQ-mfIOcEOkxKbYQ',
      name: 'adatester',
      picture: 'https://64.media.tumblr.test/avatar_ada_512.png',
      raw: expect.objectContaining({ name: 'adatester', blogs: expect.any(Array) }),
    })
    expect(profile.email).toBeUndefined()
    expect(emulation.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST https://www.tumblr.com/oauth/request_token',
      'POST https://www.tumblr.com/oauth/access_token',
      'GET https://api.tumblr.com/v2/user/info',
    ])
    for (const call of emulation.calls)
      expect(call.headers.get('authorization')).toMatch(
        /^OAuth .*oauth_consumer_key="tumblr-consumer-key".*oauth_signature_method="HMAC-SHA1"/,
      )
  })

  it('configures Tumblr’s endpoints and HMAC-SHA1, keeping overrides given as undefined at their default', () => {
    const config = tumblr({ clientId: 'k', clientSecret: 's', apiBaseUrl: undefined })
    expect(config).toMatchObject({
      requestTokenUrl: 'https://www.tumblr.com/oauth/request_token',
      authorizeUrl: 'https://www.tumblr.com/oauth/authorize',
      accessTokenUrl: 'https://www.tumblr.com/oauth/access_token',
      apiBaseUrl: 'https://api.tumblr.com/v2',
      signatureMethod: 'HMAC-SHA1',
    })
  })

  it('quirk: the user has no id: sub is the primary blog’s uuid (stable across renames), not a side blog’s', async () => {
    const { emulation, app } = await setup()
    const profile = await app.profile(emulation.issueToken())
    const raw = profile.raw as TumblrProfile
    expect(raw.blogs.map((b) => b.uuid)).toEqual(['t:side-blog-uuid', 't:Pf2kTUrQ-mfIOcEOkxKbYQ'])
    expect(profile.sub).toBe('t:Pf2kTUrQ-mfIOcEOkxKbYQ')
  })

  it('quirk: without blog uuids, sub falls back to the user (primary blog) name', async () => {
    const { emulation, app } = await setup({ withoutUuid: true })
    const profile = await app.profile(emulation.issueToken())
    expect(profile.sub).toBe('adatester')
  })

  it('quirk: the { meta, response } envelope is unwrapped; an answer without response.user is invalid_response', async () => {
    const { emulation, app } = await setup()
    const { http, HttpResponse } = await import('msw')
    server.use(
      http.get('https://api.tumblr.com/v2/user/info', () =>
        HttpResponse.json({ meta: { status: 200, msg: 'OK' }, response: {} }),
      ),
    )
    await expectCode(app.profile(emulation.issueToken()), ErrorCode.INVALID_RESPONSE)
  })

  it('quirk: Tumblr’s error envelope on a refused signature becomes http_error with its code and detail', async () => {
    const { emulation, app } = await setup()
    const token = { ...emulation.issueToken(), oauth_token_secret: 'wrong' }
    const error = await expectCode(app.profile(token), ErrorCode.HTTP_ERROR)
    expect(error).toMatchObject({
      status: 401,
      error: '1016',
      errorDescription: 'Unable to authorize',
    })
    expect(error.message).toBe('tumblr: user/info failed with HTTP 401: 1016: Unable to authorize')
  })
})
