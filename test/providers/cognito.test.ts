import { describe, expect, it } from 'vitest'
import { OAuth } from '../../src/index.js'
import { cognito } from '../../src/providers/index.js'
import {
  completeLogin,
  COGNITO_TEST_USER,
  emulateCognito,
  type EmulatedUser,
} from '../../testing/index.js'
import { SECRET, useMsw } from '../support/helpers.js'

const server = useMsw()
const DOMAIN = 'https://acme.auth.eu-west-1.amazoncognito.com'

async function setup(options: { users?: EmulatedUser[]; domain?: string } = {}) {
  const emulation = await emulateCognito(options)
  server.use(...emulation.handlers)
  const oauth = new OAuth({ secret: SECRET }).register(
    'cognito',
    cognito({
      userPoolId: 'eu-west-1_AbCdEf123',
      domain: options.domain ?? DOMAIN,
      clientId: 'cognito-client',
      clientSecret: 'cognito-secret',
    }),
  )
  return { emulation, app: oauth.create('cognito') }
}

describe('cognito preset', () => {
  it('logs in through the pool domain, the ID token issued by the pool, and reads userInfo', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(token.userinfo).toMatchObject({
      iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123',
      'cognito:username': 'jdoe',
      token_use: 'id',
    })
    expect(await app.profile(token)).toEqual({
      sub: COGNITO_TEST_USER.id,
      name: 'Jane Doe',
      email: 'jane@cognito.test',
      email_verified: true,
      raw: expect.objectContaining({ username: 'jdoe', email_verified: 'true' }),
    })
  })

  it('quirk: email_verified "false" (a string) is not verified', async () => {
    const { emulation, app } = await setup({
      users: [{ id: 'u-2', username: 'x', email: 'x@cognito.test', email_verified: false }],
    })
    const profile = await app.profile(await completeLogin(app, emulation))
    expect(profile).toMatchObject({ email: 'x@cognito.test', email_verified: false })
  })

  it('quirk: logout goes to /logout with client_id and logout_uri, no ID token in the URL', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    const res = await app.logoutRedirect({
      idTokenHint: token,
      postLogoutRedirectUri: 'https://app.test/signed-out',
    })
    const url = new URL(res.headers.get('location')!)
    expect(url.origin + url.pathname).toBe(`${DOMAIN}/logout`)
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'cognito-client',
      logout_uri: 'https://app.test/signed-out',
    })
    // The emulated /logout accepts it (and would refuse post_logout_redirect_uri alone).
    const answer = await fetch(url, { redirect: 'manual' })
    expect(answer.headers.get('location')).toBe('https://app.test/signed-out')
  })

  it('a custom domain; the pool id and domain are checked', async () => {
    const { emulation, app } = await setup({ domain: 'https://auth.acme.test/' })
    expect(app.config.authorizeUrl).toBe('https://auth.acme.test/oauth2/authorize')
    expect((await completeLogin(app, emulation)).userinfo?.sub).toBe(COGNITO_TEST_USER.id)
    expect(() => cognito({ clientId: 'c', userPoolId: 'AbCdEf123', domain: DOMAIN })).toThrow(
      /userPoolId must be/,
    )
    expect(() =>
      cognito({
        clientId: 'c',
        userPoolId: 'eu-west-1_A',
        domain: 'acme.auth.eu-west-1.amazoncognito.com',
      }),
    ).toThrow(/domain must be/)
  })
})
