/**
 * Reddit emulation: a descriptive User-Agent required on every request, HTTP Basic at the token
 * endpoint (empty password for installed apps), `duration` required and deciding whether a refresh
 * token is issued, bad codes answered with HTTP 200 `{"error":"invalid_grant"}`, refresh tokens that
 * do not rotate, and HTML-escaped JSON unless `raw_json=1`.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Reddit test user. @group Testing */
export const REDDIT_TEST_USER: EmulatedUser = {
  id: '1w72',
  login: 'spez_test',
  picture:
    'https://styles.redditmedia.test/t5_1/styles/profileIcon_x.png?width=256&height=256&crop=256:256,smart&s=abc',
}

/** Options of {@link emulateReddit}. @group Testing */
export interface RedditEmulationOptions {
  users?: EmulatedUser[]
  /** The secret expected in HTTP Basic; `''` for an installed app. Default `rd-secret`. */
  clientSecret?: string
}

// Reddit throttles requests without a User-Agent, or with a library's default one.
const GENERIC_AGENT = /^(node|undici|python-requests|curl|axios|got|ky|oauth4webapi)\b/i
const tooMany = () =>
  HttpResponse.json({ message: 'Too Many Requests', error: 429 }, { status: 429 })
const badAgent = (request: Request) => {
  const agent = request.headers.get('user-agent') ?? ''
  return agent.trim() === '' || GENERIC_AGENT.test(agent)
}
const escapeHtml = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/**
 * Emulate Reddit for the `reddit` preset.
 * @group Testing
 */
export function emulateReddit(options: RedditEmulationOptions = {}): Promise<ProviderEmulation> {
  const secret = options.clientSecret ?? 'rd-secret'
  return createEmulation(
    {
      name: 'reddit',
      authorizeUrl: 'https://www.reddit.com/api/v1/authorize',
      tokenUrl: 'https://www.reddit.com/api/v1/access_token',
      checkAuthorizeRequest: (q) =>
        ['temporary', 'permanent'].includes(q.get('duration') ?? '')
          ? undefined
          : { error: 'invalid_request', error_description: 'duration is required' },
      checkTokenRequest: (request) => {
        if (badAgent(request)) return tooMany()
        const basic = /^Basic\s+(.+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]
        const password =
          basic === undefined
            ? undefined
            : decodeURIComponent(atob(basic).split(':').slice(1).join(':'))
        return password === secret
          ? undefined
          : HttpResponse.json({ message: 'Unauthorized', error: 401 }, { status: 401 })
      },
      // Errors come with HTTP 200.
      tokenError: (error) => HttpResponse.json({ error }),
      // A refresh returns no new refresh token; the old one stays valid.
      rotateRefreshTokens: false,
      tokenResponse: (ctx) =>
        HttpResponse.json({
          access_token: ctx.accessToken,
          token_type: 'bearer',
          expires_in: 86400,
          scope: ctx.scope,
          ...(ctx.grantType === 'authorization_code' &&
            ctx.authorizeParams?.get('duration') === 'permanent' && {
              refresh_token: ctx.refreshToken,
            }),
        }),
      api: {
        'https://oauth.reddit.com/api/v1/me': (user, request) => {
          if (badAgent(request)) return tooMany()
          const raw = new URL(request.url).searchParams.get('raw_json') === '1'
          const icon = (user.picture as string | undefined) ?? ''
          return HttpResponse.json({
            id: user.id,
            name: user.login,
            icon_img: raw ? icon : escapeHtml(icon),
            snoovatar_img: '',
            has_verified_email: true,
            verified: true,
            created_utc: 1118030400,
          })
        },
      },
    },
    options.users ?? [REDDIT_TEST_USER],
  )
}
