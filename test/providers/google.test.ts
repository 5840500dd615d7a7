import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth } from '../../src/index.js'
import { google, type GoogleOptions } from '../../src/providers/google.js'
import { completeLogin } from '../../testing/emulator.js'
import {
  emulateGoogle,
  GOOGLE_TEST_USER,
  GOOGLE_WORKSPACE_TEST_USER,
} from '../../testing/providers/google.js'
import type { EmulatedUser } from '../../testing/emulator.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup(
  options: Partial<GoogleOptions> = {},
  users?: EmulatedUser[],
  edit: (c: ReturnType<typeof google>) => object = (c) => c,
) {
  const emulation = await emulateGoogle({ users })
  server.use(...emulation.handlers)
  const config = edit(
    google({
      clientId: 'google-client.apps.googleusercontent.com',
      clientSecret: 'google-secret',
      ...options,
    }),
  )
  const oauth = new OAuth({ secret: SECRET }).register(
    'google',
    config as ReturnType<typeof google>,
  )
  return { emulation, app: oauth.create('google') }
}

async function authorizeUrl(app: Awaited<ReturnType<typeof setup>>['app']) {
  const res = await app.authorizeRedirect({ cookies: new MemoryCookieJar() }, 'https://app.test/cb')
  return new URL(res.headers.get('location')!)
}

describe('google preset', () => {
  it('logs in through the emulation and reads the normalised profile from userinfo', async () => {
    const { emulation, app } = await setup()
    const url = await authorizeUrl(app)
    expect(url.origin + url.pathname).toBe('https://accounts.google.com/o/oauth2/v2/auth')
    expect(url.searchParams.get('scope')).toBe('openid email profile')
    // Neither is a default: a sign-in needs no refresh token and no forced consent screen.
    expect(url.searchParams.has('access_type')).toBe(false)
    expect(url.searchParams.has('prompt')).toBe(false)

    const token = await completeLogin(app, emulation)
    expect(token.userinfo).toMatchObject({
      iss: 'https://accounts.google.com',
      sub: GOOGLE_TEST_USER.id,
    })
    expect(token.refresh_token).toBeUndefined()
    expect(await app.profile(token)).toEqual({
      sub: '108204268033311374519',
      name: 'Ada Lovelace',
      email: 'ada.lovelace@gmail.test',
      email_verified: true,
      picture: 'https://lh3.googleusercontent.test/a/ada',
      raw: expect.objectContaining({ given_name: 'Ada', locale: 'en' }),
    })
    expect(
      emulation.calls.some((c) => c.url === 'https://openidconnect.googleapis.com/v1/userinfo'),
    ).toBe(true)
  })

  it('quirk: an ID token with the scheme-less issuer "accounts.google.com" is accepted (and only with the hook)', async () => {
    const legacy: EmulatedUser = { ...GOOGLE_TEST_USER, legacyIssuer: true }
    const { emulation, app } = await setup({}, [legacy])
    const token = await completeLogin(app, emulation)
    expect(token.userinfo?.iss).toBe('accounts.google.com')

    const without = await setup({}, [legacy], (c) => ({ ...c, idTokenIssuer: undefined }))
    await expectCode(completeLogin(without.app, without.emulation), ErrorCode.ID_TOKEN_INVALID)
  })

  it('quirk: hostedDomain sends hd and checks the ID token hd claim, since hd is only a UI hint', async () => {
    const { emulation, app } = await setup({ hostedDomain: 'example.com' })
    expect((await authorizeUrl(app)).searchParams.get('hd')).toBe('example.com')
    const token = await completeLogin(app, emulation, { user: GOOGLE_WORKSPACE_TEST_USER.email })
    expect((await app.profile(token)).raw.hd).toBe('example.com')
    // A consumer account (no hd), e.g. after editing hd out of the URL, is refused.
    await expectCode(
      completeLogin(app, emulation, { user: GOOGLE_TEST_USER.email }),
      ErrorCode.ID_TOKEN_INVALID,
    )

    const anyWorkspace = await setup({ hostedDomain: '*' })
    await completeLogin(anyWorkspace.app, anyWorkspace.emulation, {
      user: GOOGLE_WORKSPACE_TEST_USER.email,
    })
    await expectCode(
      completeLogin(anyWorkspace.app, anyWorkspace.emulation),
      ErrorCode.ID_TOKEN_INVALID,
    )
  })

  it('accessType offline: a refresh token on the first consent only, again with prompt consent', async () => {
    const { emulation, app } = await setup({ accessType: 'offline' })
    expect((await authorizeUrl(app)).searchParams.get('access_type')).toBe('offline')
    const first = await completeLogin(app, emulation)
    expect(first.refresh_token).toEqual(expect.any(String))
    const second = await completeLogin(app, emulation)
    expect(second.refresh_token).toBeUndefined()

    // Google does not rotate refresh tokens: the old one is kept.
    const refreshed = await app.refreshToken(first)
    expect(refreshed.access_token).not.toBe(first.access_token)
    expect(refreshed.refresh_token).toBe(first.refresh_token)

    const prompted = await setup({ accessType: 'offline', prompt: 'consent' })
    await completeLogin(prompted.app, prompted.emulation)
    expect((await completeLogin(prompted.app, prompted.emulation)).refresh_token).toEqual(
      expect.any(String),
    )
  })
})
