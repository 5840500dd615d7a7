import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { ErrorCode, OAuth } from '../../src/index.js'
import { patreon } from '../../src/providers/index.js'
import { completeLogin, emulatePatreon, PATREON_TEST_USER } from '../../testing/index.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup() {
  const emulation = await emulatePatreon()
  server.use(...emulation.handlers)
  const app = new OAuth({ secret: SECRET })
    .register('patreon', patreon({ clientId: 'patreon-client', clientSecret: 'patreon-secret' }))
    .create('patreon')
  return { emulation, app }
}

describe('patreon preset', () => {
  it('logs in through the emulation and reads the identity, its attributes asked for by name', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(await app.profile(token)).toEqual({
      sub: PATREON_TEST_USER.id,
      name: 'Corgi The Dev',
      email: 'corgi@patreon.test',
      email_verified: true,
      picture: PATREON_TEST_USER.picture,
      raw: expect.objectContaining({
        type: 'user',
        attributes: expect.objectContaining({ vanity: 'corgi' }),
      }),
    })
    // Quirk: JSON:API sends no attribute unless fields[user] names it.
    const call = emulation.calls.find((c) => c.url.includes('/v2/identity'))!
    expect(new URL(call.url).searchParams.get('fields[user]')).toContain('is_email_verified')
  })

  it('quirk: a JSON:API document without a user resource is invalid_response', async () => {
    const { emulation, app } = await setup()
    server.use(
      http.get('https://www.patreon.com/api/oauth2/v2/identity', () =>
        HttpResponse.json({ errors: [{ code: 1, title: 'Internal error' }] }),
      ),
    )
    await expectCode(app.profile(emulation.issueToken()), ErrorCode.INVALID_RESPONSE)
  })
})
