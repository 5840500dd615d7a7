import { describe, expect, it } from 'vitest'
import { MemoryCookieJar, OAuth } from '../../src/index.js'
import { okta } from '../../src/providers/okta.js'
import { completeLogin } from '../../testing/emulator.js'
import { emulateOkta, OKTA_TEST_USER } from '../../testing/providers/okta.js'
import { SECRET, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup(issuer: string, scope?: string) {
  const emulation = await emulateOkta({ issuer })
  server.use(...emulation.handlers)
  const oauth = new OAuth({ secret: SECRET }).register(
    'okta',
    okta({
      issuer,
      clientId: '0oa1b2c3d4e5f6g7h8i9',
      clientSecret: 'okta-secret',
      ...(scope && { scope }),
    }),
  )
  return { emulation, app: oauth.create('okta') }
}

describe('okta preset', () => {
  it('logs in to a custom authorization server and reads the normalised profile from userinfo', async () => {
    const { emulation, app } = await setup('https://dev-123456.okta.com/oauth2/default')
    const token = await completeLogin(app, emulation)
    expect(token.userinfo).toMatchObject({
      iss: 'https://dev-123456.okta.com/oauth2/default',
      sub: OKTA_TEST_USER.id,
    })
    expect(await app.profile(token)).toEqual({
      sub: '00uid4BxXw6I6TV4m0g3',
      name: 'Jane Doe',
      email: 'jane.doe@example.com',
      email_verified: true,
      raw: expect.objectContaining({
        preferred_username: 'jane.doe@example.com',
        zoneinfo: 'America/Los_Angeles',
      }),
    })
    expect(
      emulation.calls.some(
        (c) => c.url === 'https://dev-123456.okta.com/oauth2/default/v1/userinfo',
      ),
    ).toBe(true)
  })

  it('logs in to the org authorization server (endpoints under /oauth2/v1), a trailing slash in the issuer ignored', async () => {
    const { emulation, app } = await setup('https://dev-123456.okta.com/')
    const location = new URL(
      (
        await app.authorizeRedirect({ cookies: new MemoryCookieJar() }, 'https://app.test/cb')
      ).headers.get('location')!,
    )
    expect(location.origin + location.pathname).toBe(
      'https://dev-123456.okta.com/oauth2/v1/authorize',
    )
    const token = await completeLogin(app, emulation)
    expect(token.userinfo?.iss).toBe('https://dev-123456.okta.com')
  })

  it('refresh tokens come with offline_access', async () => {
    const { emulation, app } = await setup(
      'https://dev-123456.okta.com/oauth2/default',
      'openid profile email offline_access',
    )
    const token = await completeLogin(app, emulation)
    const refreshed = await app.refreshToken(token)
    expect(refreshed.userinfo?.sub).toBe(OKTA_TEST_USER.id)
    expect(refreshed.access_token).not.toBe(token.access_token)
  })

  it('refuses an issuer that is not a URL', () => {
    expect(() => okta({ issuer: 'dev-123456', clientId: 'x' })).toThrow(/issuer/)
  })
})
