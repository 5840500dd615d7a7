/**
 * The bearer guard's options, checked when it is made: a misspelt key is refused with the fix, and
 * every loosening that is not allowed (HMAC, plain http beyond loopback, a long clock tolerance) is
 * `config_invalid` before a request is ever served.
 */
import { describe, expect, it } from 'vitest'
import { BearerGuard, guardFor, isOAuthKitError, type BearerGuardOptions } from '../../src/index.js'

const API = 'https://api.example'
const IDP = 'https://idp.example'

function refusal(make: () => unknown): string {
  try {
    make()
  } catch (error) {
    expect(isOAuthKitError(error, 'config_invalid'), String(error)).toBe(true)
    return (error as Error).message
  }
  throw new Error('expected config_invalid')
}

const guard = (options: Partial<BearerGuardOptions> & Record<string, unknown>) =>
  new BearerGuard({ audience: API, issuers: [IDP], ...options } as BearerGuardOptions)

describe('BearerGuard options', () => {
  it('refuses unknown keys with the likely fix, in the guard, an issuer and requireAuth', () => {
    expect(refusal(() => guard({ audiences: [API] }))).toBe(
      'bearer guard options has an unknown key "audiences": did you mean audience?',
    )
    expect(refusal(() => guard({ scope: ['a'] }))).toMatch(
      /unknown key "scope": did you mean scopes\?/,
    )
    expect(
      refusal(() => guard({ issuers: [{ issuer: IDP, jwks_uri: `${IDP}/jwks` } as never] })),
    ).toMatch(/bearer guard issuer has an unknown key "jwks_uri": did you mean jwksUri\?/)
    const shared = guard({})
    expect(refusal(() => guardFor({ guard: shared, scope: ['a'] } as never))).toMatch(
      /requireAuth options has an unknown key "scope": did you mean scopes\?/,
    )
    expect(refusal(() => guardFor({ audience: API, issuers: [IDP], guards: 1 } as never))).toMatch(
      /requireAuth options has an unknown key "guards"/,
    )
    // The adapter's own keys pass (SvelteKit's match), and a shared guard keeps its caches.
    expect(
      guardFor({ guard: shared, scopes: ['a'], match: () => true } as never, ['match']).guard,
    ).toBe(shared)
  })

  it('refuses what would weaken the checks, or could not work', () => {
    const cases: Array<[Partial<BearerGuardOptions> & Record<string, unknown>, RegExp]> = [
      [{ audience: '' }, /audience must name the API/],
      [{ audience: [] }, /audience must name the API/],
      [{ issuers: [] }, /at least one trusted issuer/],
      [{ issuers: [IDP, IDP] }, /listed twice/],
      [{ issuers: ['http://idp.example'] }, /must be https \(http only on loopback/],
      [
        { issuers: [{ issuer: IDP, jwksUri: 'http://keys.example/jwks' }] },
        /jwksUri of https:\/\/idp.example must be https/,
      ],
      [
        { issuers: [{ issuer: IDP, algorithms: ['HS512'] }] },
        /HS512 is not accepted \(a resource server shares no secret/,
      ],
      [{ issuers: [{ issuer: IDP, introspection: {} as never }] }, /must have introspectToken/],
      [{ algorithms: [] }, /at least one algorithm/],
      [{ algorithms: ['RS1'] }, /RS1 is not accepted/],
      [{ clockTolerance: 301 }, /clockTolerance must be from 0 to 300/],
      [{ realm: 'a"b' }, /realm must be printable ASCII/],
      [{ scopes: ['two words'] }, /scopes must be a list of scope tokens/],
      [{ introspectionCacheSeconds: -1 }, /introspectionCacheSeconds/],
      [{ jwksCacheSeconds: Number.NaN }, /jwksCacheSeconds/],
    ]
    for (const [options, message] of cases) expect(refusal(() => guard(options))).toMatch(message)
    // Plain http beyond loopback only when asked; loopback always.
    expect(guard({ issuers: ['http://idp.example'], allowInsecureRequests: true })).toBeInstanceOf(
      BearerGuard,
    )
    expect(guard({ issuers: ['http://127.0.0.1:8080'] })).toBeInstanceOf(BearerGuard)
  })

  it('refuses a route scope that is not a scope token, at the first request of that route', async () => {
    const result = guard({}).verify('x', { scopes: ['a b'] })
    await expect(result).rejects.toMatchObject({ code: 'invalid_token' }) // the token is checked first
    const refused = await guard({})
      .authenticate(new Headers({ authorization: 'Bearer x' }), { scopes: ['"'] })
      .catch((e: unknown) => e)
    expect(isOAuthKitError(refused, 'config_invalid')).toBe(true)
  })
})
