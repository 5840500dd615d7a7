import { describe, expect, it } from 'vitest'
import { ErrorCode, OAuth } from '../../src/index.js'
import {
  ENTRA_CONSUMER_TENANT_ID,
  microsoftEntraId,
  type MicrosoftEntraIdOptions,
} from '../../src/providers/microsoft-entra-id.js'
import { completeLogin, type EmulatedUser } from '../../testing/emulator.js'
import {
  emulateMicrosoftEntraId,
  ENTRA_PERSONAL_TEST_USER,
  ENTRA_TEST_TENANT_ID,
  ENTRA_TEST_USER,
  type EntraEmulationOptions,
} from '../../testing/providers/microsoft-entra-id.js'
import { SECRET, expectCode, useMsw } from '../support/helpers.js'

const server = useMsw()

type Config = ReturnType<typeof microsoftEntraId>
const OTHER_TENANT = '11111111-2222-4333-8444-555555555555'
const STRANGER: EmulatedUser = {
  id: 'stranger-sub',
  tid: OTHER_TENANT,
  name: 'Eve Stranger',
  email: 'eve@fabrikam.test',
}

async function setup(
  options: Partial<MicrosoftEntraIdOptions> & { tenant: string },
  emulation: Omit<EntraEmulationOptions, 'tenant'> = {},
  edit: (c: Config) => Config = (c) => c,
) {
  const emu = await emulateMicrosoftEntraId({
    tenant: options.tenant,
    users: [ENTRA_TEST_USER, ENTRA_PERSONAL_TEST_USER, STRANGER],
    ...emulation,
  })
  server.use(...emu.handlers)
  const oauth = new OAuth({ secret: SECRET }).register(
    'entra',
    edit(microsoftEntraId({ clientId: 'entra-client', clientSecret: 'entra-secret', ...options })),
  )
  return { emulation: emu, app: oauth.create('entra') }
}

describe('microsoftEntraId preset', () => {
  it('logs in (common) through the emulation and reads the normalised profile from the ID token', async () => {
    const { emulation, app } = await setup({ tenant: 'common' })
    const token = await completeLogin(app, emulation)
    expect(token.userinfo).toMatchObject({
      iss: `https://login.microsoftonline.com/${ENTRA_TEST_TENANT_ID}/v2.0`,
      tid: ENTRA_TEST_TENANT_ID,
    })
    expect(await app.profile(token)).toEqual({
      sub: ENTRA_TEST_USER.id,
      name: 'Megan Bowen',
      email: 'megan@contoso.test',
      // No email_verified (Entra's email claim is unverified) and no picture (Graph's needs a token).
      raw: expect.objectContaining({
        oid: ENTRA_TEST_USER.oid,
        tid: ENTRA_TEST_TENANT_ID,
        preferred_username: 'megan@contoso.test',
      }),
    })
    // common also takes personal accounts, each checked against its own tenant's issuer.
    const personal = await completeLogin(app, emulation, { user: ENTRA_PERSONAL_TEST_USER.id })
    expect(personal.userinfo?.iss).toBe(
      `https://login.microsoftonline.com/${ENTRA_CONSUMER_TENANT_ID}/v2.0`,
    )
  })

  it('quirk: the {tenantid} issuer template fails discovery without the metadataResponse hook', async () => {
    const { emulation, app } = await setup({ tenant: 'common' }, {}, (c) => ({ ...c, hooks: {} }))
    await expectCode(completeLogin(app, emulation), ErrorCode.METADATA_INVALID)
  })

  it('quirk: per-tenant ID token issuers fail without idTokenIssuer', async () => {
    const { emulation, app } = await setup({ tenant: 'common' }, {}, (c) => ({
      ...c,
      idTokenIssuer: undefined,
    }))
    await expectCode(completeLogin(app, emulation), ErrorCode.ID_TOKEN_INVALID)
  })

  it('organizations refuses the personal-account tenant', async () => {
    const { emulation, app } = await setup({ tenant: 'organizations' })
    expect((await completeLogin(app, emulation)).userinfo?.tid).toBe(ENTRA_TEST_TENANT_ID)
    await expectCode(
      completeLogin(app, emulation, { user: ENTRA_PERSONAL_TEST_USER.id }),
      ErrorCode.ID_TOKEN_INVALID,
    )
  })

  it('consumers accepts only the personal-account tenant', async () => {
    const { emulation, app } = await setup({ tenant: 'consumers' })
    expect(
      (await completeLogin(app, emulation, { user: ENTRA_PERSONAL_TEST_USER.id })).userinfo?.tid,
    ).toBe(ENTRA_CONSUMER_TENANT_ID)
    await expectCode(completeLogin(app, emulation), ErrorCode.ID_TOKEN_INVALID)
  })

  it('a single tenant by id accepts only its own tenant', async () => {
    const { emulation, app } = await setup({ tenant: ENTRA_TEST_TENANT_ID.toUpperCase() })
    expect((await completeLogin(app, emulation)).userinfo?.tid).toBe(ENTRA_TEST_TENANT_ID)
    await expectCode(
      completeLogin(app, emulation, { user: 'stranger-sub' }),
      ErrorCode.ID_TOKEN_INVALID,
    )
  })

  it('quirk: a tenant by domain is pinned to the GUID its discovery document names', async () => {
    const { emulation, app } = await setup(
      { tenant: 'contoso.test' },
      { tenantId: ENTRA_TEST_TENANT_ID },
    )
    expect((await completeLogin(app, emulation)).userinfo?.tid).toBe(ENTRA_TEST_TENANT_ID)
    await expectCode(
      completeLogin(app, emulation, { user: 'stranger-sub' }),
      ErrorCode.ID_TOKEN_INVALID,
    )
    // Without the hook the GUID issuer does not match the domain URL's.
    const without = await setup(
      { tenant: 'contoso.test' },
      { tenantId: ENTRA_TEST_TENANT_ID },
      (c) => ({ ...c, hooks: {} }),
    )
    await expectCode(completeLogin(without.app, without.emulation), ErrorCode.METADATA_INVALID)
  })

  it('allowedTenants narrows a multi-tenant app', async () => {
    const { emulation, app } = await setup({
      tenant: 'organizations',
      allowedTenants: [OTHER_TENANT.toUpperCase()],
    })
    expect((await completeLogin(app, emulation, { user: 'stranger-sub' })).userinfo?.tid).toBe(
      OTHER_TENANT,
    )
    await expectCode(completeLogin(app, emulation), ErrorCode.ID_TOKEN_INVALID)
  })

  it('a refresh validates the refreshed ID token against its tenant issuer too', async () => {
    const { emulation, app } = await setup({
      tenant: 'common',
      scope: 'openid profile email offline_access',
    })
    const token = await completeLogin(app, emulation)
    const refreshed = await app.refreshToken(token)
    expect(refreshed.access_token).not.toBe(token.access_token)
    expect(refreshed.id_token).toEqual(expect.any(String))
    expect(refreshed.userinfo).toMatchObject({
      iss: `https://login.microsoftonline.com/${ENTRA_TEST_TENANT_ID}/v2.0`,
      sub: ENTRA_TEST_USER.id,
    })
  })

  it('email_verified only with the xms_edov optional claim', async () => {
    const { emulation, app } = await setup(
      { tenant: 'common' },
      { users: [{ ...ENTRA_TEST_USER, xms_edov: true }] },
    )
    const profile = await app.profile(await completeLogin(app, emulation))
    expect(profile).toMatchObject({ email: 'megan@contoso.test', email_verified: true })
  })

  it('refuses a malformed tenant at once', () => {
    expect(() => microsoftEntraId({ clientId: 'x', tenant: 'common/../evil' })).toThrow(/tenant/)
  })
})
