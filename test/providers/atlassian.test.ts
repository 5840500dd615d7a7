import { describe, expect, it } from 'vitest'
import { ErrorCode, MemoryCookieJar, OAuth } from '../../src/index.js'
import { atlassian, atlassianSites, atlassianSiteUrl } from '../../src/providers/index.js'
import {
  ATLASSIAN_TEST_SITE,
  ATLASSIAN_TEST_USER,
  completeLogin,
  emulateAtlassian,
} from '../../testing/index.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup(extra: { authorizeParams?: Record<string, string> } = {}) {
  const emulation = await emulateAtlassian()
  server.use(...emulation.handlers)
  const oauth = new OAuth({ secret: SECRET }).register(
    'atlassian',
    atlassian({ clientId: 'atl-client', clientSecret: 'atl-secret', ...extra }),
  )
  return { emulation, app: oauth.create('atlassian') }
}

describe('atlassian preset', () => {
  it('logs in through the emulation (JSON token request) and reads /me', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(token.refresh_token).toMatch(/^atlassian-rt-/)
    expect(await app.profile(token)).toEqual({
      sub: ATLASSIAN_TEST_USER.id,
      name: 'Mia Krystof',
      email: 'mia@atlassian.test',
      picture: 'https://avatar-management.atlassian.test/mia.png',
      raw: expect.objectContaining({ account_status: 'active' }),
    })
    const call = emulation.calls.find((c) => c.url.endsWith('/oauth/token'))!
    expect(call.headers.get('content-type')).toMatch(/application\/json/)
    expect(JSON.parse(call.body)).toMatchObject({
      client_id: 'atl-client',
      client_secret: 'atl-secret',
    })
    // Rotating refresh tokens: the new one replaces the old.
    const refreshed = await app.refreshToken(token)
    expect(refreshed.refresh_token).not.toBe(token.refresh_token)
    expect(JSON.parse(emulation.calls.at(-1)!.body)).toMatchObject({
      grant_type: 'refresh_token',
      client_secret: 'atl-secret',
    })
  })

  it('quirk: audience=api.atlassian.com and prompt=consent are sent (Atlassian refuses without)', async () => {
    const { app } = await setup()
    const res = await app.authorizeRedirect(
      { cookies: new MemoryCookieJar() },
      'https://app.test/cb',
    )
    const url = new URL(res.headers.get('location')!)
    expect(url.searchParams.get('audience')).toBe('api.atlassian.com')
    expect(url.searchParams.get('prompt')).toBe('consent')
    // The emulation refuses a request without them, as Atlassian does.
    const { app: bare, emulation } = await setup({ authorizeParams: { prompt: 'none' } })
    const cookies = new MemoryCookieJar()
    const bareRes = await bare.authorizeRedirect({ cookies }, 'https://app.test/cb')
    const err = await expectCode(
      bare.authorizeAccessToken({
        cookies,
        request: await emulation.authorize(bareRes.headers.get('location')!),
      }),
      ErrorCode.AUTHORIZATION_ERROR,
    )
    expect(err).toMatchObject({ error: 'invalid_request' })
  })

  it('quirk: accessible-resources gives the cloud id that product API calls go through', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    const sites = await atlassianSites(app, token)
    expect(sites).toEqual([
      expect.objectContaining({ id: ATLASSIAN_TEST_SITE.id, url: 'https://acme.atlassian.net' }),
    ])
    const path = atlassianSiteUrl(sites[0]!, 'jira', '/rest/api/3/myself')
    expect(path).toBe(`ex/jira/${ATLASSIAN_TEST_SITE.id}/rest/api/3/myself`)
    expect(await app.get(path, { token }).json()).toMatchObject({
      accountId: ATLASSIAN_TEST_USER.id,
    })
  })
})
