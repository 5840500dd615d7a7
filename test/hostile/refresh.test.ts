/**
 * Hostile refresh responses (OpenID Foundation RP conformance refresh tests) and refresh-token rotation
 * under concurrency. A refused refresh is `reauthentication_required`: nothing saved, no API call made
 * with the new token.
 */
import { http, HttpResponse } from 'msw'
import { describe, expect, it } from 'vitest'
import { ErrorCode, rewriteJson, type OAuth2Token } from '../../src/index.js'
import { useMsw } from '../support/helpers.js'
import { hostileRig, type RigOptions } from '../support/hostile-idp.js'

const server = useMsw()
const API = 'https://api.test'
const now = () => Math.floor(Date.now() / 1000)

/** An API that records the access token of each call. */
function api() {
  const seen: string[] = []
  server.use(
    http.get(
      `${API}/me`,
      ({ request }) => (
        seen.push(request.headers.get('authorization') ?? ''),
        HttpResponse.json({ ok: true })
      ),
    ),
  )
  return seen
}

/** A signed-in user whose token has just expired. */
async function signedIn(options: RigOptions = {}) {
  const r = await hostileRig(server, { ...options, config: { apiBaseUrl: API, ...options.config } })
  const login = await r.start()
  const token = await r.signIn(login, r.idp.authorize(login.location))
  return { r, expired: { ...token, expires_at: now() - 10 } satisfies OAuth2Token }
}

const refreshCalls = (r: Awaited<ReturnType<typeof hostileRig>>) =>
  r.idp.calls.filter((c) => c.endpoint === 'token' && c.body.includes('grant_type=refresh_token'))
    .length

/** Entra-style multi-tenant provider: one metadata document, an issuer per tenant, `idTokenIssuer` to pick it. */
const tenantIssuer = (tid: string) => `https://login.microsoftonline.com/${tid}/v2.0`
const multiTenant: RigOptions = {
  idp: { issuer: 'https://login.microsoftonline.com/common/v2.0', issParameter: false },
  config: {
    hooks: {
      metadataResponse: (res) =>
        rewriteJson(res, (doc) => ({
          ...doc,
          issuer: String(doc.issuer).replace('{tenantid}', 'common'),
        })),
    },
    idTokenIssuer: (claims) => tenantIssuer(String(claims.tid)),
  },
}

describe('hostile provider: refresh', () => {
  it('refreshed-id-token-sub: a refreshed ID token for another subject is refused; nothing is saved and the API is not called', async () => {
    const seen = api()
    const { r, expired } = await signedIn()
    r.idp.answerRefresh(async () => ({
      access_token: 'at-other-user',
      token_type: 'Bearer',
      expires_in: 3600,
      id_token: await r.idp.idToken({ sub: 'user-2' }),
    }))
    const err = await r.expectRefused(
      () => r.app.get('me', { token: expired }).json(),
      ErrorCode.REAUTHENTICATION_REQUIRED,
      { calls: ['token'] },
    )
    expect((err.cause as { code: string }).code).toBe(ErrorCode.ID_TOKEN_INVALID)
    expect((err.cause as Error).message).toMatch(/another issuer or subject/)
    expect(seen).toEqual([])
  })

  it('refreshed-id-token-iss: a refreshed ID token from another issuer is refused, also when idTokenIssuer would accept that issuer', async () => {
    const seen = api()
    const plain = await signedIn()
    plain.r.idp.answerRefresh(async () => ({
      access_token: 'at-x',
      token_type: 'Bearer',
      id_token: await plain.r.idp.idToken({ iss: 'https://evil.test' }),
    }))
    const err = await plain.r.expectRefused(
      () => plain.r.app.get('me', { token: plain.expired }).json(),
      ErrorCode.REAUTHENTICATION_REQUIRED,
      { calls: ['token'] },
    )
    expect((err.cause as { code: string }).code).toBe(ErrorCode.ID_TOKEN_INVALID)

    // Multi-tenant: the login was in tenant-a; a refresh answered with a consistent tenant-b token is still another issuer.
    const { r, expired } = await (async () => {
      const rig = await hostileRig(server, {
        ...multiTenant,
        config: { ...multiTenant.config, apiBaseUrl: API },
      })
      rig.idp.overrides.discovery = () =>
        HttpResponse.json({
          ...rig.idp.metadata(),
          issuer: 'https://login.microsoftonline.com/{tenantid}/v2.0',
        })
      rig.idp.idTokenClaims = { iss: tenantIssuer('tenant-a'), tid: 'tenant-a' }
      const login = await rig.start()
      const token = await rig.signIn(login, rig.idp.authorize(login.location))
      return { r: rig, expired: { ...token, expires_at: now() - 10 } }
    })()
    r.idp.answerRefresh(async () => ({
      access_token: 'at-b',
      token_type: 'Bearer',
      id_token: await r.idp.idToken({ iss: tenantIssuer('tenant-b'), tid: 'tenant-b' }),
    }))
    const cross = await r.expectRefused(
      () => r.app.get('me', { token: expired }).json(),
      ErrorCode.REAUTHENTICATION_REQUIRED,
      { calls: ['token'] },
    )
    expect((cross.cause as Error).message).toMatch(/another issuer or subject/)
    expect(seen).toEqual([])
    // The same tenant refreshes normally.
    r.idp.answerRefresh(async () => ({
      access_token: 'at-a2',
      token_type: 'Bearer',
      id_token: await r.idp.idToken(),
    }))
    await r.app.get('me', { token: expired }).json()
    expect(seen).toEqual(['Bearer at-a2'])
  })

  it('refresh-token-rotation-race: requests still holding the old refresh token share the one rotation instead of replaying it', async () => {
    const seen = api()
    const { r, expired } = await signedIn()
    const old = expired.refresh_token!
    // The provider rotates refresh tokens and revokes the whole family if a rotated one is ever used again.
    const [a, b] = await Promise.all([
      r.app.get('me', { token: expired }).json(),
      r.app.get('me', { token: expired }).json(),
    ])
    expect(a).toEqual(b)
    const late = await r.app.get('me', { token: expired }).json() // a request that read the old token before the rotation
    expect(late).toEqual(a)
    expect(refreshCalls(r)).toBe(1)
    expect(r.updates).toHaveLength(2) // the login, then one refresh
    const rotated = r.updates[1]!
    expect(rotated.refresh_token).not.toBe(old)
    expect(new Set(seen)).toEqual(new Set([`Bearer ${rotated.access_token}`]))
    expect(r.idp.refreshTokens.get(rotated.refresh_token!)).toMatchObject({ used: false }) // the family was not revoked
    await r.app.refreshToken(rotated)
    expect(refreshCalls(r)).toBe(2)
  })
})
