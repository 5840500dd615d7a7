import { describe, expect, it } from 'vitest'
import { OAuth } from '../../src/index.js'
import { discord, discordAvatarUrl, type DiscordOptions } from '../../src/providers/discord.js'
import { completeLogin, type EmulatedUser } from '../../testing/index.js'
import { DISCORD_TEST_USER, emulateDiscord } from '../../testing/providers/discord.js'
import { SECRET, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup(options: Partial<DiscordOptions> = {}, users?: EmulatedUser[]) {
  const emulation = await emulateDiscord({ users })
  server.use(...emulation.handlers)
  const oauth = new OAuth({ secret: SECRET }).register(
    'discord',
    discord({ clientId: 'dc-client', clientSecret: 'dc-secret', ...options }),
  )
  return { emulation, app: oauth.create('discord') }
}

describe('discord preset', () => {
  it('logs in through the emulation and reads the normalised profile', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(token).toMatchObject({
      token_type: 'bearer',
      scope: 'identify email',
      refresh_token: expect.any(String),
    })
    expect(await app.profile(token)).toEqual({
      sub: DISCORD_TEST_USER.id,
      name: 'Nelly',
      email: 'nelly@discord.test',
      email_verified: true,
      picture: `https://cdn.discordapp.com/avatars/${DISCORD_TEST_USER.id}/8342729096ea3675442027381ff50dfe.png`,
      raw: expect.objectContaining({ username: 'nelly', verified: true }),
    })
  })

  it('quirk: the avatar is a hash — animated ones are GIFs, none means the default avatar', () => {
    expect(discordAvatarUrl({ id: '1', discriminator: '0', avatar: 'a_abc' })).toBe(
      'https://cdn.discordapp.com/avatars/1/a_abc.gif',
    )
    // New username system: (id >> 22) % 6.
    expect(
      discordAvatarUrl({ id: DISCORD_TEST_USER.id as string, discriminator: '0', avatar: null }),
    ).toBe(
      `https://cdn.discordapp.com/embed/avatars/${Number((80351110224678912n >> 22n) % 6n)}.png`,
    )
    // Legacy discriminator: discriminator % 5.
    expect(discordAvatarUrl({ id: '1', discriminator: '1337', avatar: null })).toBe(
      'https://cdn.discordapp.com/embed/avatars/2.png',
    )
  })

  it('quirk: an unverified email is kept with email_verified false; a phone-only account has none', async () => {
    const { emulation, app } = await setup({}, [
      { id: '11', username: 'unverified', email: 'u@discord.test', email_verified: false },
      { id: '12', username: 'phone', discriminator: '0042' },
    ])
    const unverified = await app.profile(await completeLogin(app, emulation, { user: '11' }))
    expect(unverified).toMatchObject({
      sub: '11',
      name: 'unverified',
      email: 'u@discord.test',
      email_verified: false,
    })
    const phone = await app.profile(await completeLogin(app, emulation, { user: '12' }))
    expect(phone).toMatchObject({
      sub: '12',
      picture: 'https://cdn.discordapp.com/embed/avatars/2.png',
    })
    expect(phone.email).toBeUndefined()
    expect(phone.email_verified).toBeUndefined()
  })

  it('without the email scope there is no email', async () => {
    const { emulation, app } = await setup({ scope: 'identify' })
    const profile = await app.profile(await completeLogin(app, emulation))
    expect(profile.email).toBeUndefined()
  })

  it('prompt goes into the authorization request; refresh works', async () => {
    const { emulation, app } = await setup({ prompt: 'consent' })
    const { url } = await app.createAuthorizationUrl('https://app.test/cb')
    expect(url.origin + url.pathname).toBe('https://discord.com/oauth2/authorize')
    expect(url.searchParams.get('prompt')).toBe('consent')
    const token = await completeLogin(app, emulation)
    const fresh = await app.refreshToken(token)
    expect(fresh.refresh_token).not.toBe(token.refresh_token)
  })
})
