import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryClientRegistrations, OAuth } from '../../src/index.js'
import { mastodon, mastodonRegistrationResponse } from '../../src/providers/index.js'
import { completeLogin, emulateMastodon, MASTODON_TEST_USER } from '../../testing/index.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'
import { registerCredential } from '../support/secrets.js'

const server = useMsw()
const CALLBACK = 'https://app.test/auth/mastodon/callback'

async function instance(url = 'https://mastodon.test') {
  const emulation = await emulateMastodon({ instance: url })
  server.use(...emulation.handlers)
  return emulation
}

describe('mastodon preset', () => {
  it('registers the app at the instance on first use, logs in and reads the profile', async () => {
    const emulation = await instance()
    const registrations = new MemoryClientRegistrations()
    const config = await mastodon({
      instance: 'https://mastodon.test',
      clientName: 'oauthkit test',
      redirectUris: CALLBACK,
      website: 'https://app.test',
      registrations,
    })
    registerCredential(config.clientSecret as string)
    expect(emulation.registered).toHaveLength(1)
    expect(config.clientId).toBe(emulation.registered[0]!.client_id)
    const app = new OAuth({ secret: SECRET })
      .register('mastodon:mastodon.test', config)
      .create('mastodon:mastodon.test')
    const token = await completeLogin(app, emulation, { redirectUri: CALLBACK })
    expect(await app.profile(token)).toEqual({
      sub: `${MASTODON_TEST_USER.id}@mastodon.test`,
      name: 'Eugen',
      picture: 'https://files.mastodon.test/accounts/avatars/gargron.png',
      raw: expect.objectContaining({ acct: 'gargron' }),
    })
  })

  it('quirk: /api/v1/apps is spoken in its dialect (scopes, newline-separated redirect_uris, HTTP 200)', async () => {
    const emulation = await instance()
    await mastodon({
      instance: 'https://mastodon.test',
      clientName: 'dialect',
      redirectUris: [CALLBACK, 'https://app.test/other'],
      scope: 'read:accounts read:statuses',
      registrations: new MemoryClientRegistrations(),
    })
    // What went over the wire: Mastodon's names and the string form every version reads.
    expect(emulation.registered[0]!.body).toEqual({
      client_name: 'dialect',
      redirect_uris: `${CALLBACK}\nhttps://app.test/other`,
      scopes: 'read:accounts read:statuses',
    })
    const fixed = (await mastodonRegistrationResponse(
      Response.json({ client_id: 'c', client_secret: 's' }),
    ))!
    expect(fixed.status).toBe(201)
    expect(await fixed.json()).toEqual({
      client_id: 'c',
      client_secret: 's',
      client_secret_expires_at: 0,
    })
  })

  it('quirk: one registration per instance, reused (also by concurrent first uses); another instance registers anew', async () => {
    const one = await instance('https://one.mastodon.test')
    const two = await instance('https://two.mastodon.test')
    const registrations = new MemoryClientRegistrations()
    const make = (url: string) =>
      mastodon({ instance: url, clientName: 'x', redirectUris: CALLBACK, registrations })
    const [a, b] = await Promise.all([
      make('https://one.mastodon.test'),
      make('https://one.mastodon.test'),
    ])
    const c = await make('https://one.mastodon.test')
    expect(new Set([a.clientId, b.clientId, c.clientId]).size).toBe(1)
    expect(one.registered).toHaveLength(1)
    const d = await make('https://two.mastodon.test/')
    expect(two.registered).toHaveLength(1)
    expect(d.accessTokenUrl).toBe('https://two.mastodon.test/oauth/token')
    for (const config of [a, d]) registerCredential(config.clientSecret as string)
    // The sub names the instance: the same id elsewhere is another account.
    const appTwo = new OAuth({ secret: SECRET }).register('m2', d).create('m2')
    const token = await completeLogin(appTwo, two, { redirectUri: CALLBACK })
    expect((await appTwo.profile(token)).sub).toBe(`${MASTODON_TEST_USER.id}@two.mastodon.test`)
  })

  it('a refused registration is registration_error and nothing is kept; bad options are config_invalid', async () => {
    const emulation = await instance()
    const registrations = new MemoryClientRegistrations()
    const base = { instance: 'https://mastodon.test', clientName: 'x', registrations }
    await expectCode(mastodon({ ...base, redirectUris: 'app.test/cb' }), ErrorCode.CONFIG_INVALID)
    await expectCode(
      mastodon({ ...base, instance: 'http://mastodon.test', redirectUris: CALLBACK }),
      ErrorCode.CONFIG_INVALID,
    )
    await expectCode(
      mastodon({ ...base, redirectUris: CALLBACK, clientName: '' }),
      ErrorCode.CONFIG_INVALID,
    )
    expect(emulation.registered).toHaveLength(0)
  })
})
