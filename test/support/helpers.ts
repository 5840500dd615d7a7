import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import { isOAuthKitError, type OAuthKitError } from '../../src/index.js'
import {
  expectNoCredentials,
  registerAuthorization,
  registerCredential,
  registerCredentialFields,
} from './secrets.js'

export const SECRET = 'a-test-secret-that-is-at-least-32-characters'
export const REDIRECT = 'https://app.test/callback'
registerCredential(SECRET)

/** An msw server for this test file, failing on any request no handler answers. */
export function useMsw() {
  const server = setupServer()
  // Whatever crosses an emulated provider (tokens, codes, secrets, signatures) is a credential in play.
  server.events.on('request:start', ({ request }) => void registerExchange(request))
  server.events.on('response:mocked', ({ response }) => void registerExchange(response))
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterEach(() => server.resetHandlers())
  afterAll(() => server.close())
  return server
}

/** Register the credentials of a request or response an emulated provider saw or sent (at most 64 KiB of its body). */
async function registerExchange(message: Request | Response): Promise<void> {
  registerAuthorization(message.headers.get('authorization'))
  if (message instanceof Request) registerCredentialFields(new URL(message.url).searchParams)
  const type = message.headers.get('content-type') ?? ''
  if (!/json|x-www-form-urlencoded|text\/plain/i.test(type) || message.body === null) return
  try {
    const reader = message.clone().body!.getReader()
    const chunks: Uint8Array[] = []
    for (let size = 0; size < 64 * 1024;) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.byteLength
    }
    void reader.cancel().catch(() => {})
    const text = new TextDecoder().decode(Buffer.concat(chunks))
    const fields: Record<string, unknown> = /json/i.test(type)
      ? Object(JSON.parse(text))
      : Object.fromEntries(new URLSearchParams(text))
    // In a response, `code` is an API's error code (Notion's "missing_version"), not an authorization code.
    if (message instanceof Response) delete fields.code
    registerCredentialFields(fields)
  } catch {
    // Not a body worth reading (truncated JSON, a stream that errors): nothing to register.
  }
}

/** Await a rejection and check it is an OAuthKitError with `code`, from which no credential in play is reachable. */
export async function expectCode(promise: Promise<unknown>, code: string): Promise<OAuthKitError> {
  const err = await promise.then(
    () => {
      throw new Error(`expected a rejection with ${code}`)
    },
    (e: unknown) => e,
  )
  expect(isOAuthKitError(err), String(err)).toBe(true)
  expect((err as OAuthKitError).code, (err as Error).message).toBe(code)
  expectNoCredentials(err)
  return err as OAuthKitError
}

/**
 * Await a rejection that is not an OAuthKitError (ky's `HTTPError` of an API call, say), check its
 * message, and that no credential in play is reachable from it.
 */
export async function expectRejected(promise: Promise<unknown>, message: RegExp): Promise<unknown> {
  const err = await promise.then(
    () => {
      throw new Error(`expected a rejection matching ${message}`)
    },
    (e: unknown) => e,
  )
  expect(err instanceof Error ? err.message : String(err)).toMatch(message)
  expectNoCredentials(err)
  return err
}
