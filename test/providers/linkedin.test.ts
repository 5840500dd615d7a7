import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth, rewriteJson } from '../../src/index.js'
import { linkedin, type LinkedInOptions } from '../../src/providers/linkedin.js'
import { completeLogin } from '../../testing/emulator.js'
import {
  emulateLinkedIn,
  LINKEDIN_TEST_USER,
  type LinkedInEmulationOptions,
} from '../../testing/providers/linkedin.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

type Config = ReturnType<typeof linkedin>

async function setup(
  emulationOptions: LinkedInEmulationOptions = {},
  options: Partial<LinkedInOptions> = {},
  edit: (c: Config) => Config = (c) => c,
) {
  const emulation = await emulateLinkedIn(emulationOptions)
  server.use(...emulation.handlers)
  const oauth = new OAuth({ secret: SECRET }).register(
    'linkedin',
    edit(linkedin({ clientId: '86abcdefgh', clientSecret: 'linkedin-secret', ...options })),
  )
  return { emulation, app: oauth.create('linkedin') }
}

describe('linkedin preset', () => {
  it('logs in through the emulation and reads the normalised profile from userinfo', async () => {
    const { emulation, app } = await setup()
    const location = new URL(
      (
        await app.authorizeRedirect({ cookies: new MemoryCookieJar() }, 'https://app.test/cb')
      ).headers.get('location')!,
    )
    expect(location.origin + location.pathname).toBe(
      'https://www.linkedin.com/oauth/v2/authorization',
    )
    expect(location.searchParams.get('scope')).toBe('openid profile email')
    expect(location.searchParams.has('code_challenge')).toBe(false)

    const token = await completeLogin(app, emulation)
    expect(token).toMatchObject({
      token_type: 'bearer',
      scope: 'email,openid,profile',
      userinfo: { iss: 'https://www.linkedin.com/oauth', sub: '782bbtaQ' },
    })
    expect(await app.profile(token)).toEqual({
      sub: LINKEDIN_TEST_USER.id,
      name: 'John Doe',
      email: 'doe@email.test',
      email_verified: true,
      picture: LINKEDIN_TEST_USER.picture,
      raw: expect.objectContaining({ locale: { country: 'US', language: 'en' } }),
    })
  })

  it('quirk: the client secret goes in the body; HTTP Basic is refused', async () => {
    const { emulation, app } = await setup({}, { tokenEndpointAuthMethod: 'client_secret_basic' })
    const err = await expectCode(completeLogin(app, emulation), ErrorCode.TOKEN_ERROR)
    expect(err).toMatchObject({ error: 'invalid_client', status: 401 })
  })

  it("quirk: PKCE is off, since LinkedIn refuses a web app's code_verifier", async () => {
    const { emulation, app } = await setup({}, { pkce: true })
    const err = await expectCode(completeLogin(app, emulation), ErrorCode.TOKEN_ERROR)
    expect(err.error).toBe('invalid_request')
    // An app LinkedIn enabled PKCE for can turn it back on.
    const enabled = await setup({ pkce: true }, { pkce: true })
    expect((await completeLogin(enabled.app, enabled.emulation)).userinfo?.sub).toBe('782bbtaQ')
  })

  it('quirk: the pre-2024 issuer https://www.linkedin.com is accepted in discovery and ID tokens (and fails without the hooks)', async () => {
    const { emulation, app } = await setup({ legacyIssuer: true })
    expect((await completeLogin(app, emulation)).userinfo?.iss).toBe('https://www.linkedin.com')
    const without = await setup({ legacyIssuer: true }, {}, (c) => ({ ...c, hooks: {} }))
    await expectCode(completeLogin(without.app, without.emulation), ErrorCode.METADATA_INVALID)
    const noIssuerHook = await setup({ legacyIssuer: true }, {}, (c) => ({
      ...c,
      idTokenIssuer: undefined,
    }))
    await expectCode(
      completeLogin(noIssuerHook.app, noIssuerHook.emulation),
      ErrorCode.ID_TOKEN_INVALID,
    )
  })

  it('quirk: LinkedIn omits the nonce: the preset sends none, and fails without nonce: false', async () => {
    const { emulation, app } = await setup()
    const { url } = await app.createAuthorizationUrl('https://app.test/cb')
    expect(url.searchParams.has('nonce')).toBe(false)
    expect((await app.profile(await completeLogin(app, emulation))).email).toBeTruthy()
    const strict = await setup({}, { nonce: true })
    await expectCode(completeLogin(strict.app, strict.emulation), ErrorCode.ID_TOKEN_INVALID)
  })

  it('an OpenID login still needs an ID token with the nonce off: a token response without one is refused and nothing is stored', async () => {
    const updates: unknown[] = []
    const emulation = await emulateLinkedIn()
    server.use(...emulation.handlers)
    const preset = linkedin({ clientId: '86abcdefgh', clientSecret: 'linkedin-secret' })
    const withoutIdToken = (response: Response) =>
      rewriteJson(response, ({ id_token: _dropped, ...rest }) => rest)
    const app = new OAuth({ secret: SECRET, updateToken: (_n, token) => void updates.push(token) })
      .register('linkedin', {
        ...preset,
        hooks: { ...preset.hooks, accessTokenResponse: withoutIdToken },
      })
      .create('linkedin')
    expect(preset.nonce).toBe(false)
    const err = await expectCode(completeLogin(app, emulation), ErrorCode.INVALID_RESPONSE)
    expect(err.message).toMatch(/"id_token"/)
    expect(updates).toEqual([])
  })
})
