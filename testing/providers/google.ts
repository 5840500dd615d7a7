/**
 * Google emulation: discovery at accounts.google.com, ID tokens (optionally with the scheme-less
 * issuer Google's docs allow), `hd` for Workspace accounts, userinfo, and refresh tokens only for
 * `access_type=offline` on the first consent or with `prompt=consent`.
 *
 * @module
 */
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

const ISSUER = 'https://accounts.google.com'
const AUTHORIZE = 'https://accounts.google.com/o/oauth2/v2/auth'
const TOKEN = 'https://oauth2.googleapis.com/token'
const USERINFO = 'https://openidconnect.googleapis.com/v1/userinfo'
const JWKS = 'https://www.googleapis.com/oauth2/v3/certs'

/** The default Google test user: a consumer account (no `hd`). @group Testing */
export const GOOGLE_TEST_USER: EmulatedUser = {
  id: '108204268033311374519',
  email: 'ada.lovelace@gmail.test',
  email_verified: true,
  name: 'Ada Lovelace',
  given_name: 'Ada',
  family_name: 'Lovelace',
  picture: 'https://lh3.googleusercontent.test/a/ada',
  locale: 'en',
}

/** A Google Workspace test user of `example.com` (its ID token and userinfo carry `hd`). @group Testing */
export const GOOGLE_WORKSPACE_TEST_USER: EmulatedUser = {
  id: '117430592044218865207',
  email: 'grace@example.com',
  email_verified: true,
  name: 'Grace Hopper',
  given_name: 'Grace',
  family_name: 'Hopper',
  hd: 'example.com',
}

const SCOPE_NAMES: Record<string, string> = {
  email: 'https://www.googleapis.com/auth/userinfo.email',
  profile: 'https://www.googleapis.com/auth/userinfo.profile',
}

/**
 * Emulate Google for the `google` preset. A user with `legacyIssuer: true` gets ID tokens whose `iss`
 * is `accounts.google.com` (no scheme), which Google's documentation says may happen.
 * @group Testing
 */
export async function emulateGoogle(
  options: { users?: EmulatedUser[] } = {},
): Promise<ProviderEmulation> {
  /** Users who already consented offline access: Google gives them no new refresh token unless prompted. */
  const consented = new Set<string>()
  const profile = (user: EmulatedUser) => {
    const claims: Record<string, unknown> = {
      sub: user.id,
      email: user.email,
      email_verified: user.email_verified ?? false,
    }
    for (const key of ['name', 'given_name', 'family_name', 'picture', 'locale', 'hd'])
      if (user[key] !== undefined) claims[key] = user[key]
    return claims
  }
  return createEmulation(
    {
      name: 'google',
      authorizeUrl: AUTHORIZE,
      tokenUrl: TOKEN,
      issuer: ISSUER,
      jwksUri: JWKS,
      discoveryUrl: `${ISSUER}/.well-known/openid-configuration`,
      metadata: {
        userinfo_endpoint: USERINFO,
        revocation_endpoint: 'https://oauth2.googleapis.com/revoke',
        device_authorization_endpoint: 'https://oauth2.googleapis.com/device/code',
        subject_types_supported: ['public'],
        scopes_supported: ['openid', 'email', 'profile'],
        token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'],
        code_challenge_methods_supported: ['plain', 'S256'],
        grant_types_supported: [
          'authorization_code',
          'refresh_token',
          'urn:ietf:params:oauth:grant-type:device_code',
          'urn:ietf:params:oauth:grant-type:jwt-bearer',
        ],
      },
      idTokenClaims: (user) => {
        const { sub: _sub, ...claims } = profile(user)
        return { ...claims, ...(user.legacyIssuer === true && { iss: 'accounts.google.com' }) }
      },
      callbackExtras: () => ({ authuser: '0', prompt: 'consent' }),
      // Google's refresh tokens stay valid across refreshes.
      rotateRefreshTokens: false,
      tokenResponse: async (ctx) => {
        const body: Record<string, unknown> = {
          access_token: ctx.accessToken,
          expires_in: 3599,
          token_type: 'Bearer',
          scope: ctx.scope
            .split(' ')
            .map((s) => SCOPE_NAMES[s] ?? s)
            .join(' '),
        }
        if (ctx.scope.split(' ').includes('openid')) body.id_token = await ctx.idToken()
        const asked = ctx.authorizeParams
        const offline = asked?.get('access_type') === 'offline'
        if (
          ctx.grantType === 'authorization_code' &&
          offline &&
          (!consented.has(ctx.user.id) ||
            (asked?.get('prompt') ?? '').split(' ').includes('consent'))
        ) {
          body.refresh_token = ctx.refreshToken
          consented.add(ctx.user.id)
        }
        return HttpResponse.json(body)
      },
      api: { [USERINFO]: (user) => HttpResponse.json(profile(user)) },
    },
    options.users ?? [GOOGLE_TEST_USER, GOOGLE_WORKSPACE_TEST_USER],
  )
}
