/**
 * X (Twitter) OAuth 1.0a emulation: HMAC-SHA1 signatures verified in full, token endpoints answering
 * form bodies labelled `text/html`, JSON `{"errors":[…]}` refusals with X's codes, `denied` on
 * Cancel, `x_auth_access_type` (seen in the `x-access-level` header of API answers), registered
 * callback URLs, and `account/verify_credentials.json` with the email only for apps that have the
 * email permission. Built on {@link createOAuth1Emulation}.
 *
 * The error codes and messages are X's "Response codes" page as remembered (32, 89, 135, 215, 415,
 * 416); which one X picks for a given fault (say a wrong verifier) is not documented, so the
 * emulation's choices are plausible, not verified.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import type { EmulatedUser } from '../emulator.js'
import {
  createOAuth1Emulation,
  type EmulatedConsumer,
  type OAuth1Emulation,
  type OAuth1Problem,
} from '../oauth1-emulator.js'

/**
 * The default X test user. Its id is above 2^53, as X's recent ids are, so only `id_str` keeps it
 * exact; its email is verified (shown to apps with the email permission).
 * @group Testing
 */
export const TWITTER_OAUTH1_TEST_USER: EmulatedUser = {
  id: '1234567890123456789',
  screen_name: 'adatester',
  name: 'Ada Tester',
  email: 'ada@x.test',
  email_verified: true,
  picture: 'https://pbs.twimg.test/profile_images/1/ada_normal.jpg',
}

/** The client credentials the X emulation knows by default. @group Testing */
export const TWITTER_OAUTH1_TEST_CONSUMER: EmulatedConsumer = {
  key: 'x-api-key',
  secret: 'x-api-key-secret',
}

/** Options of {@link emulateTwitterOAuth1}. @group Testing */
export interface TwitterOAuth1EmulationOptions {
  /** The test users; default {@link TWITTER_OAUTH1_TEST_USER}. `screen_name`, `name`, `email`, `email_verified` and `picture` are read. */
  users?: EmulatedUser[]
  /** The app's API key and secret; default {@link TWITTER_OAUTH1_TEST_CONSUMER}. */
  consumer?: EmulatedConsumer
  /** The app has X's "Request email from users" permission. Default true. */
  emailPermission?: boolean
  /** The app's permission level (what `x_auth_access_type` can only lower). Default `read-write`. */
  accessLevel?: 'read' | 'read-write' | 'read-write-directmessages'
  /** Callback URLs registered in the app's settings; others are refused with code 415. Default: any. */
  callbackUrls?: string[]
  /** Send `oauth_callback_confirmed=true` (X does). False emulates a proxy or an OAuth 1.0 provider that does not. */
  callbackConfirmed?: boolean
}

/** X's status, code and message for each refusal. */
const X_ERRORS: Record<OAuth1Problem, { status: number; code: number; message: string }> = {
  parameter_absent: { status: 400, code: 215, message: 'Bad Authentication data.' },
  parameter_rejected: { status: 400, code: 215, message: 'Bad Authentication data.' },
  version_rejected: { status: 400, code: 215, message: 'Bad Authentication data.' },
  signature_method_rejected: { status: 400, code: 215, message: 'Bad Authentication data.' },
  consumer_key_unknown: { status: 401, code: 416, message: 'Invalid / suspended application' },
  timestamp_refused: { status: 401, code: 135, message: 'Timestamp out of bounds.' },
  nonce_used: { status: 401, code: 32, message: 'Could not authenticate you.' },
  token_rejected: { status: 401, code: 89, message: 'Invalid or expired token.' },
  signature_invalid: { status: 401, code: 32, message: 'Could not authenticate you.' },
  verifier_invalid: { status: 401, code: 32, message: 'Could not authenticate you.' },
}

const xError = (code: number, message: string, status: number) =>
  HttpResponse.json({ errors: [{ code, message }] }, { status })

/** Lower an app's access level as `x_auth_access_type` asks (it never raises it). */
function accessLevel(
  app: NonNullable<TwitterOAuth1EmulationOptions['accessLevel']>,
  asked: string | null,
): string {
  if (asked === 'read') return 'read'
  if (asked === 'write' && app === 'read-write-directmessages') return 'read-write'
  return app
}

/**
 * Emulate X's OAuth 1.0a endpoints (`api.x.com/oauth/request_token`, `authenticate`, `authorize`,
 * `access_token`) and `api.x.com/1.1/account/verify_credentials.json` for the `twitterOAuth1` preset.
 *
 * @example
 * ```ts
 * const emulation = await emulateTwitterOAuth1()
 * server.use(...emulation.handlers)
 * const app = new OAuth({ secret }).register('x', twitterOAuth1({ clientId: TWITTER_OAUTH1_TEST_CONSUMER.key, clientSecret: TWITTER_OAUTH1_TEST_CONSUMER.secret })).create('x')
 * const profile = await app.profile(await completeLogin(app, emulation))
 * ```
 * @group Testing
 */
export function emulateTwitterOAuth1(
  options: TwitterOAuth1EmulationOptions = {},
): Promise<OAuth1Emulation> {
  const emailPermission = options.emailPermission ?? true
  const level = options.accessLevel ?? 'read-write'
  return createOAuth1Emulation(
    {
      name: 'x',
      requestTokenUrl: 'https://api.x.com/oauth/request_token',
      authorizeUrl: ['https://api.x.com/oauth/authenticate', 'https://api.x.com/oauth/authorize'],
      accessTokenUrl: 'https://api.x.com/oauth/access_token',
      consumers: [options.consumer ?? TWITTER_OAUTH1_TEST_CONSUMER],
      signatureMethods: ['HMAC-SHA1'],
      ...(options.callbackConfirmed !== undefined && {
        callbackConfirmed: options.callbackConfirmed,
      }),
      // X labels its form-encoded token responses text/html.
      formContentType: 'text/html; charset=utf-8',
      accessTokenFields: (user) => ({
        user_id: user.id,
        screen_name: String(user.screen_name ?? ''),
      }),
      problem: (problem) => {
        const { status, code, message } = X_ERRORS[problem]
        return xError(code, message, status)
      },
      checkRequestTokenRequest: (_request, { oauth }) => {
        const callback = oauth.oauth_callback ?? ''
        if (
          options.callbackUrls &&
          callback !== 'oob' &&
          !options.callbackUrls.includes(callback)
        ) {
          return xError(
            415,
            'Callback URL not approved for this client application. Approved callback URLs can be adjusted in your application settings',
            403,
          )
        }
        return undefined
      },
      api: {
        'https://api.x.com/1.1/account/verify_credentials.json': (user, request, grant) => {
          const query = new URL(request.url).searchParams
          const body: Record<string, unknown> = {
            // A JSON number: above 2^53 the client's JSON.parse rounds it, as with the real API.
            id: Number(user.id),
            id_str: user.id,
            name: user.name ?? user.screen_name,
            screen_name: user.screen_name,
            profile_image_url_https:
              user.picture ??
              'https://abs.twimg.test/sticky/default_profile_images/default_profile_normal.png',
          }
          // Without the permission there is no email field at all; with it, null for no or an unverified address.
          if (emailPermission && query.get('include_email') === 'true')
            body.email =
              user.email !== undefined && user.email_verified !== false ? user.email : null
          if (query.get('skip_status') !== 'true')
            body.status = { id_str: '1', text: 'hello, world' }
          return HttpResponse.json(body, {
            headers: {
              'x-access-level': accessLevel(
                level,
                grant.requestTokenParams.get('x_auth_access_type'),
              ),
            },
          })
        },
      },
    },
    options.users ?? [TWITTER_OAUTH1_TEST_USER],
  )
}
