/**
 * Hostile provider text: an `error_description` (or `error`, `error_uri`) is the provider's — or, in
 * a callback, anyone's — to choose. It must reach messages and error fields as one printable,
 * bounded line, so it cannot forge log lines, hide text with bidi overrides or flood a log.
 */
import { HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { ErrorCode, type OAuthKitError } from '../../src/index.js'
import { useMsw } from '../support/helpers.js'
import { hostileRig } from '../support/hostile-idp.js'

const server = useMsw()

/** A forged log line, an ANSI escape, a bidi override, a zero-width space and a Unicode line separator. */
const INJECTION =
  'bad request\r\n2026-12-02T10:00:00Z INFO login ok user=admin\u001b[31m red\u202Eevil\u200B\u2028next'
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u

function expectClean(err: OAuthKitError) {
  for (const text of [err.message, err.error, err.errorDescription, err.errorUri]) {
    if (text === undefined) continue
    expect(text, 'no control, format or separator character').not.toMatch(UNPRINTABLE)
    expect(text.length, 'bounded').toBeLessThanOrEqual(400)
  }
  expect(err.message).toContain('bad request 2026-12-02T10:00:00Z INFO login ok user=admin')
}

describe('hostile provider: text in errors', () => {
  it('log-injection-callback: error, error_description and error_uri of a callback reach the error as one bounded, printable line', async () => {
    const r = await hostileRig(server)
    const cases = [
      {
        error: 'server_error\n\u001b[2J',
        code: ErrorCode.AUTHORIZATION_ERROR,
        cleaned: 'server_error [2J',
      },
      { error: 'access_denied', code: ErrorCode.ACCESS_DENIED, cleaned: 'access_denied' },
    ]
    for (const { error, code, cleaned } of cases) {
      const login = await r.start()
      const callback = r.idp.authorize(login.location, {
        error,
        error_description: INJECTION + 'x'.repeat(50_000),
        error_uri: 'https://idp.test/e\r\nSet-Cookie: a=b',
      })
      callback.searchParams.delete('code')
      const err = await r.expectRefused(() => r.signIn(login, callback), code, { login, calls: [] })
      expectClean(err)
      expect(err.error).toBe(cleaned)
      expect(err.errorUri).toBe('https://idp.test/e Set-Cookie: a=b')
      expect(err.errorDescription?.endsWith('…')).toBe(true)
    }
  })

  it('log-injection-token-endpoint: a token endpoint error body reaches the error as one bounded, printable line', async () => {
    const r = await hostileRig(server)
    const login = await r.start()
    r.idp.overrides.token = () =>
      HttpResponse.json(
        { error: 'invalid_grant\u202E', error_description: INJECTION + 'y'.repeat(50_000) },
        { status: 400 },
      )
    const err = await r.expectRefused(
      () => r.signIn(login, r.idp.authorize(login.location)),
      ErrorCode.TOKEN_ERROR,
      { login, calls: ['token'] },
    )
    expectClean(err)
    expect(err.error).toBe('invalid_grant')
  })

  it('log-injection-challenge: a WWW-Authenticate error_description with escape, C1 and format characters is cleaned', async () => {
    const r = await hostileRig(server)
    const login = await r.start()
    const token = await r.app.authorizeAccessToken({
      cookies: login.cookies,
      request: new Request(r.idp.authorize(login.location)),
    })
    r.idp.overrides.userinfo = () =>
      new HttpResponse(null, {
        status: 401,
        headers: {
          'www-authenticate':
            'Bearer error="invalid_token", error_description="bad request\u001b[31m red\u0085evil\u00ADx"',
        },
      })
    const err = await r.expectRefused(() => r.app.userinfo(token), ErrorCode.USERINFO_INVALID, {
      calls: ['userinfo'],
    })
    for (const text of [err.message, err.error, err.errorDescription])
      if (text !== undefined) expect(text).not.toMatch(UNPRINTABLE)
    expect(err.errorDescription).toBe('bad request [31m red evil x')
  })
})

describe('hostile provider: credentials echoed in errors', () => {
  it('echoed-credentials: a token endpoint that echoes the code, the verifier, the refresh token or the client secret into its error has them redacted', async () => {
    const r = await hostileRig(server)
    const login = await r.start()
    r.idp.overrides.token = async (request) => {
      const body = new URLSearchParams(await request.clone().text())
      const basic = atob((request.headers.get('authorization') ?? 'Basic ').slice(6))
      const echoed = [
        body.get('code'),
        body.get('code_verifier'),
        body.get('refresh_token'),
        decodeURIComponent(basic.slice(basic.indexOf(':') + 1)),
      ]
      return HttpResponse.json(
        {
          error: 'invalid_grant',
          error_description: `rejected ${echoed.filter(Boolean).join(' and ')}`,
        },
        { status: 400 },
      )
    }
    // expectRefused also walks the error for every credential in play (test/support/secrets.ts).
    const err = await r.expectRefused(
      () => r.signIn(login, r.idp.authorize(login.location)),
      ErrorCode.TOKEN_ERROR,
      { login, calls: ['token'] },
    )
    expect(err.errorDescription).toBe('rejected [redacted] and [redacted] and [redacted]')

    r.idp.overrides.token = undefined
    const ok = await r.start()
    const token = await r.signIn(ok, r.idp.authorize(ok.location))
    r.idp.overrides.token = async (request) => {
      const body = new URLSearchParams(await request.clone().text())
      return HttpResponse.json(
        {
          error: 'invalid_grant',
          error_description: `refresh token ${body.get('refresh_token')} was revoked`,
        },
        { status: 400 },
      )
    }
    const refused = await r.expectRefused(
      () => r.app.refreshToken(token),
      ErrorCode.REAUTHENTICATION_REQUIRED,
      { calls: ['token'] },
    )
    expect(refused.errorDescription).toBe('refresh token [redacted] was revoked')
  })
})
