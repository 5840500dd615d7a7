/**
 * Salesforce emulation: discovery at a login host (production, sandbox or My Domain), ID tokens whose
 * `sub` is the identity URL, token responses with `instance_url`, `id`, `issued_at` and the HMAC
 * `signature` keyed by the consumer secret (no `expires_in`), userinfo at the login host and the REST
 * API at the org's instance.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default Salesforce test user. @group Testing */
export const SALESFORCE_TEST_USER: EmulatedUser = {
  id: '005xx000001Sv6dAAC',
  org: '00Dxx0000001gPLEAY',
  name: 'Marc Admin',
  email: 'admin@acme.salesforce.test',
  email_verified: true,
  login: 'admin@acme.test',
}

/** Options of {@link emulateSalesforce}. @group Testing */
export interface SalesforceEmulationOptions {
  users?: EmulatedUser[]
  /** Default https://login.salesforce.com. */
  loginUrl?: string
  /** The org's API host sent as `instance_url`. Default https://acme.my.salesforce.test. */
  instanceUrl?: string
  /** The consumer secret the `signature` is keyed by (default `salesforce-secret`). */
  clientSecret?: string
}

async function sign(secret: string, text: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    'raw',
    new TextEncoder().encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  )
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(text)))
  return btoa(String.fromCharCode(...mac))
}

/** Emulate a Salesforce login host and org for the `salesforce` preset. @group Testing */
export function emulateSalesforce(
  options: SalesforceEmulationOptions = {},
): Promise<ProviderEmulation> {
  const base = (options.loginUrl ?? 'https://login.salesforce.com').replace(/\/+$/, '')
  const instance = options.instanceUrl ?? 'https://acme.my.salesforce.test'
  const secret = options.clientSecret ?? 'salesforce-secret'
  const identity = (user: EmulatedUser) => `${base}/id/${String(user.org)}/${user.id}`
  return createEmulation(
    {
      name: 'salesforce',
      authorizeUrl: `${base}/services/oauth2/authorize`,
      tokenUrl: `${base}/services/oauth2/token`,
      issuer: base,
      jwksUri: `${base}/id/keys`,
      discoveryUrl: `${base}/.well-known/openid-configuration`,
      metadata: {
        userinfo_endpoint: `${base}/services/oauth2/userinfo`,
        revocation_endpoint: `${base}/services/oauth2/revoke`,
        introspection_endpoint: `${base}/services/oauth2/introspect`,
      },
      rotateRefreshTokens: false,
      idTokenClaims: (user) => ({ sub: identity(user), email: user.email, name: user.name }),
      tokenResponse: async (ctx) => {
        const issuedAt = String(Date.now())
        const id = identity(ctx.user)
        return HttpResponse.json({
          access_token: ctx.accessToken,
          ...(ctx.grantType === 'authorization_code' && { refresh_token: ctx.refreshToken }),
          signature: await sign(secret, id + issuedAt),
          scope: ctx.scope,
          ...(ctx.scope.split(' ').includes('openid') && { id_token: await ctx.idToken() }),
          instance_url: instance,
          id,
          token_type: 'Bearer',
          issued_at: issuedAt,
        })
      },
      api: {
        [`${base}/services/oauth2/userinfo`]: (user) =>
          HttpResponse.json({
            sub: identity(user),
            user_id: user.id,
            organization_id: user.org,
            preferred_username: user.login,
            nickname: String(user.login).split('@')[0],
            name: user.name,
            email: user.email,
            email_verified: user.email_verified ?? false,
            urls: { rest: `${instance}/services/data/v{version}/` },
          }),
        [`${instance}/services/data/v62.0/`]: () =>
          HttpResponse.json({ sobjects: '/services/data/v62.0/sobjects' }),
      },
    },
    options.users ?? [SALESFORCE_TEST_USER],
  )
}
