/**
 * Every provider request goes through one HTTP client: a bounded body, a timeout, and errors that
 * keep no token, code or secret, however they are printed.
 */
import { inspect } from 'node:util'
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { ErrorCode, OAuth } from '../src/index.js'
import { HttpClient } from '../src/http/client.js'
import { SECRET, expectCode, useMsw } from './support/helpers.js'

const server = useMsw()
const TOKEN_URL = 'https://idp.test/token'

function app() {
  return new OAuth({ secret: SECRET })
    .register('idp', {
      clientId: 'c',
      clientSecret: 'client-secret-value',
      authorizeUrl: 'https://idp.test/authorize',
      accessTokenUrl: TOKEN_URL,
    })
    .create('idp')
}

describe('errors from provider responses', () => {
  it('keep the tokens of a rejected token response out of everything a logger prints (util.inspect follows the non-enumerable cause)', async () => {
    // oauth4webapi refuses this body and keeps it, tokens included, as its error's cause.
    server.use(
      http.post(TOKEN_URL, () =>
        HttpResponse.json({
          access_token: 'secret-access-token',
          refresh_token: 'secret-refresh-token',
          token_type: 'Bearer',
          expires_in: 'soon',
        }),
      ),
    )
    const err = await expectCode(
      app().refreshToken({
        access_token: 'old-access-token',
        token_type: 'bearer',
        refresh_token: 'old-refresh-token',
      }),
      ErrorCode.REAUTHENTICATION_REQUIRED,
    )
    const printed = [
      inspect(err, { depth: Infinity, showHidden: true }),
      String(err),
      JSON.stringify(err),
    ].join('\n')
    expect(printed).toMatch(/expires_in/) // the reason is kept
    for (const secret of [
      'secret-access-token',
      'secret-refresh-token',
      'old-refresh-token',
      'client-secret-value',
    ])
      expect(printed).not.toContain(secret)
  })
})

describe('response size', () => {
  it('refuses a body whose declared Content-Length is over the limit at once, without reading it, and cancels it', async () => {
    let cancelled = false
    // A body that would stall after its first bytes: reading it could only end at the timeout.
    const stalling = () =>
      new ReadableStream<Uint8Array>({
        start: (c) => c.enqueue(new Uint8Array(16)),
        cancel: () => void (cancelled = true),
      })
    const client = new HttpClient({
      app: 'idp',
      fetch: async () =>
        new Response(stalling(), {
          headers: {
            'content-type': 'application/json',
            'content-length': String(10 * 1024 * 1024),
          },
        }),
      timeout: 1_000, // reading the body would end here, as a timeout
      maxResponseSize: 1024,
      hooks: {},
    })
    const err = await expectCode(
      client.send(new Request(TOKEN_URL, { method: 'POST' }), 'token'),
      ErrorCode.RESPONSE_TOO_LARGE,
    )
    expect(err.message).toMatch(/larger than 1024 bytes/)
    expect(cancelled).toBe(true)
  })
})
