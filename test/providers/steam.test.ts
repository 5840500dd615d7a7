/**
 * The `steam` preset (an OpenID 2.0 app) against the Steam emulation: the login with its assertion
 * verified by `check_authentication`, the SteamID64, and GetPlayerSummaries with the Web API key;
 * one test per quirk.
 */
import { describe, expect, expectTypeOf, it } from 'vitest'
import {
  ErrorCode,
  MemoryCookieJar,
  OAuth,
  OpenIdApp,
  authRoute,
  bindWithSession,
  type OpenIdIdentity,
} from '../../src/index.js'
import { steam, steamId, type SteamOptions } from '../../src/providers/steam.js'
import { completeLogin } from '../../testing/emulator.js'
import {
  STEAM_TEST_API_KEY,
  emulateSteam,
  type SteamEmulationOptions,
} from '../../testing/providers/steam.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()
const CALLBACK = 'https://app.test/auth/steam/callback'

function setup(
  preset: SteamOptions = { apiKey: STEAM_TEST_API_KEY },
  options?: SteamEmulationOptions,
) {
  const emulation = emulateSteam(options)
  server.use(...emulation.handlers)
  const saved: OpenIdIdentity[] = []
  const app = new OAuth({
    secret: SECRET,
    updateToken: (_n, t) => void saved.push(t as OpenIdIdentity),
  })
    .register('steam', steam(preset))
    .create('steam')
  return { emulation, app, saved }
}

describe('steam preset', () => {
  it('logs in through the emulation (OpenID 2.0) and reads the profile from GetPlayerSummaries', async () => {
    const { emulation, app, saved } = setup()
    expect(app).toBeInstanceOf(OpenIdApp)
    expectTypeOf(app).toEqualTypeOf<OpenIdApp>()
    const identity = await completeLogin(app, emulation, { redirectUri: CALLBACK })
    expect(identity).toEqual({
      claimed_id: 'https://steamcommunity.com/openid/id/76561197960287930',
      identity: 'https://steamcommunity.com/openid/id/76561197960287930',
      op_endpoint: 'https://steamcommunity.com/openid/login',
    })
    expect(saved).toEqual([identity])
    const profile = await app.profile(identity)
    expect(profile).toEqual({
      sub: '76561197960287930',
      name: 'Ada Tester',
      picture: 'https://avatars.steamstatic.test/ada_full.jpg',
      raw: expect.objectContaining({ steamid: '76561197960287930', personaname: 'Ada Tester' }),
    })
    expect(
      emulation.calls.map((c) => `${c.method} ${new URL(c.url).origin}${new URL(c.url).pathname}`),
    ).toEqual([
      'POST https://steamcommunity.com/openid/login',
      'GET https://api.steampowered.com/ISteamUser/GetPlayerSummaries/v2/',
    ])
    expect(new URLSearchParams(emulation.calls[0]!.body).get('openid.mode')).toBe(
      'check_authentication',
    )
  })

  it('signs in through the framework-free routes (authRoute): login, Steam, callback, onSuccess with the identity', async () => {
    const emulation = emulateSteam()
    server.use(...emulation.handlers)
    const oauth = new OAuth({ secret: SECRET }).register('steam', steam({}))
    const cookies = new MemoryCookieJar()
    const bind = (url: string) =>
      bindWithSession(oauth, { cookies, request: new Request(url) }, 'https://app.test')
    const login = await authRoute(
      await bind('https://app.test/auth/steam/login?returnTo=/games'),
      'steam',
      'login',
    )
    expect(login.status).toBe(302)
    const callback = await emulation.authorize(login.headers.get('location')!)
    expect(new URL(callback.url).pathname).toBe('/auth/steam/callback')
    const signedIn: unknown[] = []
    const done = await authRoute(await bind(callback.url), 'steam', 'callback', {
      onSuccess: ({ token, returnTo, userId }) => void signedIn.push({ token, returnTo, userId }),
    })
    expect(done.status).toBe(303)
    expect(done.headers.get('location')).toBe('/games')
    expect(signedIn).toEqual([
      {
        token: expect.objectContaining({
          claimed_id: 'https://steamcommunity.com/openid/id/76561197960287930',
        }),
        returnTo: '/games',
        // No apiKey, so no profile: the user is keyed by the claimed id.
        userId: 'steam:https://steamcommunity.com/openid/id/76561197960287930',
      },
    ])
  })

  it('asks Steam with identifier_select and a return_to carrying the login state', async () => {
    const { app } = setup()
    const redirect = await app.authorizeRedirect({ cookies: new MemoryCookieJar() }, CALLBACK)
    const url = new URL(redirect.headers.get('location')!)
    expect(`${url.origin}${url.pathname}`).toBe('https://steamcommunity.com/openid/login')
    expect(url.searchParams.get('openid.claimed_id')).toBe(
      'http://specs.openid.net/auth/2.0/identifier_select',
    )
    expect(url.searchParams.get('openid.return_to')).toMatch(
      /^https:\/\/app\.test\/auth\/steam\/callback\?state=[\w-]{43}$/,
    )
    expect(url.searchParams.get('openid.realm')).toBe('https://app.test/')
    expect(steam({ realm: 'https://app.test/auth/' }).realm).toBe('https://app.test/auth/')
  })

  it('quirk: the SteamID64 is the claimed id’s last segment, and only a Steam claimed id has one', () => {
    expect(steamId({ claimed_id: 'https://steamcommunity.com/openid/id/76561197960287930' })).toBe(
      '76561197960287930',
    )
    expect(
      steamId({ claimed_id: 'http://steamcommunity.com/openid/id/76561197960287930' }),
    ).toBeUndefined()
    expect(steamId({ claimed_id: 'https://steamcommunity.com/openid/id/765/../1' })).toBeUndefined()
    expect(steamId({ claimed_id: 'https://evil.test/openid/id/76561197960287930' })).toBeUndefined()
  })

  it('quirk: Steam’s own identifiers need no discovery, anything else Steam asserts does', async () => {
    const { emulation, app } = setup()
    await completeLogin(app, emulation)
    // No GET of the claimed id: only check_authentication.
    expect(emulation.calls.map((c) => c.method)).toEqual(['POST'])
    expect(app.config.claimedIdPrefix).toBe('https://steamcommunity.com/openid/id/')
  })

  it('quirk: the Web API key goes in the key query parameter, to the Web API only; without one profile() is unsupported', async () => {
    const { emulation, app } = setup()
    const identity = await completeLogin(app, emulation)
    await app.profile(identity)
    const summary = new URL(emulation.calls[1]!.url)
    expect(summary.searchParams.get('key')).toBe(STEAM_TEST_API_KEY)
    expect(summary.searchParams.get('steamids')).toBe('76561197960287930')
    // The check_authentication POST carried no key.
    expect(emulation.calls[0]!.url).not.toContain(STEAM_TEST_API_KEY)
    expect(emulation.calls[0]!.body).not.toContain(STEAM_TEST_API_KEY)
    const keyless = setup({})
    const error = await expectCode(keyless.app.profile(identity), ErrorCode.UNSUPPORTED_OPERATION)
    expect(error.message).toMatch(/needs apiKey/)
  })

  it('quirk: a refused Web API key is a 403 HTML page: http_error that names the key, not its value', async () => {
    const { emulation, app } = setup({ apiKey: 'WRONGKEY0000' })
    const identity = await completeLogin(app, emulation)
    const error = await expectCode(app.profile(identity), ErrorCode.HTTP_ERROR)
    expect(error.status).toBe(403)
    expect(error.message).toBe(
      'steam: GetPlayerSummaries failed with HTTP 403 (is the Web API key valid?)',
    )
    expect(error.message).not.toContain('WRONGKEY')
  })

  it('quirk: an unknown account is missing from players: invalid_response', async () => {
    const { emulation, app } = setup(undefined, { deleted: ['76561197960287930'] })
    const identity = await completeLogin(app, emulation)
    await expectCode(app.profile(identity), ErrorCode.INVALID_RESPONSE)
  })

  it('quirk: Cancel at Steam comes back as openid.mode=cancel: access_denied, nothing saved', async () => {
    const { emulation, app, saved } = setup()
    const cookies = new MemoryCookieJar()
    const redirect = await app.authorizeRedirect({ cookies }, CALLBACK)
    const request = await emulation.authorize(redirect.headers.get('location')!, { deny: true })
    await expectCode(app.authorizeAccessToken({ cookies, request }), ErrorCode.ACCESS_DENIED)
    expect(saved).toEqual([])
  })

  it('refuses unknown option keys and an empty apiKey', async () => {
    await expectCode(
      Promise.resolve().then(() => steam({ api_key: 'x' } as never)),
      ErrorCode.CONFIG_INVALID,
    )
    await expectCode(
      Promise.resolve().then(() => steam({ apiKey: '' })),
      ErrorCode.CONFIG_INVALID,
    )
  })
})
