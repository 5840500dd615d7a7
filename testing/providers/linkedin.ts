/**
 * LinkedIn emulation ("Sign In with LinkedIn using OpenID Connect"): discovery at
 * www.linkedin.com/oauth, a token endpoint that takes the client secret in the body only and refuses a
 * PKCE verifier from an app without PKCE, ID tokens without `nonce` (as LinkedIn issues them), and the
 * userinfo endpoint with its object-valued `locale`.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

/** The default LinkedIn test user. @group Testing */
export const LINKEDIN_TEST_USER: EmulatedUser = {
  id: '782bbtaQ',
  name: 'John Doe',
  given_name: 'John',
  family_name: 'Doe',
  email: 'doe@email.test',
  email_verified: true,
  picture:
    'https://media.licdn.test/dms/image/C4F03AQHqK8v7tB1HCQ/profile-displayphoto-shrink_100_100/0/',
}

/** Options of {@link emulateLinkedIn}. @group Testing */
export interface LinkedInEmulationOptions {
  users?: EmulatedUser[]
  /** `omit` (default, what LinkedIn does): ID tokens carry no nonce; `echo`: as OpenID Connect says. */
  nonce?: 'omit' | 'echo'
  /** The app has PKCE enabled (LinkedIn does this per native app); default false: a code_verifier is refused. */
  pkce?: boolean
  /** Behave as before April 2024: discovery and ID tokens name the issuer `https://www.linkedin.com`. */
  legacyIssuer?: boolean
}

/**
 * Emulate LinkedIn for the `linkedin` preset.
 * @group Testing
 */
export async function emulateLinkedIn(
  options: LinkedInEmulationOptions = {},
): Promise<ProviderEmulation> {
  const issuer = options.legacyIssuer
    ? 'https://www.linkedin.com'
    : 'https://www.linkedin.com/oauth'
  const userinfo = 'https://api.linkedin.com/v2/userinfo'
  return createEmulation(
    {
      name: 'linkedin',
      authorizeUrl: 'https://www.linkedin.com/oauth/v2/authorization',
      tokenUrl: 'https://www.linkedin.com/oauth/v2/accessToken',
      issuer,
      jwksUri: 'https://www.linkedin.com/oauth/openid/jwks',
      discoveryUrl: 'https://www.linkedin.com/oauth/.well-known/openid-configuration',
      metadata: {
        userinfo_endpoint: userinfo,
        subject_types_supported: ['pairwise'],
        scopes_supported: ['openid', 'profile', 'email'],
        claims_supported: [
          'iss',
          'aud',
          'iat',
          'exp',
          'sub',
          'name',
          'given_name',
          'family_name',
          'picture',
          'email',
          'email_verified',
          'locale',
        ],
      },
      idTokenClaims: (user) => ({
        name: user.name,
        given_name: user.given_name,
        family_name: user.family_name,
        picture: user.picture,
        email: user.email,
        email_verified: user.email_verified ?? false,
        locale: 'en-US',
      }),
      checkTokenRequest: (_request, params) => {
        // LinkedIn reads the client secret from the body only.
        if (!params.get('client_secret'))
          return HttpResponse.json(
            { error: 'invalid_client', error_description: 'Client authentication failed' },
            { status: 401 },
          )
        // A code_verifier from an app LinkedIn did not enable PKCE for is refused.
        if (params.has('code_verifier') && !options.pkce) {
          return HttpResponse.json(
            {
              error: 'invalid_request',
              error_description:
                'Unable to retrieve access token: appid/redirect uri/code verifier does not match authorization code. Or authorization code expired. Or external member binding exists',
            },
            { status: 400 },
          )
        }
        return undefined
      },
      tokenResponse: async (ctx) => {
        const scopes = ctx.scope.split(' ')
        const body: Record<string, unknown> = {
          access_token: ctx.accessToken,
          expires_in: 5183999,
          scope: [...scopes].sort().join(','),
          token_type: 'Bearer',
        }
        if (scopes.includes('openid'))
          body.id_token = await ctx.idToken(options.nonce === 'echo' ? {} : { nonce: undefined })
        return HttpResponse.json(body)
      },
      api: {
        [userinfo]: (user) =>
          HttpResponse.json({
            sub: user.id,
            email_verified: user.email_verified ?? false,
            name: user.name,
            locale: { country: 'US', language: 'en' },
            given_name: user.given_name,
            family_name: user.family_name,
            email: user.email,
            picture: user.picture,
          }),
      },
    },
    options.users ?? [LINKEDIN_TEST_USER],
  )
}
