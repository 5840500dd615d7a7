import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth } from '../../src/index.js'
import { github, githubTokenResponse } from '../../src/providers/index.js'
import { completeLogin, emulateGitHub, type EmulatedUser } from '../../testing/index.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup(options: { enterpriseUrl?: string; users?: EmulatedUser[] } = {}) {
  const emulation = await emulateGitHub(options)
  server.use(...emulation.handlers)
  const oauth = new OAuth({ secret: SECRET }).register(
    'github',
    github({
      clientId: 'gh-client',
      clientSecret: 'gh-secret',
      enterpriseUrl: options.enterpriseUrl,
    }),
  )
  return { emulation, app: oauth.create('github') }
}

describe('github preset', () => {
  it('logs in through the emulation and reads the normalised profile, email from /user/emails', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(token).toMatchObject({ token_type: 'bearer', scope: 'read:user,user:email' })
    const profile = await app.profile(token)
    expect(profile).toEqual({
      sub: '583231',
      name: 'The Octocat',
      email: 'octocat@github.test',
      email_verified: true,
      picture: 'https://avatars.github.test/u/583231',
      raw: expect.objectContaining({ login: 'octocat', email: null }),
    })
    // Every API call carried a User-Agent (GitHub refuses calls without one).
    expect(
      emulation.calls
        .filter((c) => c.url.startsWith('https://api.github.com'))
        .every((c) => c.headers.get('user-agent')),
    ).toBe(true)
  })

  it('quirk: errors sent with HTTP 200 become token_error with the provider fields', async () => {
    const { emulation, app } = await setup()
    const cookies = new MemoryCookieJar()
    const res = await app.authorizeRedirect({ cookies }, 'https://app.test/cb')
    const callback = await emulation.authorize(res.headers.get('location')!)
    const url = new URL(callback.url)
    url.searchParams.set('code', 'expired-code')
    const err = await expectCode(
      app.authorizeAccessToken({ cookies, request: new Request(url) }),
      ErrorCode.TOKEN_ERROR,
    )
    expect(err).toMatchObject({ error: 'invalid_grant', status: 400 })
  })

  it('quirk: a form-encoded token response is read (when JSON was not asked for)', async () => {
    const form = new Response('access_token=gho_x&token_type=bearer&scope=read%3Auser', {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    })
    const fixed = (await githubTokenResponse(form))!
    expect(fixed.status).toBe(200)
    expect(await fixed.json()).toEqual({
      access_token: 'gho_x',
      token_type: 'bearer',
      scope: 'read:user',
    })
  })

  it('quirk: a user with a public email and no verified primary keeps the public one, unverified', async () => {
    const { emulation, app } = await setup({
      users: [{ id: '7', login: 'pub', public_email: 'pub@github.test' }],
    })
    const token = await completeLogin(app, emulation)
    const profile = await app.profile(token)
    expect(profile).toMatchObject({ sub: '7', name: 'pub', email: 'pub@github.test' })
    expect(profile.email_verified).toBeUndefined()
  })

  it('GitHub Enterprise Server: endpoints and API under the base URL', async () => {
    const { emulation, app } = await setup({ enterpriseUrl: 'https://github.example.com' })
    expect(app.config).toMatchObject({
      authorizeUrl: 'https://github.example.com/login/oauth/authorize',
      apiBaseUrl: 'https://github.example.com/api/v3',
    })
    const token = await completeLogin(app, emulation)
    expect((await app.profile(token)).sub).toBe('583231')
  })
})
