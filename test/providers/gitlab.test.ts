import { describe, expect, it } from 'vitest'
import { OAuth } from '../../src/index.js'
import { gitlab } from '../../src/providers/gitlab.js'
import { completeLogin } from '../../testing/emulator.js'
import { emulateGitLab, GITLAB_TEST_USER } from '../../testing/providers/gitlab.js'
import { SECRET, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup(baseUrl?: string) {
  const emulation = await emulateGitLab({ baseUrl })
  server.use(...emulation.handlers)
  const oauth = new OAuth({ secret: SECRET }).register(
    'gitlab',
    gitlab({ clientId: 'gitlab-app-id', clientSecret: 'gitlab-secret', baseUrl }),
  )
  return { emulation, app: oauth.create('gitlab') }
}

describe('gitlab preset', () => {
  it('logs in through the emulation and reads the normalised profile from userinfo', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(token).toMatchObject({
      token_type: 'bearer',
      scope: 'read_user openid profile email',
      refresh_token: expect.any(String),
      userinfo: { iss: 'https://gitlab.com', sub: '1234567' },
    })
    expect(await app.profile(token)).toEqual({
      sub: '1234567',
      name: 'Jane Smith',
      email: 'jsmith@example.org',
      email_verified: true,
      picture: 'https://gitlab.com/uploads/-/system/user/avatar/1234567/avatar.png',
      raw: expect.objectContaining({
        preferred_username: 'jsmith',
        groups: GITLAB_TEST_USER.groups,
      }),
    })
    // read_user: the REST API answers under apiBaseUrl.
    expect(await app.get('user', { token }).json()).toMatchObject({
      id: 1234567,
      username: 'jsmith',
    })
  })

  it('self-managed GitLab under a relative root, and a refresh', async () => {
    const { emulation, app } = await setup('https://example.org/gitlab/')
    expect(app.config).toMatchObject({
      serverMetadataUrl: 'https://example.org/gitlab/.well-known/openid-configuration',
      apiBaseUrl: 'https://example.org/gitlab/api/v4',
    })
    const token = await completeLogin(app, emulation)
    expect(token.userinfo?.iss).toBe('https://example.org/gitlab')
    const refreshed = await app.refreshToken(token)
    expect(refreshed.userinfo?.sub).toBe('1234567')
    expect(await app.get('user', { token: refreshed }).json()).toMatchObject({ username: 'jsmith' })
  })
})
