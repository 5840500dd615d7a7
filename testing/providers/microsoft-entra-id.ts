/**
 * Microsoft Entra ID emulation: v2.0 discovery for any tenant segment (the `{tenantid}` issuer
 * template for `common` and `organizations`, the tenant's GUID issuer for `consumers`, a tenant id or
 * a domain), ID tokens issued by each user's own tenant (`iss` = `…/{tid}/v2.0`), refresh tokens for
 * `offline_access` whose refreshed ID tokens carry the tenant issuer too, and Microsoft Graph's
 * OpenID userinfo. It does not restrict accounts by tenant at sign-in, so the app's checks are what a
 * test exercises.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

const CONSUMERS = '9188040d-6c67-4c5b-b112-36a304b66dad'
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** The tenant id of the emulation's test organisation (Contoso). @group Testing */
export const ENTRA_TEST_TENANT_ID = 'c0a1b2c3-d4e5-4f60-8a7b-9c0d1e2f3a4b'

/** The default Entra test user: a work account of {@link ENTRA_TEST_TENANT_ID}. @group Testing */
export const ENTRA_TEST_USER: EmulatedUser = {
  id: 'AAAAAAAAAAAAAAAAAAAAAIkzqFVrSaSaFHy782bbtaQ',
  oid: '00000000-0000-0000-66f3-3332eca7ea81',
  tid: ENTRA_TEST_TENANT_ID,
  name: 'Megan Bowen',
  given_name: 'Megan',
  family_name: 'Bowen',
  email: 'megan@contoso.test',
  preferred_username: 'megan@contoso.test',
}

/** A personal Microsoft account (its `tid` is the consumer tenant). @group Testing */
export const ENTRA_PERSONAL_TEST_USER: EmulatedUser = {
  id: 'AAAAAAAAAAAAAAAAAAAAAHl2mVxJq3cPersonalMsa0',
  oid: '00000000-0000-0000-9d1e-1f2a3b4c5d6e',
  tid: CONSUMERS,
  name: 'Sam Rivera',
  email: 'sam.rivera@outlook.test',
  preferred_username: 'sam.rivera@outlook.test',
}

/** Options of {@link emulateMicrosoftEntraId}. @group Testing */
export interface EntraEmulationOptions {
  /** The tenant segment the app uses: `common` (default), `organizations`, `consumers`, a GUID or a domain. */
  tenant?: string
  /** For a domain tenant: the GUID its discovery document names (default {@link ENTRA_TEST_TENANT_ID}). */
  tenantId?: string
  authority?: string
  users?: EmulatedUser[]
}

/**
 * Emulate the Microsoft identity platform (v2.0) for the `microsoftEntraId` preset. Users' `tid`
 * (default the organisation's) decides their ID tokens' issuer; `xms_edov: true` adds that claim.
 * @group Testing
 */
export async function emulateMicrosoftEntraId(
  options: EntraEmulationOptions = {},
): Promise<ProviderEmulation> {
  const authority = (options.authority ?? 'https://login.microsoftonline.com').replace(/\/+$/, '')
  const tenant = options.tenant ?? 'common'
  const discoveredTenant =
    tenant === 'common' || tenant === 'organizations'
      ? '{tenantid}'
      : tenant === 'consumers'
        ? CONSUMERS
        : GUID.test(tenant)
          ? tenant.toLowerCase()
          : (options.tenantId ?? ENTRA_TEST_TENANT_ID)
  const base = `${authority}/${tenant}`
  const userinfo = 'https://graph.microsoft.com/oidc/userinfo'
  const tidOf = (user: EmulatedUser) =>
    typeof user.tid === 'string'
      ? user.tid
      : discoveredTenant === '{tenantid}'
        ? ENTRA_TEST_TENANT_ID
        : discoveredTenant
  return createEmulation(
    {
      name: 'entra',
      authorizeUrl: `${base}/oauth2/v2.0/authorize`,
      tokenUrl: `${base}/oauth2/v2.0/token`,
      issuer: `${authority}/${discoveredTenant}/v2.0`,
      jwksUri: `${base}/discovery/v2.0/keys`,
      discoveryUrl: `${base}/v2.0/.well-known/openid-configuration`,
      metadata: {
        userinfo_endpoint: userinfo,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        claims_supported: [
          'sub',
          'iss',
          'cloud_instance_name',
          'cloud_instance_host_name',
          'cloud_graph_host_name',
          'msgraph_host',
          'aud',
          'exp',
          'iat',
          'auth_time',
          'acr',
          'nonce',
          'preferred_username',
          'name',
          'tid',
          'ver',
          'at_hash',
          'c_hash',
          'email',
        ],
        tenant_region_scope: null,
        cloud_instance_name: 'microsoftonline.com',
        request_uri_parameter_supported: false,
      },
      idTokenClaims: (user) => {
        const tid = tidOf(user)
        const claims: Record<string, unknown> = { iss: `${authority}/${tid}/v2.0`, tid, ver: '2.0' }
        for (const key of ['oid', 'name', 'email', 'preferred_username', 'xms_edov'])
          if (user[key] !== undefined) claims[key] = user[key]
        return claims
      },
      tokenResponse: async (ctx) => {
        const scopes = ctx.scope.split(' ')
        const body: Record<string, unknown> = {
          token_type: 'Bearer',
          scope: [...scopes.filter((s) => s !== 'offline_access'), 'User.Read'].join(' '),
          expires_in: 3599,
          ext_expires_in: 3599,
          access_token: ctx.accessToken,
        }
        if (scopes.includes('offline_access')) body.refresh_token = ctx.refreshToken
        if (scopes.includes('openid')) body.id_token = await ctx.idToken()
        return HttpResponse.json(body)
      },
      api: {
        [userinfo]: (user) =>
          HttpResponse.json({
            sub: user.id,
            name: user.name,
            family_name: user.family_name,
            given_name: user.given_name,
            email: user.email,
            picture: 'https://graph.microsoft.com/v1.0/me/photo/$value',
          }),
      },
    },
    options.users ?? [ENTRA_TEST_USER, ENTRA_PERSONAL_TEST_USER],
  )
}
