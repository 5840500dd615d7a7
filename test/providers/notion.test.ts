import { describe, expect, it } from 'vitest'
import { ErrorCode, OAuth, type OAuth2Token } from '../../src/index.js'
import { notion, type NotionOptions } from '../../src/providers/notion.js'
import { completeLogin } from '../../testing/index.js'
import {
  emulateNotion,
  NOTION_TEST_USER,
  type NotionEmulationOptions,
} from '../../testing/providers/notion.js'
import { SECRET, expectCode, useMsw, expectRejected } from '../support/helpers.js'

const server = useMsw()

async function setup(
  options: Partial<NotionOptions> = {},
  emulated: NotionEmulationOptions = {},
  edit?: (config: ReturnType<typeof notion>) => void,
) {
  const emulation = await emulateNotion(emulated)
  server.use(...emulation.handlers)
  const config = notion({ clientId: 'nt-client', clientSecret: 'nt-secret', ...options })
  edit?.(config)
  const oauth = new OAuth({ secret: SECRET }).register('notion', config)
  return { emulation, app: oauth.create('notion') }
}

describe('notion preset', () => {
  it('logs in through the emulation and reads the normalised profile from the token (no API call)', async () => {
    const { emulation, app } = await setup()
    const { url } = await app.createAuthorizationUrl('https://app.test/cb')
    expect(url.searchParams.get('owner')).toBe('user')
    const token = await completeLogin(app, emulation)
    expect(token).toMatchObject({
      token_type: 'bearer',
      bot_id: expect.any(String),
      workspace_name: "Avocado's Notion",
      owner: { type: 'user' },
    })
    expect(await app.profile(token)).toEqual({
      sub: NOTION_TEST_USER.id,
      name: 'Avocado Lovelace',
      email: 'avocado@notion.test',
      picture: NOTION_TEST_USER.picture,
      raw: {
        user: expect.objectContaining({ id: NOTION_TEST_USER.id, type: 'person' }),
        bot_id: token.bot_id,
        workspace_id: token.workspace_id,
        workspace_name: "Avocado's Notion",
        workspace_icon: 'https://www.notion.test/icon.png',
      },
    })
    expect(emulation.calls.some((c) => c.url.includes('/users/me'))).toBe(false)
  })

  it('quirk: the token request is JSON with HTTP Basic (a form body is refused by the documented contract)', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    const call = emulation.calls.find((c) => c.url.endsWith('/oauth/token'))!
    expect(call.headers.get('content-type')).toBe('application/json')
    expect(call.headers.get('authorization')).toMatch(/^Basic /)
    expect(JSON.parse(call.body)).toMatchObject({
      grant_type: 'authorization_code',
      code: expect.any(String),
      redirect_uri: 'https://app.test/auth/callback',
    })
    // The refresh too.
    const fresh = await app.refreshToken(token)
    expect(JSON.parse(emulation.calls.at(-1)!.body)).toMatchObject({
      grant_type: 'refresh_token',
      refresh_token: token.refresh_token,
    })
    expect(fresh.access_token).not.toBe(token.access_token)

    const form = await setup(
      {},
      {},
      (config) => void (config.hooks = { ...config.hooks, accessTokenRequest: [] }),
    )
    expect(
      await expectCode(completeLogin(form.app, form.emulation), ErrorCode.TOKEN_ERROR),
    ).toMatchObject({ error: 'invalid_request', status: 400 })
  })

  it('quirk: refresh_token: null is dropped (without the hook the token is refused)', async () => {
    const { emulation, app } = await setup({}, { nullRefreshToken: true })
    const token = await completeLogin(app, emulation)
    expect('refresh_token' in token).toBe(false)

    const raw = await setup(
      {},
      { nullRefreshToken: true },
      (config) => void (config.hooks = { ...config.hooks, accessTokenResponse: [] }),
    )
    await expectCode(completeLogin(raw.app, raw.emulation), ErrorCode.INVALID_RESPONSE)
  })

  it('quirk: API calls carry Notion-Version (a stored token without owner reads /users/me)', async () => {
    const { emulation, app } = await setup({ notionVersion: '2025-09-03' })
    const token = await completeLogin(app, emulation)
    const { owner: _owner, ...stored } = token
    const profile = await app.profile(stored as OAuth2Token)
    expect(profile).toMatchObject({ sub: NOTION_TEST_USER.id, email: 'avocado@notion.test' })
    expect(
      emulation.calls.find((c) => c.url.includes('/users/me'))!.headers.get('notion-version'),
    ).toBe('2025-09-03')

    const raw = await setup(
      {},
      {},
      (config) => void (config.hooks = { ...config.hooks, protectedRequest: [] }),
    )
    const { owner: _o, ...rawStored } = await completeLogin(raw.app, raw.emulation)
    await expectRejected(raw.app.profile(rawStored as OAuth2Token), /400/)
  })

  it('a token without an owning user has no user profile', async () => {
    const { app } = await setup()
    const token: OAuth2Token = {
      access_token: 'x',
      token_type: 'bearer',
      owner: { type: 'user', user: { object: 'user' } },
    }
    await expectCode(app.profile(token), ErrorCode.UNSUPPORTED_OPERATION)
  })
})
