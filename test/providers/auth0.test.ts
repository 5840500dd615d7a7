import { describe, expect, it } from 'vitest'
import { ErrorCode, OAuth } from '../../src/index.js'
import { auth0, type Auth0Options } from '../../src/providers/auth0.js'
import { completeLogin, type EmulatedUser } from '../../testing/emulator.js'
import { AUTH0_TEST_USER, emulateAuth0 } from '../../testing/providers/auth0.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

type Config = ReturnType<typeof auth0>

async function setup(
  options: Partial<Auth0Options> = {},
  users?: EmulatedUser[],
  edit: (c: Config) => Config = (c) => c,
) {
  const emulation = await emulateAuth0({ users })
  server.use(...emulation.handlers)
  const oauth = new OAuth({ secret: SECRET }).register(
    'auth0',
    edit(
      auth0({
        domain: 'dev-abc123.us.auth0.com',
        clientId: 'auth0-client',
        clientSecret: 'auth0-secret',
        ...options,
      }),
    ),
  )
  return { emulation, app: oauth.create('auth0') }
}

describe('auth0 preset', () => {
  it('logs in through the emulation and reads the normalised profile from userinfo', async () => {
    const { emulation, app } = await setup({ domain: 'https://dev-abc123.us.auth0.com/' })
    const token = await completeLogin(app, emulation)
    // Auth0's issuer ends with a slash; the discovery URL's origin names the same issuer.
    expect(token.userinfo).toMatchObject({
      iss: 'https://dev-abc123.us.auth0.com/',
      sub: AUTH0_TEST_USER.id,
    })
    expect(await app.profile(token)).toEqual({
      sub: 'auth0|64f1c2a9b3e4d5f6a7b8c9d0',
      name: 'jdoe@example.com',
      email: 'jdoe@example.com',
      email_verified: false,
      picture: 'https://s.gravatar.test/avatar/jdoe.png',
      raw: expect.objectContaining({ nickname: 'jdoe' }),
    })
  })

  it('audience asks for an access token for that API', async () => {
    const { emulation, app } = await setup({ audience: 'https://api.example.com' })
    await completeLogin(app, emulation)
    expect(emulation.requests).toEqual([
      { audience: 'https://api.example.com', organization: undefined },
    ])
  })

  it('organization is sent, and the ID token org_id (or org_name) must match', async () => {
    const member: EmulatedUser = {
      ...AUTH0_TEST_USER,
      org_id: 'org_9ybsU1dN2dKfDkBi',
      org_name: 'acme',
    }
    const { emulation, app } = await setup({ organization: 'org_9ybsU1dN2dKfDkBi' }, [
      member,
      { ...AUTH0_TEST_USER, id: 'auth0|other', org_id: 'org_other' },
    ])
    expect((await completeLogin(app, emulation)).userinfo?.org_id).toBe('org_9ybsU1dN2dKfDkBi')
    expect(emulation.requests[0]?.organization).toBe('org_9ybsU1dN2dKfDkBi')
    await expectCode(
      completeLogin(app, emulation, { user: 'auth0|other' }),
      ErrorCode.ID_TOKEN_INVALID,
    )

    const byName = await setup({ organization: 'acme' }, [member])
    expect((await completeLogin(byName.app, byName.emulation)).userinfo?.org_name).toBe('acme')
  })

  it('refuses a domain that is not one', () => {
    expect(() => auth0({ domain: 'https://evil.test/path?x', clientId: 'x' })).toThrow(/domain/)
  })
})
