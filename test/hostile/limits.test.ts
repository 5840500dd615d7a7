/**
 * API calls under the app's limits: `timeout` bounds every call (ky's default was 10 s); `profile()`
 * and whatever oauthkit itself reads from the API are held to `maxResponseSize` and, for a body that
 * stalls, to `timeout`; bodies the app reads from `get`/`post` are held to `apiMaxResponseSize`
 * (default 10 MiB), which a call can lift.
 */
import { randomUUID } from 'node:crypto'
import { TimeoutError } from 'ky'
import { delay, http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { ErrorCode, OAuth, type OAuth2AppConfig, type OAuth2Token } from '../../src/index.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'
import { registerCredential } from '../support/secrets.js'

const server = useMsw()
const API = 'https://api.limits.test'
const ACCESS_TOKEN = `at-limits-${randomUUID()}`
registerCredential(ACCESS_TOKEN)
const token = (): OAuth2Token => ({
  access_token: ACCESS_TOKEN,
  token_type: 'Bearer',
  expires_at: Math.floor(Date.now() / 1000) + 3600,
})

function app(extra: Partial<OAuth2AppConfig> = {}) {
  return new OAuth({ secret: SECRET })
    .register('api', {
      clientId: 'limits-client',
      authorizeUrl: 'https://idp.limits.test/authorize',
      accessTokenUrl: 'https://idp.limits.test/token',
      apiBaseUrl: API,
      // Like a preset's loader: oauthkit reads /user itself.
      profile: async (api, t) => ({
        sub: String((await api.getJson<{ id: number }>('user', t)).id),
        raw: {},
      }),
      ...extra,
    })
    .create('api')
}

/** `size` bytes of a JSON string, streamed in 64 KiB chunks without a Content-Length. */
function streamedJson(size: number): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode('x'.repeat(64 * 1024))
  let sent = 0
  return new ReadableStream({
    pull(controller) {
      if (sent === 0) controller.enqueue(new TextEncoder().encode('{"id":1,"pad":"'))
      if (sent >= size) {
        controller.enqueue(new TextEncoder().encode('"}'))
        controller.close()
        return
      }
      controller.enqueue(chunk)
      sent += chunk.byteLength
    },
  })
}

const elapsed = async (run: () => Promise<unknown>): Promise<[number, unknown]> => {
  const start = Date.now()
  const outcome = await run().then(
    () => undefined,
    (e: unknown) => e,
  )
  return [Date.now() - start, outcome]
}

describe('timeouts', () => {
  it(
    "api-timeout: get and profile() give up after the app timeout, not ky's 10 s",
    { timeout: 8_000 },
    async () => {
      server.use(
        http.get(`${API}/*`, async () => (await delay(5_000), HttpResponse.json({ id: 1 }))),
      )
      const a = app({ timeout: 300 })
      const [getTime, getError] = await elapsed(() => a.get('slow', { token: token() }).json())
      expect(getError).toBeInstanceOf(TimeoutError)
      expect(getTime).toBeLessThan(2_000)
      const [profileTime, profileError] = await elapsed(() => a.profile(token()))
      expect(profileTime).toBeLessThan(2_000)
      await expectCode(Promise.reject(profileError), ErrorCode.TIMEOUT)
    },
  )

  it(
    'profile-stalled-body: a profile body that stops after its headers fails with timeout at the app timeout',
    { timeout: 8_000 },
    async () => {
      server.use(
        http.get(
          `${API}/user`,
          () =>
            new HttpResponse(
              new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode('{"id":')) }),
              { headers: { 'content-type': 'application/json' } },
            ),
        ),
      )
      const [time, error] = await elapsed(() => app({ timeout: 300 }).profile(token()))
      expect(time).toBeLessThan(2_000)
      await expectCode(Promise.reject(error), ErrorCode.TIMEOUT)
    },
  )
})

describe('body limits', () => {
  it('profile-oversized: a profile body over maxResponseSize is response_too_large, declared or streamed', async () => {
    const big = JSON.stringify({ id: 1, pad: 'x'.repeat(2 * 1024 * 1024) })
    server.use(
      http.get(
        `${API}/user`,
        () =>
          new HttpResponse(big, {
            headers: { 'content-type': 'application/json', 'content-length': String(big.length) },
          }),
      ),
    )
    await expectCode(app().profile(token()), ErrorCode.RESPONSE_TOO_LARGE)
    server.use(
      http.get(
        `${API}/user`,
        () =>
          new HttpResponse(streamedJson(2 * 1024 * 1024), {
            headers: { 'content-type': 'application/json' },
          }),
      ),
    )
    await expectCode(app().profile(token()), ErrorCode.RESPONSE_TOO_LARGE)
    // Within the app's own limit it is read.
    expect(await app({ maxResponseSize: 4 * 1024 * 1024 }).profile(token())).toMatchObject({
      sub: '1',
    })
  })

  it('api-oversized: a get body over apiMaxResponseSize is response_too_large; a call can lift the limit', async () => {
    const body = JSON.stringify({ id: 1, pad: 'x'.repeat(100 * 1024) })
    server.use(
      http.get(
        `${API}/declared`,
        () =>
          new HttpResponse(body, {
            headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
          }),
      ),
      http.get(
        `${API}/streamed`,
        () =>
          new HttpResponse(streamedJson(100 * 1024), {
            headers: { 'content-type': 'application/json' },
          }),
      ),
    )
    const a = app({ apiMaxResponseSize: 64 * 1024 })
    await expectCode(a.get('declared', { token: token() }), ErrorCode.RESPONSE_TOO_LARGE)
    await expectCode(a.get('streamed', { token: token() }).json(), ErrorCode.RESPONSE_TOO_LARGE)
    expect(
      await a.get('streamed', { token: token(), maxResponseSize: false }).json(),
    ).toMatchObject({ id: 1 })
    expect(
      await app({ apiMaxResponseSize: false }).get('declared', { token: token() }).json(),
    ).toMatchObject({ id: 1 })
  })

  it(
    'api-default-limit: without apiMaxResponseSize a body past 10 MiB is refused as it streams',
    { timeout: 20_000 },
    async () => {
      server.use(
        http.get(
          `${API}/huge`,
          () =>
            new HttpResponse(streamedJson(11 * 1024 * 1024), {
              headers: { 'content-type': 'application/json' },
            }),
        ),
      )
      await expectCode(app().get('huge', { token: token() }).text(), ErrorCode.RESPONSE_TOO_LARGE)
    },
  )

  it('api-limits-config: register refuses an apiMaxResponseSize that is not a positive number or false', async () => {
    for (const value of [0, -1, Number.POSITIVE_INFINITY, Number.NaN, '1mb', true]) {
      const err = await expectCode(
        Promise.resolve().then(() => app({ apiMaxResponseSize: value as number })),
        ErrorCode.CONFIG_INVALID,
      )
      expect(err.message).toContain('apiMaxResponseSize')
    }
  })
})
