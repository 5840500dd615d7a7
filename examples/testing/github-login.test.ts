/**
 * How an app tests its own "Sign in with GitHub" without the network: oauthkit/testing emulates
 * GitHub on msw, and completeLogin plays the user's part. (Run by oauthkit's own suite too.)
 */
import { setupServer } from 'msw/node'
import { OAuth } from 'oauthkit'
import { github } from 'oauthkit/providers'
import { completeLogin, emulateGitHub } from 'oauthkit/testing'
import { afterAll, beforeAll, expect, it } from 'vitest'

const emulation = await emulateGitHub({
  users: [{ id: '1', login: 'ada', name: 'Ada Lovelace', email: 'ada@example.test', email_verified: true }],
})
const server = setupServer(...emulation.handlers)
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }))
afterAll(() => server.close())

// The app's registry, as in production.
const oauth = new OAuth({ secret: 'test-secret-at-least-32-characters-long' }).register(
  'github',
  github({ clientId: 'test-client', clientSecret: 'test-secret' }),
)

it('signs Ada in with GitHub and reads her profile', async () => {
  const token = await completeLogin(oauth.create('github'), emulation, { user: 'ada' })
  const profile = await oauth.create('github').profile(token)
  expect(profile).toMatchObject({ sub: '1', name: 'Ada Lovelace', email: 'ada@example.test', email_verified: true })
})
