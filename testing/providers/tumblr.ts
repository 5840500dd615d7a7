/**
 * Tumblr OAuth 1.0a emulation: HMAC-SHA1 signatures verified in full, and `GET /v2/user/info` in
 * Tumblr's `{ meta, response }` envelope, with errors as `{ meta, response: [], errors: [...] }`.
 * Built on {@link createOAuth1Emulation}. The error body's shape is Tumblr's documented one; which
 * code (401 "Unauthorized") it sends for which fault is this emulation's plausible choice.
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

/** The default Tumblr test user: `screen_name` is the primary blog's name, `id` its uuid. @group Testing */
export const TUMBLR_TEST_USER: EmulatedUser = {
  id: 't:Pf2kTUrQ-mfIOcEOkxKbYQ',
  screen_name: 'adatester',
  name: 'Ada Tester',
  picture: 'https://64.media.tumblr.test/avatar_ada_512.png',
}

/** The client credentials the Tumblr emulation knows by default. @group Testing */
export const TUMBLR_TEST_CONSUMER: EmulatedConsumer = {
  key: 'tumblr-consumer-key',
  secret: 'tumblr-secret-key',
}

/** Options of {@link emulateTumblr}. @group Testing */
export interface TumblrEmulationOptions {
  /** The test users; default {@link TUMBLR_TEST_USER}. `id` (blog uuid), `screen_name` (blog name), `picture` are read. */
  users?: EmulatedUser[]
  /** The app's consumer key and secret; default {@link TUMBLR_TEST_CONSUMER}. */
  consumer?: EmulatedConsumer
  /** Leave `uuid` out of the blogs (see the preset's "not sure"). */
  withoutUuid?: boolean
}

const tumblrError = (status: number, msg: string, detail: string) =>
  HttpResponse.json(
    { meta: { status, msg }, response: [], errors: [{ title: msg, code: 1016, detail }] },
    { status },
  )

/**
 * Emulate Tumblr's OAuth 1.0a endpoints (`www.tumblr.com/oauth/request_token`, `authorize`,
 * `access_token`) and `api.tumblr.com/v2/user/info` for the `tumblr` preset.
 * @group Testing
 */
export function emulateTumblr(options: TumblrEmulationOptions = {}): Promise<OAuth1Emulation> {
  return createOAuth1Emulation(
    {
      name: 'tumblr',
      requestTokenUrl: 'https://www.tumblr.com/oauth/request_token',
      authorizeUrl: 'https://www.tumblr.com/oauth/authorize',
      accessTokenUrl: 'https://www.tumblr.com/oauth/access_token',
      consumers: [options.consumer ?? TUMBLR_TEST_CONSUMER],
      signatureMethods: ['HMAC-SHA1'],
      // Tumblr's access token answer has the token credentials only.
      accessTokenFields: () => ({}),
      problem: () => tumblrError(401, 'Unauthorized', 'Unable to authorize'),
      api: {
        'https://api.tumblr.com/v2/user/info': (user) => {
          const blog = String(user.screen_name ?? user.id)
          return HttpResponse.json({
            meta: { status: 200, msg: 'OK' },
            response: {
              user: {
                name: blog,
                likes: 3,
                following: 12,
                default_post_format: 'html',
                blogs: [
                  {
                    name: `${blog}-side`,
                    title: 'A side blog',
                    primary: false,
                    ...(!options.withoutUuid && { uuid: 't:side-blog-uuid' }),
                  },
                  {
                    name: blog,
                    title: String(user.name ?? blog),
                    url: `https://${blog}.tumblr.test/`,
                    primary: true,
                    ...(!options.withoutUuid && { uuid: user.id }),
                    ...(user.picture !== undefined && {
                      avatar: [
                        { width: 64, height: 64, url: String(user.picture).replace('512', '64') },
                        { width: 512, height: 512, url: user.picture },
                        {
                          width: 128,
                          height: 128,
                          url: String(user.picture).replace('512', '128'),
                        },
                      ],
                    }),
                  },
                ],
              },
            },
          })
        },
      },
    },
    options.users ?? [TUMBLR_TEST_USER],
  )
}
