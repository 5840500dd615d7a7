/**
 * An OAuth 1 app against X/Twitter-shaped responses, emulated with msw: the form bodies of
 * request_token and access_token (served as text/html, as Twitter does), verify_credentials JSON,
 * Twitter's JSON errors, and the broken answers a provider can give.
 */
import { createHmac } from 'node:crypto'
import { HTTPError } from 'ky'
import { HttpResponse, delay, http } from 'msw'
import { beforeEach, describe, expect, it } from 'vitest'
import {
  ErrorCode,
  MemoryCookieJar,
  OAuth,
  rewriteJson,
  type OAuth1AppConfig,
  type OAuth1Token,
} from '../../src/index.js'
import { rfcBaseString, rfcParseForm, rfcPercentEncode } from '../support/oauth1-provider.js'
import { REDIRECT, SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

const X = 'https://api.x.com'
const CONSUMER_KEY = 'cChZNFj6T5R0TigYB9yd1w'
const CONSUMER_SECRET = 'L8qq9PZyRg6ieKGEKhZolGC0vJWLw8iEJ88DRdyOg'
const REQUEST_TOKEN = 'NPcudxy0yU5T3tBzho7iCotZ3cnetKwcTIRlX0iwRl0'
const REQUEST_SECRET = 'veNRnAWe6inFuo8o2u8SLLZLjolYDmDP7SzL0YfYI'
const VERIFIER = 'uw7NjWHT6OJ1MpJOXsHfNxoAhPKpgI8BlYDhxEjIBY'
const ACCESS_TOKEN = '6253282-eWudHldSbIaelX7swmsiHImEL4KinwaGloHANdrY'
const ACCESS_SECRET = '2EEfA6BG3ly3sR3RjE0IBSnlQu4ZrUzPiYKmrkVU'
const SECRETS = [
  CONSUMER_SECRET,
  REQUEST_TOKEN,
  REQUEST_SECRET,
  VERIFIER,
  ACCESS_TOKEN,
  ACCESS_SECRET,
]

// Twitter served its token endpoints' form bodies as text/html.
const twitterForm = (fields: Record<string, string>, status = 200) =>
  new HttpResponse(new URLSearchParams(fields).toString(), {
    status,
    headers: { 'content-type': 'text/html; charset=utf-8' },
  })
const twitterError = (code: number, message: string, status = 401) =>
  HttpResponse.json({ errors: [{ code, message }] }, { status })

/** The `OAuth k="v", …` header, decoded. */
function authorization(request: Request): Record<string, string> {
  const header = request.headers.get('authorization') ?? ''
  expect(header).toMatch(/^OAuth /)
  const params: Record<string, string> = {}
  for (const [, name, value] of header.matchAll(/([a-z_]+)="([^"]*)"/g))
    params[name!] = decodeURIComponent(value!)
  return params
}

/** Check the HMAC-SHA1 signature the way Twitter does (RFC 5849, with the test provider's code). */
async function expectSigned(
  request: Request,
  tokenSecret: string,
): Promise<Record<string, string>> {
  const oauth = authorization(request)
  const url = new URL(request.url)
  const form = request.headers.get('content-type')?.startsWith('application/x-www-form-urlencoded')
    ? rfcParseForm(await request.clone().text())
    : []
  const params = [
    ...rfcParseForm(url.search.slice(1)),
    ...form,
    ...Object.entries(oauth).filter(([k]) => k !== 'oauth_signature'),
  ]
  const base = rfcBaseString(request.method, `${url.origin}${url.pathname}`, params)
  const key = `${rfcPercentEncode(CONSUMER_SECRET)}&${rfcPercentEncode(tokenSecret)}`
  expect(oauth.oauth_signature).toBe(createHmac('sha1', key).update(base).digest('base64'))
  return oauth
}

let updates: OAuth1Token[]
beforeEach(() => {
  updates = []
  server.use(
    http.post(`${X}/oauth/request_token`, async ({ request }) => {
      const oauth = await expectSigned(request, '')
      expect(oauth.oauth_callback).toBe(REDIRECT)
      expect(oauth.oauth_token).toBeUndefined()
      return twitterForm({
        oauth_token: REQUEST_TOKEN,
        oauth_token_secret: REQUEST_SECRET,
        oauth_callback_confirmed: 'true',
      })
    }),
    http.post(`${X}/oauth/access_token`, async ({ request }) => {
      const oauth = await expectSigned(request, REQUEST_SECRET)
      if (oauth.oauth_token !== REQUEST_TOKEN) return twitterError(89, 'Invalid or expired token.')
      if (oauth.oauth_verifier !== VERIFIER) return twitterError(32, 'Could not authenticate you.')
      return twitterForm({
        oauth_token: ACCESS_TOKEN,
        oauth_token_secret: ACCESS_SECRET,
        user_id: '6253282',
        screen_name: 'twitterapi',
      })
    }),
    http.get(`${X}/1.1/account/verify_credentials.json`, async ({ request }) => {
      const oauth = await expectSigned(request, ACCESS_SECRET)
      if (oauth.oauth_token !== ACCESS_TOKEN) return twitterError(89, 'Invalid or expired token.')
      const url = new URL(request.url)
      return HttpResponse.json({
        id: 6253282,
        id_str: '6253282',
        name: 'Twitter API',
        screen_name: 'twitterapi',
        ...(url.searchParams.get('include_email') === 'true' ? { email: 'api@twitter.test' } : {}),
      })
    }),
  )
})

function twitter(extra: Partial<OAuth1AppConfig> = {}) {
  return new OAuth({ secret: SECRET })
    .register('twitter', {
      requestTokenUrl: `${X}/oauth/request_token`,
      accessTokenUrl: `${X}/oauth/access_token`,
      authorizeUrl: `${X}/oauth/authenticate`,
      apiBaseUrl: `${X}/1.1`,
      clientId: CONSUMER_KEY,
      clientSecret: CONSUMER_SECRET,
      updateToken: (_name, token) => void updates.push(token),
      ...extra,
    })
    .create('twitter')
}

/** authorizeRedirect, then the callback Twitter sends after the user approved. */
async function login(
  app = twitter(),
  callback = `${REDIRECT}?oauth_token=${REQUEST_TOKEN}&oauth_verifier=${VERIFIER}`,
) {
  const cookies = new MemoryCookieJar()
  const res = await app.authorizeRedirect({ cookies }, REDIRECT, {
    params: { force_login: 'true' },
  })
  return { res, token: app.authorizeAccessToken({ cookies, request: new Request(callback) }) }
}

describe('X/Twitter OAuth 1.0a through msw', () => {
  it('logs in: request_token and access_token form bodies with user_id and screen_name, then verify_credentials', async () => {
    const app = twitter()
    const { res, token } = await login(app)
    const location = new URL(res.headers.get('location')!)
    expect(location.origin + location.pathname).toBe(`${X}/oauth/authenticate`)
    expect(Object.fromEntries(location.searchParams)).toEqual({
      force_login: 'true',
      oauth_token: REQUEST_TOKEN,
    })
    const got = await token
    expect(got).toEqual({
      oauth_token: ACCESS_TOKEN,
      oauth_token_secret: ACCESS_SECRET,
      user_id: '6253282',
      screen_name: 'twitterapi',
    })
    expect(updates).toEqual([got])

    const me = await app
      .get('account/verify_credentials.json', {
        token: got,
        searchParams: { include_email: 'true' },
      })
      .json()
    expect(me).toEqual({
      id: 6253282,
      id_str: '6253282',
      name: 'Twitter API',
      screen_name: 'twitterapi',
      email: 'api@twitter.test',
    })
  })

  it('Twitter JSON error 32 at request_token is token_error keeping the code and the text', async () => {
    server.use(
      http.post(`${X}/oauth/request_token`, () => twitterError(32, 'Could not authenticate you.')),
    )
    const err = await expectCode(
      login().then((l) => l.token),
      ErrorCode.TOKEN_ERROR,
    )
    expect(err).toMatchObject({
      app: 'twitter',
      status: 401,
      error: '32',
      errorDescription: 'Could not authenticate you.',
    })
    expect(err.message).toBe(
      'twitter: the request token endpoint refused the request with HTTP 401: 32: Could not authenticate you.',
    )
  })

  it('Twitter JSON error 89 at access_token is token_error keeping the code and the text', async () => {
    server.use(
      http.post(`${X}/oauth/access_token`, () => twitterError(89, 'Invalid or expired token.')),
    )
    const { token } = await login()
    const err = await expectCode(token, ErrorCode.TOKEN_ERROR)
    expect(err).toMatchObject({
      status: 401,
      error: '89',
      errorDescription: 'Invalid or expired token.',
    })
    expect(updates).toEqual([])
  })

  it('a wrong verifier reaches the provider signed, and its refusal is a typed error', async () => {
    const { token } = await login(
      twitter(),
      `${REDIRECT}?oauth_token=${REQUEST_TOKEN}&oauth_verifier=wrong`,
    )
    expect(await expectCode(token, ErrorCode.TOKEN_ERROR)).toMatchObject({
      error: '32',
      errorDescription: 'Could not authenticate you.',
    })
  })

  it('Twitter’s legacy plain-text 401 and a form-encoded oauth_problem keep the provider text', async () => {
    server.use(
      http.post(
        `${X}/oauth/request_token`,
        () =>
          new HttpResponse('Failed to validate oauth signature and token', {
            status: 401,
            headers: { 'content-type': 'text/plain' },
          }),
      ),
    )
    expect(
      await expectCode(
        login().then((l) => l.token),
        ErrorCode.TOKEN_ERROR,
      ),
    ).toMatchObject({
      status: 401,
      errorDescription: 'Failed to validate oauth signature and token',
    })
    server.use(
      http.post(`${X}/oauth/request_token`, () =>
        twitterForm(
          { oauth_problem: 'consumer_key_rejected', oauth_problem_advice: 'The app is suspended.' },
          403,
        ),
      ),
    )
    expect(
      await expectCode(
        login().then((l) => l.token),
        ErrorCode.TOKEN_ERROR,
      ),
    ).toMatchObject({
      status: 403,
      error: 'consumer_key_rejected',
      errorDescription: 'The app is suspended.',
    })
  })

  it('a 200 HTML error page from request_token or access_token is invalid_response', async () => {
    const page = () =>
      new HttpResponse(
        '<!DOCTYPE html><html><body><h1>Something is technically wrong.</h1></body></html>',
        { headers: { 'content-type': 'text/html; charset=utf-8' } },
      )
    server.use(http.post(`${X}/oauth/request_token`, page))
    const err = await expectCode(
      login().then((l) => l.token),
      ErrorCode.INVALID_RESPONSE,
    )
    expect(err.message).toBe(
      'twitter: the request token endpoint answered HTTP 200 without a form-encoded oauth_token and oauth_token_secret',
    )
    // Handlers added later win: a good request_token again, and the page at access_token.
    server.use(
      http.post(`${X}/oauth/request_token`, () =>
        twitterForm({
          oauth_token: REQUEST_TOKEN,
          oauth_token_secret: REQUEST_SECRET,
          oauth_callback_confirmed: 'true',
        }),
      ),
      http.post(`${X}/oauth/access_token`, page),
    )
    await expectCode((await login()).token, ErrorCode.INVALID_RESPONSE)
  })

  it('a JSON token response is invalid_response (token endpoints answer form-encoded) unless a hook converts it', async () => {
    const json = () =>
      HttpResponse.json({
        oauth_token: ACCESS_TOKEN,
        oauth_token_secret: ACCESS_SECRET,
        user_id: '6253282',
      })
    server.use(http.post(`${X}/oauth/access_token`, json))
    await expectCode((await login()).token, ErrorCode.INVALID_RESPONSE)
    const app = twitter({
      hooks: {
        // A provider that answers its access token request with JSON: back to the form RFC 5849 §2.3 says.
        accessTokenResponse: async (res) =>
          new Response(
            new URLSearchParams((await res.json()) as Record<string, string>).toString(),
            { status: res.status },
          ),
      },
    })
    expect(await (await login(app)).token).toEqual({
      oauth_token: ACCESS_TOKEN,
      oauth_token_secret: ACCESS_SECRET,
      user_id: '6253282',
    })
  })

  it('temporary credentials without oauth_callback_confirmed are oauth1_error', async () => {
    server.use(
      http.post(`${X}/oauth/request_token`, () =>
        twitterForm({ oauth_token: REQUEST_TOKEN, oauth_token_secret: REQUEST_SECRET }),
      ),
    )
    await expectCode(
      login().then((l) => l.token),
      ErrorCode.OAUTH1_ERROR,
    )
    server.use(
      http.post(`${X}/oauth/request_token`, () =>
        twitterForm({
          oauth_token: REQUEST_TOKEN,
          oauth_token_secret: REQUEST_SECRET,
          oauth_callback_confirmed: 'false',
        }),
      ),
    )
    await expectCode(
      login().then((l) => l.token),
      ErrorCode.OAUTH1_ERROR,
    )
  })

  it('a requestTokenResponse hook sees the request token response first', async () => {
    server.use(
      http.post(`${X}/oauth/request_token`, () =>
        twitterForm({ oauth_token: REQUEST_TOKEN, oauth_token_secret: REQUEST_SECRET }),
      ),
    )
    const app = twitter({
      hooks: {
        // A provider that speaks 1.0a but forgets the confirmation: vouched for by a hook.
        requestTokenResponse: async (res) =>
          new Response(`${await res.text()}&oauth_callback_confirmed=true`, { status: res.status }),
      },
    })
    expect(await (await login(app)).token).toMatchObject({ oauth_token: ACCESS_TOKEN })
  })

  it('a 5xx or a bare 403 is http_error; a network failure, a timeout and an oversized body have their own codes', async () => {
    server.use(
      http.post(
        `${X}/oauth/request_token`,
        () => new HttpResponse('Over capacity', { status: 503 }),
      ),
    )
    expect(
      await expectCode(
        login().then((l) => l.token),
        ErrorCode.HTTP_ERROR,
      ),
    ).toMatchObject({ status: 503 })
    server.use(http.post(`${X}/oauth/request_token`, () => new HttpResponse(null, { status: 403 })))
    expect(
      await expectCode(
        login().then((l) => l.token),
        ErrorCode.HTTP_ERROR,
      ),
    ).toMatchObject({ status: 403 })
    server.use(http.post(`${X}/oauth/request_token`, () => HttpResponse.error()))
    await expectCode(
      login().then((l) => l.token),
      ErrorCode.NETWORK_ERROR,
    )
    server.use(
      http.post(`${X}/oauth/request_token`, async () => {
        await delay(500)
        return twitterForm({
          oauth_token: REQUEST_TOKEN,
          oauth_token_secret: REQUEST_SECRET,
          oauth_callback_confirmed: 'true',
        })
      }),
    )
    await expectCode(
      login(twitter({ timeout: 50 })).then((l) => l.token),
      ErrorCode.TIMEOUT,
    )
    server.use(
      http.post(`${X}/oauth/request_token`, () =>
        twitterForm({
          oauth_token: 'x'.repeat(5000),
          oauth_token_secret: 's',
          oauth_callback_confirmed: 'true',
        }),
      ),
    )
    await expectCode(
      login(twitter({ maxResponseSize: 1024 })).then((l) => l.token),
      ErrorCode.RESPONSE_TOO_LARGE,
    )
  })

  it('an API error stays ky’s HTTPError with Twitter’s JSON body, as for OAuth 2 apps', async () => {
    const app = twitter()
    const stale: OAuth1Token = { oauth_token: 'revoked-token', oauth_token_secret: ACCESS_SECRET }
    const err = await app
      .get('account/verify_credentials.json', { token: stale })
      .json()
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HTTPError)
    expect((err as HTTPError).response.status).toBe(401)
    expect(await (err as HTTPError).response.json()).toEqual({
      errors: [{ code: 89, message: 'Invalid or expired token.' }],
    })
    // ky options still work: no throw, and a hook-rewritten body.
    const res = await app.get('account/verify_credentials.json', {
      token: stale,
      throwHttpErrors: false,
    })
    expect(res.status).toBe(401)
    const edited = await rewriteJson(res, (body) => ({ ...body, seen: true }))
    expect(await edited.json()).toMatchObject({ seen: true })
  })

  it('puts no secret, token or verifier in any error, even when the provider echoes them', async () => {
    server.use(
      http.post(`${X}/oauth/access_token`, () =>
        twitterForm(
          {
            oauth_problem: 'token_rejected',
            oauth_problem_advice: `token ${REQUEST_TOKEN} with verifier ${VERIFIER} and key ${CONSUMER_SECRET}`,
          },
          401,
        ),
      ),
    )
    const err = await expectCode((await login()).token, ErrorCode.TOKEN_ERROR)
    expect(err.errorDescription).toBe(
      'token [redacted] with verifier [redacted] and key [redacted]',
    )
    const text = `${err.message} ${JSON.stringify(err)} ${err.errorDescription}`
    for (const secret of SECRETS) expect(text).not.toContain(secret)
  })
})
