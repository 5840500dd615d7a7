/**
 * A form_post callback body is read as a stream with a byte cap (64 KiB) in the core, so every
 * integration (Next.js and SvelteKit hand the core a Web `Request` as they got it) refuses a huge
 * body after reading little of it, and a declared oversized one without reading it.
 */
import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth } from '../../src/index.js'
import { oauthHandlers, type NextCookies } from '../../integrations/next/index.js'
import { REDIRECT, SECRET, expectCode } from '../support/helpers.js'

const CAP = 64 * 1024
const CHUNK = 8 * 1024
const HUGE = 64 * 1024 * 1024

/** A form body of `total` bytes that counts what is pulled from it, one chunk per pull. */
function countedBody(total: number) {
  let pulled = 0
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (pulled >= total) return controller.close()
        const size = Math.min(CHUNK, total - pulled)
        pulled += size
        controller.enqueue(new Uint8Array(size).fill(0x61)) // "aaa…": one long form field name
      },
    },
    { highWaterMark: 0 },
  )
  return { stream, pulled: () => pulled }
}

function formPost(body: ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Request {
  return new Request(REDIRECT, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    duplex: 'half',
  } as RequestInit)
}

const oauth = () =>
  new OAuth({ secret: SECRET }).register('idp', {
    authorizeUrl: 'https://idp.test/authorize',
    accessTokenUrl: 'https://idp.test/token',
    clientId: 'c',
    clientSecret: 's',
    responseMode: 'form_post',
  })

describe('form_post callback body', () => {
  it('body-streamed-cap: a huge streamed body is refused after reading at most about 64 KiB', async () => {
    const body = countedBody(HUGE)
    const err = await expectCode(
      oauth()
        .create('idp')
        .completeAuthorization({ cookies: new MemoryCookieJar(), request: formPost(body.stream) }),
      ErrorCode.INVALID_AUTHORIZATION_RESPONSE,
    )
    expect(err.message).toMatch(/too large/)
    expect(body.pulled()).toBeGreaterThan(CAP)
    expect(body.pulled()).toBeLessThanOrEqual(CAP + 2 * CHUNK)
  })

  it('body-declared-cap: a declared content-length over 64 KiB is refused without reading the body', async () => {
    const body = countedBody(HUGE)
    const request = formPost(body.stream, { 'content-length': String(HUGE) })
    await expectCode(
      oauth().create('idp').completeAuthorization({ cookies: new MemoryCookieJar(), request }),
      ErrorCode.INVALID_AUTHORIZATION_RESPONSE,
    )
    expect(body.pulled()).toBe(0)
  })

  it('body-next-handler: the Next.js POST handler refuses a huge form_post body after reading at most about 64 KiB', async () => {
    const body = countedBody(HUGE)
    const cookies: NextCookies = { get: () => undefined, getAll: () => [], set: () => undefined }
    const { POST } = oauthHandlers(oauth(), { cookies: () => cookies })
    const response = await POST(formPost(body.stream), {
      params: Promise.resolve({ name: 'idp', action: 'callback' }),
    })
    expect(response.status).toBe(400)
    expect(await response.text()).toBe('Sign-in failed: invalid_authorization_response')
    expect(body.pulled()).toBeLessThanOrEqual(CAP + 2 * CHUNK)
  })

  it('body-small: a form_post body under the cap is read whole, in chunks', async () => {
    const request = formPost(new Blob(['state=', 'x'.repeat(CAP - 10)]).stream())
    // The body is read: the state names no transaction of this browser.
    await expectCode(
      oauth().create('idp').completeAuthorization({ cookies: new MemoryCookieJar(), request }),
      ErrorCode.TRANSACTION_NOT_FOUND,
    )
  })
})
