/**
 * The `twitterOAuth1` preset against the X OAuth 1.0a emulation (every request's HMAC-SHA1 signature
 * checked by the emulation's own RFC 5849 code), one test per quirk, and the emulation kit itself.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  ErrorCode,
  MemoryCookieJar,
  OAuth,
  OAuth1App,
  type NormalizedProfile,
  type OAuth1Token,
} from '../../src/index.js'
import {
  twitterOAuth1,
  type TwitterOAuth1Options,
  type TwitterOAuth1Profile,
} from '../../src/providers/twitter-oauth1.js'
import { completeLogin, type EmulatedUser, type LoginApp } from '../../testing/emulator.js'
import { createOAuth1Emulation } from '../../testing/oauth1-emulator.js'
import {
  TWITTER_OAUTH1_TEST_CONSUMER,
  emulateTwitterOAuth1,
  type TwitterOAuth1EmulationOptions,
} from '../../testing/providers/twitter-oauth1.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()
const CALLBACK = 'https://app.test/auth/x/callback'

async function setup(
  options: {
    emulation?: TwitterOAuth1EmulationOptions
    preset?: Partial<TwitterOAuth1Options>
    updates?: OAuth1Token[]
  } = {},
) {
  const emulation = await emulateTwitterOAuth1(options.emulation)
  server.use(...emulation.handlers)
  const oauth = new OAuth({
    secret: SECRET,
    updateToken: (_name, token) => void options.updates?.push(token as unknown as OAuth1Token),
  }).register(
    'x',
    twitterOAuth1({
      clientId: TWITTER_OAUTH1_TEST_CONSUMER.key,
      clientSecret: TWITTER_OAUTH1_TEST_CONSUMER.secret,
      ...options.preset,
    }),
  )
  return { emulation, app: oauth.create('x') }
}

/** Start a login and return the cookies and the URL the user is sent to. */
async function start(app: OAuth1App) {
  const cookies = new MemoryCookieJar()
  const redirect = await app.authorizeRedirect({ cookies }, CALLBACK)
  return { cookies, location: redirect.headers.get('location')! }
}

describe('twitterOAuth1 preset', () => {
  it('logs in through the emulation (completeLogin) and reads the normalised profile', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation, { redirectUri: CALLBACK })
    expectTypeOf(token).toEqualTypeOf<OAuth1Token>()
    expect(token).toEqual({
      oauth_token: expect.stringMatching(/^x-at-/),
      oauth_token_secret: expect.any(String),
      user_id: '1234567890123456789',
      screen_name: 'adatester',
    })
    const profile = await app.profile(token)
    expect(profile).toEqual({
      sub: '1234567890123456789',
      name: 'Ada Tester',
      email: 'ada@x.test',
      email_verified: true,
      picture: 'https://pbs.twimg.test/profile_images/1/ada_normal.jpg',
      raw: expect.objectContaining({ id_str: '1234567890123456789', screen_name: 'adatester' }),
    })
    // The numeric id lost its last digits in JSON.parse: that is why sub is id_str.
    expect(String((profile.raw as TwitterOAuth1Profile).id)).not.toBe('1234567890123456789')
    // One request per step, each signed with the app's consumer key (the emulation checked the signatures).
    expect(emulation.calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'POST https://api.x.com/oauth/request_token',
      'POST https://api.x.com/oauth/access_token',
      'GET https://api.x.com/1.1/account/verify_credentials.json?include_email=true&skip_status=true',
    ])
    for (const call of emulation.calls)
      expect(call.headers.get('authorization')).toMatch(
        /^OAuth .*oauth_consumer_key="x-api-key".*oauth_signature="[^"]+"/,
      )
  })

  it('configures X’s endpoints: authenticate (Sign in with X) by default, authorize with alwaysAsk', async () => {
    const config = twitterOAuth1({ clientId: 'k', clientSecret: 's' })
    expect(config).toMatchObject({
      requestTokenUrl: 'https://api.x.com/oauth/request_token',
      authorizeUrl: 'https://api.x.com/oauth/authenticate',
      accessTokenUrl: 'https://api.x.com/oauth/access_token',
      apiBaseUrl: 'https://api.x.com/1.1',
      signatureMethod: 'HMAC-SHA1',
    })
    expect(config.requestTokenParams).toBeUndefined()
    // An option given as undefined keeps the default.
    expect(
      twitterOAuth1({ clientId: 'k', clientSecret: 's', apiBaseUrl: undefined }).apiBaseUrl,
    ).toBe('https://api.x.com/1.1')
    const { emulation, app } = await setup({
      preset: { alwaysAsk: true, authorizeParams: { force_login: 'true' } },
    })
    const { location } = await start(app)
    const url = new URL(location)
    expect(`${url.origin}${url.pathname}`).toBe('https://api.x.com/oauth/authorize')
    expect(url.searchParams.get('force_login')).toBe('true')
    const token = await completeLogin(app, emulation)
    expect((await app.profile(token)).sub).toBe('1234567890123456789')
  })

  it('the registry makes an OAuth1App of it, typed', () => {
    const app = new OAuth({ secret: SECRET })
      .register('x', twitterOAuth1({ clientId: 'k', clientSecret: 's' }))
      .create('x')
    expect(app).toBeInstanceOf(OAuth1App)
    expectTypeOf(app).toEqualTypeOf<OAuth1App>()
    expectTypeOf(app.profile).returns.resolves.toEqualTypeOf<NormalizedProfile>()
    expectTypeOf(app).toExtend<LoginApp<OAuth1Token>>()
  })

  it('quirk: Cancel sends the user back with denied=<request token>: access_denied, and nothing is saved', async () => {
    const updates: OAuth1Token[] = []
    const { emulation, app } = await setup({ updates })
    const { cookies, location } = await start(app)
    const callback = await emulation.authorize(location, { deny: true })
    expect([...new URL(callback.url).searchParams.keys()]).toEqual(['denied'])
    await expectCode(
      app.authorizeAccessToken({ cookies, request: callback }),
      ErrorCode.ACCESS_DENIED,
    )
    expect(updates).toEqual([])
    // Only the request token was asked for.
    expect(emulation.calls.map((c) => new URL(c.url).pathname)).toEqual(['/oauth/request_token'])
  })

  it('quirk: X’s JSON error 32 on verify_credentials surfaces as a typed error with the provider text', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    // A wrong token secret makes a wrong signature, which the emulation refuses as X does.
    const err = await expectCode(
      app.profile({ ...token, oauth_token_secret: 'not-the-secret' }),
      ErrorCode.HTTP_ERROR,
    )
    expect(err).toMatchObject({
      app: 'x',
      status: 401,
      error: '32',
      errorDescription: 'Could not authenticate you.',
    })
    expect(err.message).toBe(
      'x: account/verify_credentials failed with HTTP 401: 32: Could not authenticate you.',
    )
    // The token stays out of the error.
    expect(`${err.message} ${JSON.stringify(err)}`).not.toContain(token.oauth_token)
    expect(err.cause).toBeUndefined()
    // A revoked token: code 89.
    expect(
      await expectCode(
        app.profile({ oauth_token: 'revoked', oauth_token_secret: 's' }),
        ErrorCode.HTTP_ERROR,
      ),
    ).toMatchObject({ error: '89', errorDescription: 'Invalid or expired token.' })
  })

  it('quirk: error 32 at the token endpoints is token_error with X’s code and text (OAuth1App maps it)', async () => {
    const { emulation, app } = await setup()
    const wrong = new OAuth({ secret: SECRET })
      .register(
        'x',
        twitterOAuth1({ clientId: TWITTER_OAUTH1_TEST_CONSUMER.key, clientSecret: 'wrong-secret' }),
      )
      .create('x')
    const err = await expectCode(start(wrong), ErrorCode.TOKEN_ERROR)
    expect(err).toMatchObject({
      status: 401,
      error: '32',
      errorDescription: 'Could not authenticate you.',
    })
    // A verifier that is not the one issued: refused, and the request token is spent.
    const { cookies, location } = await start(app)
    const url = new URL((await emulation.authorize(location)).url)
    url.searchParams.set('oauth_verifier', 'forged')
    expect(
      await expectCode(
        app.authorizeAccessToken({ cookies, request: new Request(url) }),
        ErrorCode.TOKEN_ERROR,
      ),
    ).toMatchObject({ error: '32' })
  })

  it('quirk: temporary credentials without oauth_callback_confirmed=true are oauth1_error (OAuth 1.0 is refused)', async () => {
    const { emulation, app } = await setup({ emulation: { callbackConfirmed: false } })
    const err = await expectCode(completeLogin(app, emulation), ErrorCode.OAUTH1_ERROR)
    expect(err.message).toMatch(/oauth_callback_confirmed=true/)
  })

  it('quirk: without the email permission the profile has no email', async () => {
    const { emulation, app } = await setup({ emulation: { emailPermission: false } })
    const profile = await app.profile(await completeLogin(app, emulation))
    expect(profile).toEqual({
      sub: '1234567890123456789',
      name: 'Ada Tester',
      picture: 'https://pbs.twimg.test/profile_images/1/ada_normal.jpg',
      raw: expect.not.objectContaining({ email: expect.anything() }),
    })
    expect('email' in profile.raw).toBe(false)
  })

  it('quirk: an unverified (or no) email comes as null and is no email', async () => {
    const users: EmulatedUser[] = [
      { id: '42', screen_name: 'unverified', name: '', email: 'new@x.test', email_verified: false },
      { id: '43', screen_name: 'noemail' },
    ]
    const { emulation, app } = await setup({ emulation: { users } })
    const first = await app.profile(await completeLogin(app, emulation, { user: '42' }))
    expect(first).toMatchObject({ sub: '42', name: 'unverified', raw: { email: null } })
    expect(first.email).toBeUndefined()
    expect(first.email_verified).toBeUndefined()
    const second = await app.profile(await completeLogin(app, emulation, { user: '43' }))
    expect(second.email).toBeUndefined()
  })

  it('quirk: accessType is x_auth_access_type, sent signed with the request-token request', async () => {
    const { emulation, app } = await setup({ preset: { accessType: 'read' } })
    expect(app.config.requestTokenParams).toEqual({ x_auth_access_type: 'read' })
    const token = await completeLogin(app, emulation)
    expect(new URL(emulation.calls[0]!.url).searchParams.get('x_auth_access_type')).toBe('read')
    const res = await app.get('account/verify_credentials.json', { token })
    expect(res.headers.get('x-access-level')).toBe('read')
    // Without it, the app's own level.
    const other = await setup()
    const full = await other.app.get('account/verify_credentials.json', {
      token: await completeLogin(other.app, other.emulation),
    })
    expect(full.headers.get('x-access-level')).toBe('read-write')
  })

  it('quirk: a callback URL not registered with the app is refused with code 415', async () => {
    const { app } = await setup({ emulation: { callbackUrls: ['https://app.test/registered'] } })
    const err = await expectCode(start(app), ErrorCode.TOKEN_ERROR)
    expect(err).toMatchObject({ status: 403, error: '415' })
  })

  it('profile() reads the token with fetchToken when none is passed', async () => {
    const { emulation, app: first } = await setup()
    const token = await completeLogin(first, emulation)
    const app = new OAuth({ secret: SECRET, fetchToken: () => token as never })
      .register(
        'x',
        twitterOAuth1({
          clientId: TWITTER_OAUTH1_TEST_CONSUMER.key,
          clientSecret: TWITTER_OAUTH1_TEST_CONSUMER.secret,
        }),
      )
      .create('x')
    expect((await app.profile()).sub).toBe('1234567890123456789')
  })

  it('the TSDoc @example is typed: it compiles here (copied below) and its file holds the same code', async () => {
    const source = readFileSync(
      new URL('../../src/providers/twitter-oauth1.ts', import.meta.url),
      'utf8',
    )
    expect(source).toContain(
      "const profile = await oauth.create('x').profile(token) // { sub: id_str, name, email?, picture? }",
    )
    expect(source).toContain(
      'return `@${(profile.raw as TwitterOAuth1Profile).screen_name} (${profile.sub})`',
    )
    const { emulation } = await setup()
    // The example's body, against the emulation.
    const oauth = new OAuth({ secret: SECRET }).register(
      'x',
      twitterOAuth1({
        clientId: TWITTER_OAUTH1_TEST_CONSUMER.key,
        clientSecret: TWITTER_OAUTH1_TEST_CONSUMER.secret,
        accessType: 'read',
      }),
    )
    async function whoIs(token: OAuth1Token): Promise<string> {
      const profile = await oauth.create('x').profile(token) // { sub: id_str, name, email?, picture? }
      return `@${(profile.raw as TwitterOAuth1Profile).screen_name} (${profile.sub})`
    }
    expect(await whoIs(await completeLogin(oauth.create('x'), emulation))).toBe(
      '@adatester (1234567890123456789)',
    )
  })
})

describe('OAuth1App.profile without a loader', () => {
  it('is unsupported_operation, saying to configure one', async () => {
    const app = new OAuth({ secret: SECRET })
      .register('plain', {
        requestTokenUrl: 'https://api.x.com/oauth/request_token',
        authorizeUrl: 'https://api.x.com/oauth/authorize',
        accessTokenUrl: 'https://api.x.com/oauth/access_token',
        clientId: 'k',
        clientSecret: 's',
      })
      .create('plain')
    const err = await expectCode(
      app.profile({ oauth_token: 't', oauth_token_secret: 's' }),
      ErrorCode.UNSUPPORTED_OPERATION,
    )
    expect(err.message).toMatch(/configure profile/)
  })

  it('refuses a profile that is not a function at register', () => {
    expect(() =>
      new OAuth({ secret: SECRET }).register('bad', {
        ...twitterOAuth1({ clientId: 'k', clientSecret: 's' }),
        profile: 'verify_credentials' as never,
      }),
    ).toThrow(/profile/)
  })
})

describe('createOAuth1Emulation', () => {
  const spec = {
    name: 'acme',
    requestTokenUrl: 'https://acme.test/oauth/request_token',
    authorizeUrl: 'https://acme.test/oauth/authorize',
    accessTokenUrl: 'https://acme.test/oauth/access_token',
    consumers: [{ key: 'ck', secret: 'c s+/é' }],
    signatureMethods: ['HMAC-SHA1', 'HMAC-SHA256', 'PLAINTEXT'] as Array<
      'HMAC-SHA1' | 'HMAC-SHA256' | 'PLAINTEXT'
    >,
    api: {
      'https://acme.test/api/me': (user: EmulatedUser) => Response.json({ id: user.id }),
      'https://acme.test/api/notes': async (user: EmulatedUser, request: Request) =>
        Response.json({ id: user.id, body: await request.text() }),
    },
    apiMethods: { 'https://acme.test/api/notes': 'POST' },
  }
  const register = (extra: Record<string, unknown> = {}) =>
    new OAuth({ secret: SECRET })
      .register('acme', {
        requestTokenUrl: spec.requestTokenUrl,
        authorizeUrl: spec.authorizeUrl,
        accessTokenUrl: spec.accessTokenUrl,
        apiBaseUrl: 'https://acme.test/api',
        clientId: 'ck',
        clientSecret: 'c s+/é',
        ...extra,
      })
      .create('acme')

  it('verifies every signature method and placement it supports, with its own RFC 5849 code', async () => {
    const emulation = await createOAuth1Emulation(spec, [{ id: 'u1' }])
    server.use(...emulation.handlers)
    for (const signatureMethod of spec.signatureMethods) {
      for (const signaturePlacement of ['header', 'query', 'body'] as const) {
        const app = register({ signatureMethod, signaturePlacement })
        const token = await completeLogin(app, emulation)
        expect(token).toMatchObject({ user_id: 'u1' })
        expect(
          await app.get('me', { token, searchParams: { q: 'a b+c', 'x*': "!'()" } }).json(),
        ).toEqual({ id: 'u1' })
        const note = await app
          .post('notes', { token, body: new URLSearchParams({ text: 'hé & ~ ok', tag: '1' }) })
          .json<{ body: string }>()
        expect(note.body).toContain('text=h%C3%A9+%26+%7E+ok')
      }
    }
  })

  it('refuses a wrong consumer secret, a foreign consumer key, a replayed request, an unknown token and an unapproved request token', async () => {
    const emulation = await createOAuth1Emulation(spec, [{ id: 'u1' }])
    server.use(...emulation.handlers)
    expect(
      await expectCode(
        completeLogin(register({ clientSecret: 'nope' }), emulation),
        ErrorCode.TOKEN_ERROR,
      ),
    ).toMatchObject({ status: 401, error: 'signature_invalid' })
    expect(
      await expectCode(
        completeLogin(register({ clientId: 'other' }), emulation),
        ErrorCode.TOKEN_ERROR,
      ),
    ).toMatchObject({ error: 'consumer_key_unknown' })
    const app = register()
    const token = await completeLogin(app, emulation)
    expect(await app.get('me', { token }).json()).toEqual({ id: 'u1' })
    // The same signed request again: its nonce was used.
    const sent = emulation.calls.at(-1)!
    const replay = await fetch(sent.url, { headers: sent.headers })
    expect(replay.status).toBe(401)
    expect(await replay.text()).toBe('oauth_problem=nonce_used')
    const unknown = await app.get('me', {
      token: { ...token, oauth_token: 'unknown' },
      throwHttpErrors: false,
    })
    expect([unknown.status, await unknown.text()]).toEqual([401, 'oauth_problem=token_rejected'])
    // An access-token request for a request token the user never approved.
    const { cookies, location } = await start(app)
    const pending = new URL(location).searchParams.get('oauth_token')!
    const forged = new Request(`${CALLBACK}?oauth_token=${pending}&oauth_verifier=guess`)
    expect(
      await expectCode(
        app.authorizeAccessToken({ cookies, request: forged }),
        ErrorCode.TOKEN_ERROR,
      ),
    ).toMatchObject({ error: 'token_rejected' })
  })

  it('refuses a request changed after it was signed: a query value, the form body, an added parameter', async () => {
    const emulation = await createOAuth1Emulation(spec, [{ id: 'u1' }])
    server.use(...emulation.handlers)
    const token = emulation.issueToken()
    const tampered = async (hook: (request: Request) => Request | Promise<Request>) => {
      const res = await register({ hooks: { protectedRequest: hook } }).post('notes', {
        token,
        body: new URLSearchParams({ text: 'signed' }),
        searchParams: { a: '1' },
        throwHttpErrors: false,
      })
      return [res.status, await res.text()]
    }
    const refused = [401, 'oauth_problem=signature_invalid']
    expect(await tampered((r) => new Request(r.url.replace('a=1', 'a=2'), r))).toEqual(refused)
    expect(await tampered(async (r) => new Request(r, { body: 'text=changed' }))).toEqual(refused)
    expect(await tampered((r) => new Request(`${r.url}&b=3`, r))).toEqual(refused)
    // Headers other than Authorization are not signed (RFC 5849): changing one is accepted.
    expect(await tampered((r) => (r.headers.set('x-extra', '1'), r))).toEqual([
      200,
      expect.stringContaining('signed'),
    ])
  })

  it('authorize() refuses a URL of another endpoint or an unknown request token', async () => {
    const emulation = await createOAuth1Emulation(spec, [{ id: 'u1' }])
    await expect(
      emulation.authorize('https://elsewhere.test/oauth/authorize?oauth_token=x'),
    ).rejects.toThrow(/not an authorization endpoint/)
    await expect(
      emulation.authorize('https://acme.test/oauth/authorize?oauth_token=x'),
    ).rejects.toThrow(/no oauth_token this provider issued/)
  })

  it('issueToken makes token credentials the API accepts', async () => {
    const emulation = await createOAuth1Emulation(spec, [{ id: 'u1' }, { id: 'u2' }])
    server.use(...emulation.handlers)
    expect(
      await register()
        .get('me', { token: emulation.issueToken('u2') })
        .json(),
    ).toEqual({ id: 'u2' })
  })
})
