/**
 * Sign in with Apple emulation: discovery at appleid.apple.com, the `form_post` callback (refusing
 * other response modes when `name` or `email` is asked for), the `user` form field on a user's first
 * sign-in only, `user_cancelled_authorize` when the user cancels, ID tokens with Apple's string
 * booleans, and a token endpoint that verifies the ES256 client secret JWT.
 *
 * @module
 */
import * as jose from 'jose'
import { HttpResponse } from 'msw'
import { createEmulation, type EmulatedUser, type ProviderEmulation } from '../emulator.js'

const APPLE = 'https://appleid.apple.com'
const MAX_LIFETIME = 15_777_000

/** The default Apple test user: shares a real address. @group Testing */
export const APPLE_TEST_USER: EmulatedUser = {
  id: '001234.5f8c7e6b2a4d4c1f9e3b7a6d5c4b3a21.1234',
  email: 'ada@icloud.test',
  email_verified: true,
  firstName: 'Ada',
  lastName: 'Lovelace',
  is_private_email: false,
}

/** An Apple test user who hides their address behind the private relay. @group Testing */
export const APPLE_PRIVATE_RELAY_TEST_USER: EmulatedUser = {
  id: '001234.0a1b2c3d4e5f60718293a4b5c6d7e8f9.5678',
  email: 'x7k2p9q4mz@privaterelay.appleid.com',
  email_verified: true,
  firstName: 'Grace',
  lastName: 'Hopper',
  is_private_email: true,
}

/** The key that signs (app side) and verifies (emulation side) the client secret. @group Testing */
export interface AppleTestKey {
  teamId: string
  keyId: string
  /** PKCS#8 PEM, like the contents of a `.p8` file. */
  privateKey: string
  publicKey: CryptoKey
}

/** A fresh ES256 key pair with a team id and key id, for the `apple` preset and {@link emulateApple}. @group Testing */
export async function generateAppleTestKey(
  ids: { teamId?: string; keyId?: string } = {},
): Promise<AppleTestKey> {
  const { privateKey, publicKey } = await jose.generateKeyPair('ES256', { extractable: true })
  return {
    teamId: ids.teamId ?? 'TEAM123456',
    keyId: ids.keyId ?? 'KEY1234567',
    privateKey: await jose.exportPKCS8(privateKey),
    publicKey,
  }
}

/** Options of {@link emulateApple}. @group Testing */
export interface AppleEmulationOptions {
  users?: EmulatedUser[]
  /** Verify the client secret with this key (team id, key id, public key); without it any secret is accepted. */
  clientSecretKey?: Pick<AppleTestKey, 'teamId' | 'keyId' | 'publicKey'>
}

/**
 * Emulate Sign in with Apple for the `apple` preset.
 * @group Testing
 */
export async function emulateApple(
  options: AppleEmulationOptions = {},
): Promise<ProviderEmulation> {
  const verifySecret = async (params: URLSearchParams): Promise<string | undefined> => {
    const secret = params.get('client_secret')
    const clientId = params.get('client_id') ?? ''
    // Apple reads the client secret from the body only.
    if (!secret) return 'client_secret missing from the request body'
    const key = options.clientSecretKey
    if (!key) return undefined
    try {
      const { payload, protectedHeader } = await jose.jwtVerify(secret, key.publicKey, {
        algorithms: ['ES256'],
        issuer: key.teamId,
        subject: clientId,
        audience: APPLE,
      })
      if (protectedHeader.kid !== key.keyId) return 'unknown kid'
      if (
        typeof payload.exp !== 'number' ||
        payload.exp - Math.floor(Date.now() / 1000) > MAX_LIFETIME
      )
        return 'exp more than six months away'
      return undefined
    } catch (error) {
      return (error as Error).message
    }
  }
  const emulation = await createEmulation(
    {
      name: 'apple',
      authorizeUrl: `${APPLE}/auth/authorize`,
      tokenUrl: `${APPLE}/auth/token`,
      issuer: APPLE,
      jwksUri: `${APPLE}/auth/keys`,
      discoveryUrl: `${APPLE}/.well-known/openid-configuration`,
      responseMode: 'form_post',
      metadata: {
        revocation_endpoint: `${APPLE}/auth/revoke`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        scopes_supported: ['openid', 'email', 'name'],
        token_endpoint_auth_methods_supported: ['client_secret_post'],
        claims_supported: [
          'aud',
          'email',
          'email_verified',
          'exp',
          'iat',
          'is_private_email',
          'iss',
          'nonce',
          'nonce_supported',
          'real_user_status',
          'sub',
          'transfer_sub',
        ],
      },
      // Apple sends booleans in the ID token as strings.
      idTokenClaims: (user) => ({
        email: user.email,
        email_verified: String(user.email_verified ?? true),
        is_private_email: String(user.is_private_email ?? false),
        auth_time: Math.floor(Date.now() / 1000),
        nonce_supported: true,
      }),
      // The name is sent once, on the user's first authorization (when name or email was asked for), as JSON in the form.
      callbackExtras: (user, firstLogin, params): Record<string, string> => {
        const scopes = (params.get('scope') ?? '').split(' ')
        if (!firstLogin || !(scopes.includes('name') || scopes.includes('email'))) return {}
        return {
          user: JSON.stringify({
            name: { firstName: user.firstName, lastName: user.lastName },
            email: user.email,
          }),
        }
      },
      // A bad client secret is refused before the code is looked at.
      checkTokenRequest: async (_request, params) =>
        (await verifySecret(params))
          ? HttpResponse.json({ error: 'invalid_client' }, { status: 400 })
          : undefined,
      // Apple's refresh tokens stay valid across refreshes.
      rotateRefreshTokens: false,
      tokenResponse: async (ctx) => {
        const body: Record<string, unknown> = {
          access_token: ctx.accessToken,
          token_type: 'Bearer',
          expires_in: 3600,
          id_token: await ctx.idToken(),
        }
        // A refresh does not return a new refresh token.
        if (ctx.grantType === 'authorization_code') body.refresh_token = ctx.refreshToken
        return HttpResponse.json(body)
      },
    },
    options.users ?? [APPLE_TEST_USER, APPLE_PRIVATE_RELAY_TEST_USER],
  )
  return {
    ...emulation,
    async authorize(authorizationUrl, opts = {}) {
      const query = new URL(authorizationUrl).searchParams
      const scopes = (query.get('scope') ?? '').split(' ')
      if (
        (scopes.includes('name') || scopes.includes('email')) &&
        query.get('response_mode') !== 'form_post'
      ) {
        // Apple shows an error page; nothing comes back to the app.
        throw new Error(
          'apple emulation: invalid_request: response_mode must be form_post when name or email scope is requested.',
        )
      }
      if (opts.deny) {
        // Apple's cancel is not access_denied: it posts error=user_cancelled_authorize.
        const form = new URLSearchParams({ error: 'user_cancelled_authorize' })
        const state = query.get('state')
        if (state !== null) form.set('state', state)
        return new Request(query.get('redirect_uri') ?? '', {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: form.toString(),
        })
      }
      return emulation.authorize(authorizationUrl, opts)
    },
  }
}
