import { describe, expect, it } from 'vitest'
import { OAuth } from '../../src/index.js'
import { dropbox, type DropboxOptions } from '../../src/providers/dropbox.js'
import { completeLogin } from '../../testing/index.js'
import { DROPBOX_TEST_USER, emulateDropbox } from '../../testing/providers/dropbox.js'
import { SECRET, useMsw, expectRejected } from '../support/helpers.js'

const server = useMsw()

async function setup(
  options: Partial<DropboxOptions> = {},
  edit?: (config: ReturnType<typeof dropbox>) => void,
) {
  const emulation = await emulateDropbox()
  server.use(...emulation.handlers)
  const config = dropbox({ clientId: 'db-key', clientSecret: 'db-secret', ...options })
  edit?.(config)
  const oauth = new OAuth({ secret: SECRET }).register('dropbox', config)
  return { emulation, app: oauth.create('dropbox') }
}

describe('dropbox preset', () => {
  it('logs in through the emulation and reads the normalised profile', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    // account_id and uid from the token response are kept.
    expect(token).toMatchObject({
      token_type: 'bearer',
      account_id: DROPBOX_TEST_USER.id,
      uid: '12345',
      refresh_token: expect.any(String),
      expires_in: 14400,
    })
    expect(await app.profile(token)).toEqual({
      sub: DROPBOX_TEST_USER.id,
      name: 'Franz Ferdinand',
      email: 'franz@dropbox.test',
      email_verified: true,
      picture: DROPBOX_TEST_USER.picture,
      raw: expect.objectContaining({
        account_id: DROPBOX_TEST_USER.id,
        name: expect.objectContaining({ given_name: 'Franz' }),
      }),
    })
  })

  it('quirk: token_access_type=offline (default) yields a refresh token that is reused; online yields none', async () => {
    const { emulation, app } = await setup()
    const { url } = await app.createAuthorizationUrl('https://app.test/cb')
    expect(url.searchParams.get('token_access_type')).toBe('offline')
    const token = await completeLogin(app, emulation)
    const fresh = await app.refreshToken(token)
    expect(fresh.access_token).not.toBe(token.access_token)
    expect(fresh.refresh_token).toBe(token.refresh_token)

    const online = await setup({ tokenAccessType: 'online' })
    expect((await completeLogin(online.app, online.emulation)).refresh_token).toBeUndefined()
  })

  it('quirk: get_current_account is a POST with no body (without the hook the GET is refused)', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    await app.profile(token)
    const call = emulation.calls.find((c) => c.url.endsWith('/users/get_current_account'))!
    expect(call).toMatchObject({ method: 'POST', body: '' })
    expect(call.headers.get('content-type')).toBeNull()
    // app.get() on an RPC endpoint works the same way; real POSTs with a body are untouched.
    expect(await app.get('users/get_current_account', { token }).json()).toMatchObject({
      account_id: DROPBOX_TEST_USER.id,
    })

    const raw = await setup(
      {},
      (config) => void (config.hooks = { ...config.hooks, protectedRequest: [] }),
    )
    const rawToken = await completeLogin(raw.app, raw.emulation)
    await expectRejected(raw.app.profile(rawToken), /400/)
    expect(raw.emulation.calls.at(-1)).toMatchObject({ method: 'GET' })
  })
})
