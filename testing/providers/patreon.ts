/**
 * Patreon emulation: the client secret in the body, and `/api/oauth2/v2/identity` as a JSON:API
 * document returning only the user attributes named in `fields[user]`.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Patreon test user. @group Testing */
export const PATREON_TEST_USER: EmulatedUser = {
  id: '12345689',
  name: 'Corgi The Dev',
  vanity: 'corgi',
  email: 'corgi@patreon.test',
  email_verified: true,
  picture: 'https://c8.patreon.test/2/200/12345689',
}

/** Emulate Patreon for the `patreon` preset. @group Testing */
export function emulatePatreon(
  options: { users?: EmulatedUser[] } = {},
): Promise<ProviderEmulation> {
  return createEmulation(
    {
      name: 'patreon',
      authorizeUrl: 'https://www.patreon.com/oauth2/authorize',
      tokenUrl: 'https://www.patreon.com/api/oauth2/token',
      checkTokenRequest: (_request, params) =>
        params.get('client_secret')
          ? undefined
          : HttpResponse.json({ error: 'invalid_client' }, { status: 401 }),
      tokenResponse: (ctx) =>
        HttpResponse.json({
          access_token: ctx.accessToken,
          refresh_token: ctx.refreshToken,
          expires_in: 2678400,
          scope: ctx.scope,
          token_type: 'Bearer',
          version: '0.0.1',
        }),
      api: {
        'https://www.patreon.com/api/oauth2/v2/identity': (user, request, grant) => {
          const all: Record<string, unknown> = {
            full_name: user.name,
            vanity: user.vanity ?? null,
            image_url: user.picture,
            url: `https://www.patreon.test/${String(user.vanity)}`,
            ...(grant.scope.split(' ').includes('identity[email]') && {
              email: user.email,
              is_email_verified: user.email_verified ?? false,
            }),
          }
          // JSON:API sparse fieldsets: only what was asked for.
          const wanted = (new URL(request.url).searchParams.get('fields[user]') ?? '').split(',')
          const attributes = Object.fromEntries(
            Object.entries(all).filter(([k]) => wanted.includes(k)),
          )
          return HttpResponse.json({
            data: { id: user.id, type: 'user', attributes },
            links: { self: `https://www.patreon.com/api/oauth2/v2/user/${user.id}` },
          })
        },
      },
    },
    options.users ?? [PATREON_TEST_USER],
  )
}
