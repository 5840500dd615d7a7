/**
 * A login through `new OAuth({ store, secret })`: the token lands in the store under ctx.userId and
 * the next API call reads it from there; a login whose context has no userId fails with
 * config_invalid instead of losing the token.
 */
import { expect, it } from 'vitest'
import { MemoryCookieJar, MemoryTokenStore, OAuth } from '../../src/index.js'
import { github } from '../../src/providers/index.js'
import { completeLogin, emulateGitHub } from '../../testing/index.js'
import { expectCode, SECRET, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup() {
  const emulation = await emulateGitHub()
  server.use(...emulation.handlers)
  const store = new MemoryTokenStore()
  const oauth = new OAuth({ store, secret: SECRET }).register(
    'github',
    github({ clientId: 'gh-client', clientSecret: 'gh-secret' }),
  )
  return { emulation, store, oauth, app: oauth.create('github') }
}

it('keeps the token of a login under ctx.userId, sealed, and API calls read it from there', async () => {
  const { emulation, store, oauth, app } = await setup()
  const cookies = new MemoryCookieJar()
  const redirect = await app.authorizeRedirect(
    { cookies, userId: 7 },
    'https://app.test/auth/callback',
  )
  const request = await emulation.authorize(redirect.headers.get('location')!)
  const token = await app.authorizeAccessToken({ cookies, request, userId: 7 })
  expect(await oauth.tokens!.get(7, 'github')).toEqual(token)
  expect(await store.get('7', 'github')).not.toContain(token.access_token)
  const profile = await app.profile(undefined, { userId: '7' })
  expect(profile.sub).toBe('583231')
})

it('refuses to drop the token of a login whose context has no userId: config_invalid, saying where to put it', async () => {
  const { emulation, app } = await setup()
  const err = await expectCode(completeLogin(app, emulation), 'config_invalid')
  expect(err.message).toMatch(/no userId/)
  expect(err.message).toMatch(/`context` option/)
  expect(err.app).toBe('github')
})
