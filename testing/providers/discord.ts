/**
 * Discord emulation: the token endpoint (`token_type: "Bearer"`), and `/users/@me` with an avatar
 * hash rather than a URL, `email`/`verified` only with the `email` scope.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Discord test user: new username system, custom avatar, verified email. @group Testing */
export const DISCORD_TEST_USER: EmulatedUser = {
  id: '80351110224678912',
  username: 'nelly',
  discriminator: '0',
  global_name: 'Nelly',
  avatar: '8342729096ea3675442027381ff50dfe',
  email: 'nelly@discord.test',
  email_verified: true,
}

/**
 * Emulate Discord for the `discord` preset. A user's `avatar` (hash or null), `discriminator`,
 * `global_name`, `email` (absent: phone-only account) and `email_verified` shape `/users/@me`.
 * @group Testing
 */
export function emulateDiscord(
  options: { users?: EmulatedUser[] } = {},
): Promise<ProviderEmulation> {
  return createEmulation(
    {
      name: 'discord',
      authorizeUrl: 'https://discord.com/oauth2/authorize',
      tokenUrl: 'https://discord.com/api/oauth2/token',
      tokenResponse: (ctx) =>
        HttpResponse.json({
          access_token: ctx.accessToken,
          token_type: 'Bearer',
          expires_in: 604800,
          refresh_token: ctx.refreshToken,
          scope: ctx.scope,
        }),
      api: {
        'https://discord.com/api/v10/users/@me': (user, _request, grant) => {
          const body: Record<string, unknown> = {
            id: user.id,
            username: user.username,
            discriminator: user.discriminator ?? '0',
            global_name: user.global_name ?? null,
            avatar: user.avatar ?? null,
          }
          if (grant.scope.split(' ').includes('email')) {
            body.email = user.email ?? null
            body.verified = user.email_verified ?? false
          }
          return HttpResponse.json(body)
        },
      },
    },
    options.users ?? [DISCORD_TEST_USER],
  )
}
