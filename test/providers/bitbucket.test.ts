import { describe, expect, it } from 'vitest'
import { OAuth } from '../../src/index.js'
import { bitbucket, type BitbucketOptions } from '../../src/providers/bitbucket.js'
import { completeLogin, type EmulatedUser } from '../../testing/index.js'
import { BITBUCKET_TEST_USER, emulateBitbucket } from '../../testing/providers/bitbucket.js'
import { SECRET, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup(
  options: Partial<BitbucketOptions> = {},
  emulated: { users?: EmulatedUser[]; emailsPageLength?: number } = {},
  edit?: (config: ReturnType<typeof bitbucket>) => void,
) {
  const emulation = await emulateBitbucket(emulated)
  server.use(...emulation.handlers)
  const config = bitbucket({ clientId: 'bb-key', clientSecret: 'bb-secret', ...options })
  edit?.(config)
  const oauth = new OAuth({ secret: SECRET }).register('bitbucket', config)
  return { emulation, app: oauth.create('bitbucket') }
}

const email = (address: string, primary: boolean, confirmed: boolean) => ({
  email: address,
  is_primary: primary,
  is_confirmed: confirmed,
  type: 'email',
})

describe('bitbucket preset', () => {
  it('logs in through the emulation and reads the normalised profile, email from /user/emails', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(await app.profile(token)).toEqual({
      sub: BITBUCKET_TEST_USER.id,
      name: 'Bit Bucketeer',
      email: 'bucketeer@bitbucket.test',
      email_verified: true,
      picture: expect.stringMatching(/^https:\/\/avatar-management\.bitbucket\.test\//),
      raw: expect.objectContaining({ account_id: BITBUCKET_TEST_USER.account_id }),
    })
    expect(
      emulation.calls.find((c) => c.url.includes('access_token'))!.headers.get('authorization'),
    ).toMatch(/^Basic /)
  })

  it('quirk: the token response names the scopes `scopes`; the hook exposes them as `scope`', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(token).toMatchObject({ scope: 'account email', scopes: 'account email' })
    expect((await app.refreshToken(token)).scope).toBe('account email')

    const raw = await setup(
      {},
      {},
      (config) => void (config.hooks = { ...config.hooks, accessTokenResponse: [] }),
    )
    expect((await completeLogin(raw.app, raw.emulation)).scope).toBeUndefined()
  })

  it('quirk: the primary confirmed address wins, even on a later page of /user/emails', async () => {
    const emails = [
      email('old@bitbucket.test', false, true),
      email('work@bitbucket.test', false, false),
      email('main@bitbucket.test', true, true),
    ]
    const { emulation, app } = await setup(
      {},
      { users: [{ id: '{u1}', account_id: 'a1', name: 'Paged', emails }], emailsPageLength: 2 },
    )
    expect(await app.profile(await completeLogin(app, emulation))).toMatchObject({
      email: 'main@bitbucket.test',
      email_verified: true,
    })
    expect(emulation.calls.filter((c) => c.url.includes('/user/emails'))).toHaveLength(2)
  })

  it('an unconfirmed primary is kept with email_verified false; without the email scope there is no email', async () => {
    const unconfirmed = await setup(
      {},
      {
        users: [
          {
            id: '{u2}',
            account_id: 'a2',
            name: 'New',
            emails: [email('new@bitbucket.test', true, false)],
          },
        ],
      },
    )
    expect(
      await unconfirmed.app.profile(await completeLogin(unconfirmed.app, unconfirmed.emulation)),
    ).toMatchObject({ email: 'new@bitbucket.test', email_verified: false })

    const noScope = await setup({ scope: 'account' })
    const profile = await noScope.app.profile(await completeLogin(noScope.app, noScope.emulation))
    expect(profile.sub).toBe(BITBUCKET_TEST_USER.id)
    expect(profile.email).toBeUndefined()
  })
})
