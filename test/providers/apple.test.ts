import * as jose from 'jose'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth } from '../../src/index.js'
import {
  APPLE_CLIENT_SECRET_MAX_LIFETIME,
  apple,
  appleClientSecret,
  appleUser,
  type AppleOptions,
  type AppleProfile,
} from '../../src/providers/apple.js'
import { completeLogin } from '../../testing/emulator.js'
import {
  APPLE_PRIVATE_RELAY_TEST_USER,
  APPLE_TEST_USER,
  emulateApple,
  generateAppleTestKey,
  type AppleTestKey,
} from '../../testing/providers/apple.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()
const CLIENT_ID = 'com.example.web'

type Config = ReturnType<typeof apple>

async function setup(
  options: Partial<AppleOptions> = {},
  edit: (c: Config) => Config = (c) => c,
  emulationKey?: AppleTestKey,
) {
  const key = await generateAppleTestKey()
  const emulation = await emulateApple({ clientSecretKey: emulationKey ?? key })
  server.use(...emulation.handlers)
  const config = edit(
    apple({
      clientId: CLIENT_ID,
      teamId: key.teamId,
      keyId: key.keyId,
      privateKey: key.privateKey,
      ...options,
    }),
  )
  const oauth = new OAuth({ secret: SECRET }).register('apple', config)
  return { emulation, app: oauth.create('apple'), key }
}

/** The callback request of one login, and the app's token. */
async function login(ctx: Awaited<ReturnType<typeof setup>>, user?: string) {
  const cookies = new MemoryCookieJar()
  const redirect = await ctx.app.authorizeRedirect(
    { cookies },
    'https://app.test/auth/apple/callback',
  )
  const request = await ctx.emulation.authorize(redirect.headers.get('location')!, { user })
  const token = await ctx.app.authorizeAccessToken({ cookies, request })
  return { request, token }
}

afterEach(() => {
  vi.useRealTimers()
})

describe('apple preset', () => {
  it('logs in through the emulation (form_post, signed client secret) and reads the profile from the ID token', async () => {
    const ctx = await setup()
    const location = new URL(
      (
        await ctx.app.authorizeRedirect({ cookies: new MemoryCookieJar() }, 'https://app.test/cb')
      ).headers.get('location')!,
    )
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      response_mode: 'form_post',
      scope: 'openid name email',
      nonce: expect.any(String),
    })

    const token = await completeLogin(ctx.app, ctx.emulation)
    const tokenCall = ctx.emulation.calls.find(
      (c) => c.url === 'https://appleid.apple.com/auth/token',
    )!
    expect(tokenCall.headers.get('authorization')).toBeNull()
    expect(new URLSearchParams(tokenCall.body).get('client_secret')).toMatch(/^ey/)

    const profile = (await ctx.app.profile(token)) as AppleProfile
    expect(profile).toEqual({
      sub: APPLE_TEST_USER.id,
      email: 'ada@icloud.test',
      email_verified: true,
      is_private_email: false,
      raw: expect.objectContaining({ email_verified: 'true', is_private_email: 'false' }),
    })
  })

  it('quirk: email_verified and is_private_email arrive as strings; only the preset loader reads them', async () => {
    const ctx = await setup()
    const token = await completeLogin(ctx.app, ctx.emulation, {
      user: APPLE_PRIVATE_RELAY_TEST_USER.id,
    })
    expect(await ctx.app.profile(token)).toMatchObject({
      email: 'x7k2p9q4mz@privaterelay.appleid.com',
      email_verified: true,
      is_private_email: true,
    })

    const plain = await setup({}, (c) => ({ ...c, profile: undefined }) as unknown as Config)
    const plainToken = await completeLogin(plain.app, plain.emulation)
    expect((await plain.app.profile(plainToken)).email_verified).toBeUndefined()
  })

  it('quirk: the name comes only on the first login, as the JSON user field of the callback form', async () => {
    const ctx = await setup()
    const first = await login(ctx)
    expect(await appleUser(first.request)).toEqual({
      name: { firstName: 'Ada', lastName: 'Lovelace' },
      email: 'ada@icloud.test',
    })
    const second = await login(ctx)
    expect(second.token.userinfo?.sub).toBe(first.token.userinfo?.sub)
    expect(await appleUser(second.request)).toBeUndefined()
    // Not a form: nothing to read.
    expect(await appleUser(new Request('https://app.test/cb?user=%7B%7D'))).toBeUndefined()
  })

  it('quirk: response_mode must be form_post when name or email is requested', async () => {
    expect(() =>
      apple({
        clientId: CLIENT_ID,
        teamId: 'T',
        keyId: 'K',
        privateKey: '-----BEGIN PRIVATE KEY-----',
        responseMode: 'query',
      }),
    ).toThrow(/form_post/)
    // Without the preset's form_post, Apple refuses the request.
    const ctx = await setup({}, (c) => ({ ...c, responseMode: undefined }))
    await expect(completeLogin(ctx.app, ctx.emulation)).rejects.toThrow(
      /response_mode must be form_post/,
    )
  })

  it('quirk: the client secret is an ES256 JWT for Apple, signed lazily, reused, and re-signed before it expires', async () => {
    const key = await generateAppleTestKey()
    const secret = appleClientSecret({
      clientId: CLIENT_ID,
      teamId: key.teamId,
      keyId: key.keyId,
      privateKey: key.privateKey,
      clientSecretLifetime: 600,
    })
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-11-01T00:00:00Z'))
    const jwt = await secret()
    const { payload, protectedHeader } = await jose.jwtVerify(jwt, key.publicKey, {
      issuer: key.teamId,
      subject: CLIENT_ID,
      audience: 'https://appleid.apple.com',
    })
    expect(protectedHeader).toEqual({ alg: 'ES256', kid: key.keyId })
    expect(payload.exp! - payload.iat!).toBe(600)
    expect(await secret()).toBe(jwt)
    // Within 60 s of its expiry it is signed again.
    vi.setSystemTime(new Date('2026-11-01T00:09:30Z'))
    const next = await secret()
    expect(next).not.toBe(jwt)
    expect(jose.decodeJwt(next).iat).toBe(Date.parse('2026-11-01T00:09:30Z') / 1000)

    expect(() =>
      appleClientSecret({
        clientId: CLIENT_ID,
        teamId: 'T',
        keyId: 'K',
        privateKey: key.privateKey,
        clientSecretLifetime: APPLE_CLIENT_SECRET_MAX_LIFETIME + 1,
      }),
    ).toThrow(/six months/)
    expect(() =>
      appleClientSecret({ clientId: CLIENT_ID, teamId: 'T', keyId: 'K', privateKey: 'not a key' }),
    ).toThrow(/p8/)
  })

  it('quirk: a secret signed with the wrong key is refused by Apple as invalid_client', async () => {
    const other = await generateAppleTestKey()
    const ctx = await setup({}, undefined, other)
    const err = await expectCode(completeLogin(ctx.app, ctx.emulation), ErrorCode.TOKEN_ERROR)
    expect(err.error).toBe('invalid_client')
  })

  it("quirk: a cancelled sign-in is Apple's user_cancelled_authorize, mapped to access_denied by the preset", async () => {
    const ctx = await setup()
    const cookies = new MemoryCookieJar()
    const redirect = await ctx.app.authorizeRedirect({ cookies }, 'https://app.test/cb')
    const request = await ctx.emulation.authorize(redirect.headers.get('location')!, { deny: true })
    expect(new URLSearchParams(await request.clone().text()).get('error')).toBe(
      'user_cancelled_authorize',
    )
    const err = await expectCode(
      ctx.app.authorizeAccessToken({ cookies, request }),
      ErrorCode.ACCESS_DENIED,
    )
    expect(err.error).toBe('access_denied')
    // The transaction is spent: the same callback cannot be replayed.
    await expectCode(
      ctx.app.authorizeAccessToken({ cookies, request }),
      ErrorCode.TRANSACTION_NOT_FOUND,
    )
  })

  it('completeAuthorization returns the callback parameters: the user field on the first login only, never the code', async () => {
    const ctx = await setup()
    const cookies = new MemoryCookieJar()
    const redirect = await ctx.app.authorizeRedirect({ cookies }, 'https://app.test/cb')
    const request = await ctx.emulation.authorize(redirect.headers.get('location')!)
    const first = await ctx.app.completeAuthorization({ cookies, request })
    expect(JSON.parse(first.params.user!)).toEqual({
      name: { firstName: 'Ada', lastName: 'Lovelace' },
      email: 'ada@icloud.test',
    })
    expect(first.params.state).toBe(
      new URL(redirect.headers.get('location')!).searchParams.get('state'),
    )
    expect(first.params.code).toBeUndefined()
    expect(Object.isFrozen(first.params)).toBe(true)
    const again = await ctx.app.authorizeRedirect({ cookies }, 'https://app.test/cb')
    const second = await ctx.app.completeAuthorization({
      cookies,
      request: await ctx.emulation.authorize(again.headers.get('location')!),
    })
    expect(second.params.user).toBeUndefined()
  })

  it('refreshes with the re-signed secret (Apple returns no new refresh token)', async () => {
    const ctx = await setup()
    const { token } = await login(ctx)
    const refreshed = await ctx.app.refreshToken(token)
    expect(refreshed.refresh_token).toBe(token.refresh_token)
    expect(refreshed.userinfo?.sub).toBe(APPLE_TEST_USER.id)
  })
})
