/**
 * Compliance hooks, each proven against a real provider quirk emulated with msw: without the hook the
 * quirk is a typed error, with it the login works.
 */
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import {
  ErrorCode,
  MemoryCookieJar,
  OAuth,
  rewriteJson,
  type IdTokenClaims,
  type ResponseHook,
} from '../src/index.js'
import { FakeIdp } from './support/fake-idp.js'
import { REDIRECT, SECRET, expectCode, useMsw } from './support/helpers.js'

const server = useMsw()

/** GitHub answers the token request form-encoded and reports errors with HTTP 200. */
const githubTokenResponse: ResponseHook = async (response) => {
  if (!(response.headers.get('content-type') ?? '').includes('application/x-www-form-urlencoded'))
    return
  const body = Object.fromEntries(new URLSearchParams(await response.text()))
  // RFC 6749 §5.2: an error is a 400 with a JSON body.
  return Response.json(body, { status: body.error ? 400 : response.status })
}

function github(tokenBody: string, hooks = true) {
  server.use(
    http.post(
      'https://github.test/login/oauth/access_token',
      () =>
        new HttpResponse(tokenBody, {
          status: 200,
          headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        }),
    ),
  )
  return new OAuth({ secret: SECRET })
    .register('github', {
      clientId: 'gh',
      clientSecret: 'gh-secret',
      authorizeUrl: 'https://github.test/login/oauth/authorize',
      accessTokenUrl: 'https://github.test/login/oauth/access_token',
      scope: 'read:user',
      hooks: hooks ? { accessTokenResponse: githubTokenResponse } : {},
    })
    .create('github')
}

async function callback(app: ReturnType<typeof github>) {
  const cookies = new MemoryCookieJar()
  const res = await app.authorizeRedirect({ cookies }, REDIRECT)
  const state = new URL(res.headers.get('location')!).searchParams.get('state')!
  return { cookies, request: new Request(`${REDIRECT}?code=the-code&state=${state}`) }
}

describe('accessTokenResponse', () => {
  it('GitHub: a form-encoded token response becomes a token', async () => {
    const app = github('access_token=gho_abc&scope=read%3Auser&token_type=bearer')
    const token = await app.authorizeAccessToken(await callback(app))
    expect(token).toMatchObject({
      access_token: 'gho_abc',
      token_type: 'bearer',
      scope: 'read:user',
    })
  })

  it('GitHub: an error sent with HTTP 200 becomes a token_error keeping the provider error', async () => {
    const app = github(
      'error=bad_verification_code&error_description=The+code+passed+is+incorrect+or+expired.',
    )
    const err = await expectCode(
      app.authorizeAccessToken(await callback(app)),
      ErrorCode.TOKEN_ERROR,
    )
    expect(err).toMatchObject({
      error: 'bad_verification_code',
      errorDescription: 'The code passed is incorrect or expired.',
      status: 400,
    })
  })

  it('GitHub without the hook: the same response is an invalid_response, not a token', async () => {
    const app = github('access_token=gho_abc&token_type=bearer', false)
    await expectCode(app.authorizeAccessToken(await callback(app)), ErrorCode.INVALID_RESPONSE)
  })

  it('Slack: a token response without token_type is fixed by one rewriteJson hook', async () => {
    server.use(
      http.post('https://slack.test/api/openid.connect.token', () =>
        HttpResponse.json({ ok: true, access_token: 'xoxp-1', scope: 'openid' }),
      ),
    )
    const make = (withHook: boolean) =>
      new OAuth({ secret: SECRET })
        .register('slack', {
          clientId: 's',
          clientSecret: 'slack-secret',
          authorizeUrl: 'https://slack.test/openid/connect/authorize',
          accessTokenUrl: 'https://slack.test/api/openid.connect.token',
          // Slack omits token_type; RFC 6749 §5.1 requires it.
          hooks: withHook
            ? {
                accessTokenResponse: (res) =>
                  rewriteJson(res, (body) => ({ token_type: 'bearer', ...body })),
              }
            : {},
        })
        .create('slack')
    await expectCode(
      make(false).authorizeAccessToken(await callback(make(false))),
      ErrorCode.INVALID_RESPONSE,
    )
    const app = make(true)
    expect(await app.authorizeAccessToken(await callback(app))).toMatchObject({
      access_token: 'xoxp-1',
      token_type: 'bearer',
      ok: true,
    })
  })
})

describe('accessTokenRequest', () => {
  it('re-encodes the code exchange as JSON for a provider that only reads JSON bodies (Notion)', async () => {
    const seen: Array<{ type: string | null; body: string }> = []
    server.use(
      http.post('https://notion.test/v1/oauth/token', async ({ request }) => {
        const body = await request.text()
        seen.push({ type: request.headers.get('content-type'), body })
        if (!request.headers.get('content-type')?.includes('json'))
          return HttpResponse.json({ error: 'invalid_request' }, { status: 400 })
        return HttpResponse.json({ access_token: 'secret_n', token_type: 'bearer', bot_id: 'b1' })
      }),
    )
    const make = (withHook: boolean) =>
      new OAuth({ secret: SECRET })
        .register('notion', {
          clientId: 'n',
          clientSecret: 'notion-secret',
          authorizeUrl: 'https://notion.test/v1/oauth/authorize',
          accessTokenUrl: 'https://notion.test/v1/oauth/token',
          hooks: withHook
            ? {
                accessTokenRequest: async (req) => {
                  const form = Object.fromEntries(new URLSearchParams(await req.text()))
                  const headers = new Headers(req.headers)
                  headers.set('content-type', 'application/json')
                  return new Request(req.url, {
                    method: 'POST',
                    headers,
                    body: JSON.stringify(form),
                  })
                },
              }
            : {},
        })
        .create('notion')
    await expectCode(
      make(false).authorizeAccessToken(await callback(make(false))),
      ErrorCode.TOKEN_ERROR,
    )
    const app = make(true)
    expect(await app.authorizeAccessToken(await callback(app))).toMatchObject({
      access_token: 'secret_n',
      bot_id: 'b1',
    })
    expect(JSON.parse(seen.at(-1)!.body)).toMatchObject({
      grant_type: 'authorization_code',
      code: 'the-code',
    })
  })
})

describe('metadataResponse', () => {
  const ENTRA = 'https://login.microsoftonline.com/common/v2.0'
  const TENANT = '9188040d-6c67-4c5b-b112-36a304b66dad'

  async function entra(withHooks: boolean) {
    const idp = await FakeIdp.create({ issuer: ENTRA, issParameter: false })
    // Entra's multi-tenant discovery document names an issuer template, not an issuer.
    idp.overrides.discovery = () =>
      HttpResponse.json({
        ...idp.metadata(),
        issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
      })
    idp.idTokenClaims = { iss: `https://login.microsoftonline.com/${TENANT}/v2.0`, tid: TENANT }
    server.use(...idp.handlers())
    const oauth = new OAuth({ secret: SECRET }).register('entra', {
      serverMetadataUrl: idp.discoveryUrl,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      scope: 'openid email',
      ...(withHooks && {
        hooks: {
          metadataResponse: (res) =>
            rewriteJson(res, (doc) => ({
              ...doc,
              issuer: String(doc.issuer).replace('{tenantid}', 'common'),
            })),
        },
        // Each token is then checked against the issuer of its own tenant.
        idTokenIssuer: (claims: IdTokenClaims) =>
          `https://login.microsoftonline.com/${String(claims.tid)}/v2.0`,
      }),
    })
    return { idp, app: oauth.create('entra') }
  }

  it('Entra multi-tenant: without the hook the {tenantid} issuer template fails discovery', async () => {
    const { app } = await entra(false)
    await expectCode(app.loadServerMetadata(), ErrorCode.METADATA_INVALID)
  })

  it('Entra multi-tenant: with the hook the login validates the ID token against its own tenant', async () => {
    const { idp, app } = await entra(true)
    const cookies = new MemoryCookieJar()
    const res = await app.authorizeRedirect({ cookies }, REDIRECT)
    const token = await app.authorizeAccessToken({
      cookies,
      request: new Request(idp.authorize(res.headers.get('location')!)),
    })
    expect(token.userinfo).toMatchObject({
      tid: TENANT,
      iss: `https://login.microsoftonline.com/${TENANT}/v2.0`,
    })
  })

  it('Entra multi-tenant: a token whose iss does not match its own tid is refused', async () => {
    const { idp, app } = await entra(true)
    idp.idTokenClaims = {
      iss: 'https://login.microsoftonline.com/another-tenant/v2.0',
      tid: TENANT,
    }
    const cookies = new MemoryCookieJar()
    const res = await app.authorizeRedirect({ cookies }, REDIRECT)
    await expectCode(
      app.authorizeAccessToken({
        cookies,
        request: new Request(idp.authorize(res.headers.get('location')!)),
      }),
      ErrorCode.ID_TOKEN_INVALID,
    )
  })
})

describe('userinfoResponse', () => {
  it('unwraps a provider that nests the profile in { data: [...] } (Twitch Helix)', async () => {
    const idp = await FakeIdp.create()
    idp.overrides.userinfo = () =>
      HttpResponse.json({ data: [{ sub: 'user-1', login: 'streamer' }] })
    server.use(...idp.handlers())
    const make = (withHook: boolean) =>
      new OAuth({ secret: SECRET })
        .register('twitch', {
          serverMetadataUrl: idp.discoveryUrl,
          clientId: idp.clientId,
          hooks: withHook
            ? {
                userinfoResponse: (res) =>
                  rewriteJson(res, (body) => (body.data as Array<Record<string, unknown>>)[0]!),
              }
            : {},
        })
        .create('twitch')
    const token = { access_token: 'at', token_type: 'bearer' }
    expect(await make(true).userinfo(token)).toEqual({ sub: 'user-1', login: 'streamer' })
    await expectCode(make(false).userinfo(token), ErrorCode.USERINFO_INVALID)
  })
})

describe('authorizationResponse hook', () => {
  it('sees a copy of the callback parameters first; a change made in place or returned is what gets checked', async () => {
    const { hostileRig } = await import('./support/hostile-idp.js')
    const seen: string[] = []
    for (const hook of [
      (params: URLSearchParams) => {
        seen.push(params.get('error') ?? '')
        params.set('error', 'access_denied')
      },
      (params: URLSearchParams) => {
        const replaced = new URLSearchParams(params)
        replaced.set('error', 'access_denied')
        return replaced
      },
    ]) {
      const r = await hostileRig(server, { config: { hooks: { authorizationResponse: hook } } })
      const login = await r.start()
      const callback = new URL(REDIRECT)
      callback.searchParams.set('state', login.state)
      callback.searchParams.set('error', 'user_said_no')
      callback.searchParams.set('iss', r.idp.issuer)
      const request = new Request(callback)
      const err = await expectCode(
        r.app.completeAuthorization({ cookies: login.cookies, request }),
        ErrorCode.ACCESS_DENIED,
      )
      expect(err.error).toBe('access_denied')
    }
    expect(seen).toEqual(['user_said_no'])
  })
})

describe('authorizationUrl', () => {
  it('renames client_id and adds a fragment (WeChat), in order, keeping state, PKCE and the callback check', async () => {
    const app = (hooks: boolean) =>
      new OAuth({ secret: SECRET })
        .register('wx', {
          clientId: 'wx-app',
          clientSecret: 'wx-secret',
          authorizeUrl: 'https://wx.test/connect/qrconnect',
          accessTokenUrl: 'https://wx.test/token',
          scope: 'snsapi_login',
          hooks: hooks
            ? {
                authorizationUrl: [
                  (url) => {
                    url.searchParams.set('appid', url.searchParams.get('client_id')!)
                    url.searchParams.delete('client_id')
                  },
                  (url) => new URL(`${url.href}#wechat_redirect`),
                ],
              }
            : {},
        })
        .create('wx')
    const cookies = new MemoryCookieJar()
    const res = await app(true).authorizeRedirect({ cookies }, REDIRECT)
    const location = new URL(res.headers.get('location')!)
    expect(location.hash).toBe('#wechat_redirect')
    expect(location.searchParams.get('appid')).toBe('wx-app')
    expect(location.searchParams.has('client_id')).toBe(false)
    expect(location.searchParams.get('code_challenge')).toBeTruthy()
    const plain = new URL(
      (
        await app(false).authorizeRedirect({ cookies: new MemoryCookieJar() }, REDIRECT)
      ).headers.get('location')!,
    )
    expect(plain.hash).toBe('')
    expect(plain.searchParams.get('client_id')).toBe('wx-app')
    // The transaction is the one the hooked URL's state names.
    server.use(
      http.post('https://wx.test/token', () =>
        HttpResponse.json({ access_token: 'at', token_type: 'bearer' }),
      ),
    )
    const state = location.searchParams.get('state')!
    const token = await app(true).authorizeAccessToken({
      cookies,
      request: new Request(`${REDIRECT}?code=c&state=${state}`),
    })
    expect(token.access_token).toBe('at')
  })
})
