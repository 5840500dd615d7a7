/**
 * Trello OAuth 1.0a emulation: HMAC-SHA1 signatures verified in full; the authorize URL's `scope`
 * and `expiration` recorded with the grant; `GET /1/members/me` with the email only for the
 * `account` scope, and a token past its `expiration` refused with a plain-text 401 `invalid token`
 * (as Trello's API answers). Built on {@link createOAuth1Emulation}.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import type { EmulatedUser } from '../emulator.js'
import {
  createOAuth1Emulation,
  type EmulatedConsumer,
  type OAuth1Emulation,
} from '../oauth1-emulator.js'

/** The default Trello test user. @group Testing */
export const TRELLO_TEST_USER: EmulatedUser = {
  id: '5f1a2b3c4d5e6f7a8b9c0d1e',
  screen_name: 'adatester',
  name: 'Ada Tester',
  email: 'ada@trello.test',
  picture: 'https://trello-members.s3.amazonaws.test/5f1a2b3c4d5e6f7a8b9c0d1e/abcdef',
}

/** The client credentials the Trello emulation knows by default. @group Testing */
export const TRELLO_TEST_CONSUMER: EmulatedConsumer = {
  key: 'trello-api-key',
  secret: 'trello-oauth-secret',
}

/** Options of {@link emulateTrello}. @group Testing */
export interface TrelloEmulationOptions {
  /** The test users; default {@link TRELLO_TEST_USER}. `screen_name`, `name`, `email`, `picture` (the avatar base URL) are read. */
  users?: EmulatedUser[]
  /** The app's API key and OAuth secret; default {@link TRELLO_TEST_CONSUMER}. */
  consumer?: EmulatedConsumer
  /** The clock the emulation checks `expiration` against (default `Date.now`). */
  now?: () => number
}

const LIFETIME: Record<string, number> = {
  '1hour': 3600_000,
  '1day': 86_400_000,
  '30days': 30 * 86_400_000,
  never: Infinity,
}

const text = (status: number, body: string) =>
  new HttpResponse(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } })

/**
 * Emulate Trello's OAuth 1.0a endpoints (`trello.com/1/OAuthGetRequestToken`, `OAuthAuthorizeToken`,
 * `OAuthGetAccessToken`) and `api.trello.com/1/members/me` for the `trello` preset.
 * @group Testing
 */
export function emulateTrello(options: TrelloEmulationOptions = {}): Promise<OAuth1Emulation> {
  const now = options.now ?? Date.now
  return createOAuth1Emulation(
    {
      name: 'trello',
      requestTokenUrl: 'https://trello.com/1/OAuthGetRequestToken',
      authorizeUrl: 'https://trello.com/1/OAuthAuthorizeToken',
      accessTokenUrl: 'https://trello.com/1/OAuthGetAccessToken',
      consumers: [options.consumer ?? TRELLO_TEST_CONSUMER],
      signatureMethods: ['HMAC-SHA1'],
      accessTokenFields: () => ({}),
      problem: (problem) =>
        text(401, problem === 'token_rejected' ? 'invalid token' : 'unauthorized'),
      api: {
        'https://api.trello.com/1/members/me': (user, request, grant) => {
          const granted = grant.authorizeParams ?? new URLSearchParams()
          const lifetime = LIFETIME[granted.get('expiration') ?? '30days'] ?? 0
          if (now() - (grant.issuedAt ?? 0) > lifetime) return text(401, 'invalid token')
          const scope = (granted.get('scope') ?? 'read').split(',')
          if (!scope.includes('read')) return text(401, 'unauthorized permission requested')
          const fields = (new URL(request.url).searchParams.get('fields') ?? 'all').split(',')
          const member: Record<string, unknown> = {
            id: user.id,
            username: user.screen_name,
            fullName: user.name ?? '',
            avatarUrl: user.picture ?? null,
            url: `https://trello.test/u/${String(user.screen_name)}`,
            // The email is the account scope's.
            email: scope.includes('account') ? (user.email ?? null) : null,
          }
          const shown =
            fields[0] === 'all'
              ? member
              : Object.fromEntries(
                  Object.entries(member).filter(([k]) => fields.includes(k) || k === 'id'),
                )
          return HttpResponse.json(shown)
        },
      },
    },
    options.users ?? [TRELLO_TEST_USER],
  )
}
