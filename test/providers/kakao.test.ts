import { HTTPError } from 'ky'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth } from '../../src/index.js'
import { kakao, kakaoApiResponse, kakaoTokenResponse } from '../../src/providers/index.js'
import {
  completeLogin,
  emulateKakao,
  KAKAO_TEST_USER,
  type EmulatedUser,
} from '../../testing/index.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup(options: { users?: EmulatedUser[]; withSecret?: boolean } = {}) {
  const clientSecret = options.withSecret === false ? undefined : 'kakao-client-secret'
  const emulation = await emulateKakao({ users: options.users, clientSecret })
  server.use(...emulation.handlers)
  const oauth = new OAuth({ secret: SECRET }).register(
    'kakao',
    kakao({ clientId: 'kakao-rest-api-key', clientSecret }),
  )
  return { emulation, app: oauth.create('kakao') }
}

describe('kakao preset', () => {
  it('logs in through the emulation (ID token with the nonce) and reads the normalised profile', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(token.userinfo).toMatchObject({
      iss: 'https://kauth.kakao.com',
      sub: KAKAO_TEST_USER.id,
      aud: 'kakao-rest-api-key',
      nonce: expect.any(String),
    })
    expect(await app.profile(token)).toEqual({
      sub: '2912345678',
      name: '라이언',
      email: 'ryan@kakao.test',
      email_verified: true,
      picture: 'https://k.kakaocdn.test/dn/ryan.jpg',
      raw: expect.objectContaining({ id: 2912345678 }),
    })
    // The client secret went in the body (client_secret_post).
    const call = emulation.calls.find((c) => c.url.endsWith('/oauth/token'))!
    expect(new URLSearchParams(call.body).get('client_secret')).toBe('kakao-client-secret')
    expect(call.headers.has('authorization')).toBe(false)
  })

  it("quirk: an ID token whose nonce is not the login's is refused", async () => {
    const { emulation, app } = await setup()
    const cookies = new MemoryCookieJar()
    const res = await app.authorizeRedirect({ cookies }, 'https://app.test/cb')
    const location = new URL(res.headers.get('location')!)
    location.searchParams.set('nonce', 'another-login-nonce')
    const callback = await emulation.authorize(location)
    await expectCode(
      app.authorizeAccessToken({ cookies, request: callback }),
      ErrorCode.ID_TOKEN_INVALID,
    )
  })

  it("quirk: the API's { code: -401 } without a challenge refreshes the token and retries once", async () => {
    const { emulation, app } = await setup()
    const valid = emulation.issueToken()
    const stale = { ...valid, access_token: 'kakao-at-revoked' }
    const profile = await app.profile(stale)
    expect(profile.sub).toBe('2912345678')
    expect(emulation.calls.filter((c) => c.url.endsWith('/oauth/token'))).toHaveLength(1)
    // The hook alone: -401 → 401 invalid_token, -402 → 403 insufficient_scope, others untouched.
    const fixed = (await kakaoApiResponse(
      Response.json({ code: -402, msg: 'insufficient scopes.' }, { status: 403 }),
    ))!
    expect(fixed.headers.get('www-authenticate')).toMatch(/error="insufficient_scope"/)
    const other = Response.json({ code: -2, msg: 'bad param' }, { status: 400 })
    expect(await kakaoApiResponse(other)).toBe(other)
  })

  it('quirk: a stale token without a refresh token surfaces as the 401', async () => {
    const { app } = await setup()
    const err = await app
      .profile({ access_token: 'kakao-at-revoked', token_type: 'bearer' })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HTTPError)
    expect((err as HTTPError).response.status).toBe(401)
  })

  it('quirk: token errors keep their RFC 6749 error; the { code, msg } shape gets one', async () => {
    const { emulation, app } = await setup()
    const cookies = new MemoryCookieJar()
    const res = await app.authorizeRedirect({ cookies }, 'https://app.test/cb')
    const callback = new URL((await emulation.authorize(res.headers.get('location')!)).url)
    callback.searchParams.set('code', 'used-code')
    const err = await expectCode(
      app.authorizeAccessToken({ cookies, request: new Request(callback) }),
      ErrorCode.TOKEN_ERROR,
    )
    expect(err).toMatchObject({ error: 'invalid_grant' })
    server.use(
      http.post('https://kauth.kakao.com/oauth/token', () =>
        HttpResponse.json({ msg: 'wrong appKey', code: -401 }, { status: 401 }),
      ),
    )
    const cookies2 = new MemoryCookieJar()
    const res2 = await app.authorizeRedirect({ cookies: cookies2 }, 'https://app.test/cb')
    const err2 = await expectCode(
      app.authorizeAccessToken({
        cookies: cookies2,
        request: await emulation.authorize(res2.headers.get('location')!),
      }),
      ErrorCode.TOKEN_ERROR,
    )
    expect(err2).toMatchObject({ error: 'invalid_client' })
    const ok = Response.json({ access_token: 'x' })
    expect(await kakaoTokenResponse(ok)).toBe(ok)
  })

  it('quirk: an email Kakao no longer deems valid is not verified; one without consent is absent', async () => {
    const { emulation, app } = await setup({
      users: [
        { id: '11', name: 'a', email: 'a@kakao.test', email_verified: true, email_valid: false },
        { id: '12', name: 'b' },
      ],
    })
    const a = await app.profile(await completeLogin(app, emulation, { user: '11' }))
    expect(a).toMatchObject({ email: 'a@kakao.test', email_verified: false })
    const b = await app.profile(await completeLogin(app, emulation, { user: '12' }))
    expect(b.email).toBeUndefined()
    expect(b.email_verified).toBeUndefined()
  })

  it('without a client secret the app is a public client (PKCE, no secret)', async () => {
    const { emulation, app } = await setup({ withSecret: false })
    expect(app.config.tokenEndpointAuthMethod).toBe('none')
    await completeLogin(app, emulation)
    const call = emulation.calls.find((c) => c.url.endsWith('/oauth/token'))!
    expect(new URLSearchParams(call.body).get('code_verifier')).toBeTruthy()
  })
})
