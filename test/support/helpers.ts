import { setupServer } from 'msw/node'
import { afterAll, afterEach, beforeAll, expect } from 'vitest'
import { isOAuthKitError, type OAuthKitError } from '../../src/index.js'
import { expectNoCredentials, registerCredential } from './secrets.js'

export const SECRET = 'a-test-secret-that-is-at-least-32-characters'
export const REDIRECT = 'https://app.test/callback'
registerCredential(SECRET)

/** An msw server for this test file, failing on any request no handler answers. */
export function useMsw() {
  const server = setupServer()
  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
  afterEach(() => server.resetHandlers())
  afterAll(() => server.close())
  return server
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
