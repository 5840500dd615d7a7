import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { ErrorCode, OAuth } from '../../src/index.js'
import { salesforce, SALESFORCE_SANDBOX_URL } from '../../src/providers/index.js'
import {
  completeLogin,
  emulateSalesforce,
  SALESFORCE_TEST_USER,
  type SalesforceEmulationOptions,
} from '../../testing/index.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

async function setup(options: SalesforceEmulationOptions & { appSecret?: string } = {}) {
  const emulation = await emulateSalesforce(options)
  server.use(...emulation.handlers)
  const oauth = new OAuth({ secret: SECRET }).register(
    'salesforce',
    salesforce({
      clientId: '3MVG9sf-consumer-key',
      clientSecret: options.appSecret ?? 'salesforce-secret',
      loginUrl: options.loginUrl,
    }),
  )
  return { emulation, app: oauth.create('salesforce') }
}

describe('salesforce preset', () => {
  it('logs in through the emulation and reads the normalised profile from userinfo', async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(token).toMatchObject({ instance_url: 'https://acme.my.salesforce.test' })
    expect(await app.profile(token)).toEqual({
      sub: `https://login.salesforce.com/id/00Dxx0000001gPLEAY/${SALESFORCE_TEST_USER.id}`,
      name: 'Marc Admin',
      email: 'admin@acme.salesforce.test',
      email_verified: true,
      raw: expect.objectContaining({ organization_id: '00Dxx0000001gPLEAY' }),
    })
  })

  it("quirk: instance_url is the API base — a relative call reaches the user's org", async () => {
    const { emulation, app } = await setup()
    const token = await completeLogin(app, emulation)
    expect(await app.get('services/data/v62.0/', { token }).json()).toEqual({
      sobjects: '/services/data/v62.0/sobjects',
    })
    const call = emulation.calls.find((c) => c.url.startsWith('https://acme.my.salesforce.test'))!
    expect(call.headers.get('authorization')).toBe(`Bearer ${token.access_token}`)
    // A refresh that moves the org to another instance moves the API calls with it.
    server.use(
      http.post('https://login.salesforce.com/services/oauth2/token', () =>
        HttpResponse.json({
          access_token: 'salesforce-at-moved',
          token_type: 'Bearer',
          instance_url: 'https://acme2.my.salesforce.test',
        }),
      ),
      http.get('https://acme2.my.salesforce.test/services/data/v62.0/', ({ request }) =>
        HttpResponse.json({ moved: request.headers.get('authorization') }),
      ),
    )
    const refreshed = await app.refreshToken(token)
    expect(await app.get('services/data/v62.0/', { token: refreshed }).json()).toEqual({
      moved: 'Bearer salesforce-at-moved',
    })
  })

  it('quirk: a token response whose signature was not made with the consumer secret is refused', async () => {
    const { emulation, app } = await setup({ clientSecret: 'another-orgs-secret' })
    await expectCode(completeLogin(app, emulation), ErrorCode.INVALID_RESPONSE)
  })

  it('sandbox and My Domain: discovery and issuer at the login host', async () => {
    const sandbox = await setup({ loginUrl: SALESFORCE_SANDBOX_URL })
    expect(sandbox.app.config.serverMetadataUrl).toBe(
      'https://test.salesforce.com/.well-known/openid-configuration',
    )
    expect((await completeLogin(sandbox.app, sandbox.emulation)).userinfo?.iss).toBe(
      'https://test.salesforce.com',
    )
    const myDomain = await setup({ loginUrl: 'https://acme.my.salesforce.com/' })
    expect((await completeLogin(myDomain.app, myDomain.emulation)).userinfo?.iss).toBe(
      'https://acme.my.salesforce.com',
    )
    expect(() =>
      salesforce({ clientId: 'c', clientSecret: 's', loginUrl: 'login.salesforce.com' }),
    ).toThrow(/loginUrl/)
  })
})
