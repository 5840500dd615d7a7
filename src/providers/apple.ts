/**
 * Sign in with Apple on the web — OpenID Connect with Apple's own rules: the callback is a
 * `form_post`, the client secret is an ES256 JWT signed with the team's private key (.p8), the user's
 * name arrives once (first login) as a `user` form field, and there is no userinfo endpoint.
 *
 * Followed, as of 2026-11: "Request an authorization to the Sign in with Apple server"
 * (https://developer.apple.com/documentation/sign_in_with_apple/request_an_authorization_to_the_sign_in_with_apple_server),
 * "Generate and validate tokens" (https://developer.apple.com/documentation/sign_in_with_apple/generate_and_validate_tokens),
 * "Creating a client secret" (https://developer.apple.com/documentation/accountorganizationaldatasharing/creating-a-client-secret)
 * and "Authenticating users with Sign in with Apple"
 * (https://developer.apple.com/documentation/sign_in_with_apple/authenticating-users-with-sign-in-with-apple).
 * Written from knowledge of those pages, not from a fresh reading. Unsure: Apple documents the scopes
 * `name` and `email`; `openid` is listed in its discovery document's `scopes_supported` and is sent so
 * that oauthkit sends a nonce and requires the ID token. If Apple refuses it, pass `scope: 'name email'`
 * (the ID token is then still validated, without a nonce).
 *
 * @module
 */
import * as jose from 'jose'
import type { NormalizedProfile } from '../app/config.js'
import type { OAuth2AppConfig, ProfileApi } from '../oauth2/config.js'
import { ErrorCode, OAuthKitError } from '../errors/error.js'
import type { IdTokenClaims, OAuth2Token } from '../types.js'
import { definePreset, type PresetOptions, checkPresetKeys } from './preset.js'
import { claimBoolean, claimsProfile, presetError } from './oidc-profile.js'

const APPLE = 'https://appleid.apple.com'
/** Apple refuses a client secret whose `exp` is more than 15,777,000 s (six months) away. */
export const APPLE_CLIENT_SECRET_MAX_LIFETIME = 15_777_000
/** A client secret is re-signed when it has fewer than this many seconds left. */
const RESIGN_MARGIN = 60

/** The claims of Apple's ID token. @group Social and consumer presets */
export interface AppleIdTokenClaims extends Omit<IdTokenClaims, 'email_verified'> {
  /** The user's stable id for your team. */
  sub: string
  /** The real address or a private relay address (`…@privaterelay.appleid.com`). */
  email?: string
  /** Apple sends a string `"true"` (or a boolean): it only returns verified addresses. */
  email_verified?: boolean | 'true' | 'false'
  /** Whether `email` is a private relay address, as a string or a boolean. */
  is_private_email?: boolean | 'true' | 'false'
  /** 0 unsupported, 1 unknown, 2 likely real (not sent for web sign-ins). */
  real_user_status?: 0 | 1 | 2
  nonce_supported?: boolean
  /** Present during an app transfer between teams. */
  transfer_sub?: string
}

/** The normalised Apple profile: `email_verified` and `is_private_email` as booleans. No name (see {@link appleUser}). @group Social and consumer presets */
export interface AppleProfile extends NormalizedProfile<AppleIdTokenClaims> {
  /** True when `email` is a private relay address. */
  is_private_email?: boolean
}

/** The `user` form field of the first callback: the name and email as the user chose to share them. @group Social and consumer presets */
export interface AppleUser {
  name?: { firstName?: string; middleName?: string; lastName?: string }
  email?: string
}

/** What signs Apple's client secret. @group Social and consumer presets */
export interface AppleClientSecretOptions {
  /** The Services ID (web) or App ID: the secret's `sub`. */
  clientId: string
  /** The 10-character Team ID: the secret's `iss`. */
  teamId: string
  /** The 10-character Key ID of the Sign in with Apple private key: the secret's `kid`. */
  keyId: string
  /** The private key: the contents of the `.p8` file (PKCS#8 PEM), or an ES256 CryptoKey. */
  privateKey: string | CryptoKey
  /** Seconds each signed secret is valid, at most six months ({@link APPLE_CLIENT_SECRET_MAX_LIFETIME}). Default 3600. */
  clientSecretLifetime?: number
}

/** Options of {@link apple}. @group Social and consumer presets */
export interface AppleOptions
  extends
    Omit<PresetOptions, 'clientSecret' | 'privateKey'>,
    Omit<AppleClientSecretOptions, 'clientId'> {}

/** Loads the Apple profile (from the ID token claims). @group Social and consumer presets */
export type AppleProfileLoader = (api: ProfileApi, token: OAuth2Token) => Promise<AppleProfile>

/**
 * Sign in with Apple. The client secret is generated on first use and re-signed shortly before it
 * expires; the callback arrives as a `form_post` (required by Apple when `name` or `email` is asked
 * for); the profile comes from the ID token. Read the user's name with {@link appleUser} on the
 * callback, and save it: Apple sends it only the first time the user signs in to the app.
 *
 * @example
 * ```ts
 * import { OAuth } from 'oauthkit'
 * import { apple, appleUser } from 'oauthkit/providers'
 *
 * const oauth = new OAuth({ secret: process.env.OAUTH_SECRET }).register(
 *   'apple',
 *   apple({
 *     clientId: 'com.example.web', // the Services ID
 *     teamId: process.env.APPLE_TEAM_ID!,
 *     keyId: process.env.APPLE_KEY_ID!,
 *     privateKey: process.env.APPLE_PRIVATE_KEY!, // the .p8 file's PEM
 *   }),
 * )
 * // The callback route must accept POST (response_mode=form_post):
 * const token = await oauth.create('apple').authorizeAccessToken({ cookies, request })
 * const user = await appleUser(request) // only on the first sign-in: save user?.name now
 * const { sub, email, email_verified, is_private_email } = (await oauth.create('apple').profile(token)) as AppleProfile
 * ```
 * @group Social and consumer presets
 */
export function apple(options: AppleOptions): OAuth2AppConfig & { profile: AppleProfileLoader } {
  checkPresetKeys('apple', options, ['teamId', 'keyId', 'clientSecretLifetime'])
  const { teamId, keyId, privateKey, clientSecretLifetime, ...rest } = options
  const clientSecret = appleClientSecret({
    clientId: options.clientId,
    teamId,
    keyId,
    privateKey,
    clientSecretLifetime,
  })
  const scope = rest.scope ?? 'openid name email'
  const scopes = Array.isArray(scope) ? scope : scope.split(/\s+/)
  if (rest.responseMode === 'query' && (scopes.includes('name') || scopes.includes('email'))) {
    throw presetError(
      'apple',
      'responseMode',
      'must be form_post when the name or email scope is requested (Apple refuses the request otherwise)',
    )
  }
  return definePreset(rest, {
    serverMetadataUrl: `${APPLE}/.well-known/openid-configuration`,
    scope,
    // Apple requires response_mode=form_post when name or email is requested.
    responseMode: 'form_post' as const,
    // Apple takes the client secret in the request body only.
    tokenEndpointAuthMethod: 'client_secret_post' as const,
    // The secret is a short-lived JWT, re-signed before it expires.
    clientSecret,
    profile: appleProfile,
    hooks: { authorizationResponse: appleCancelled },
  })
}

/**
 * A client secret function for Sign in with Apple: an ES256 JWT with `iss` = team id, `sub` = client
 * id, `aud` = https://appleid.apple.com, `exp` at most six months away. Signed on first call, cached,
 * and re-signed when fewer than 60 seconds remain; concurrent calls share one signature.
 * @group Social and consumer presets
 */
export function appleClientSecret(options: AppleClientSecretOptions): () => Promise<string> {
  const { clientId, teamId, keyId, privateKey } = options
  const lifetime = options.clientSecretLifetime ?? 3600
  if (typeof teamId !== 'string' || teamId === '')
    throw presetError('apple', 'teamId', 'is required')
  if (typeof keyId !== 'string' || keyId === '') throw presetError('apple', 'keyId', 'is required')
  if (
    typeof privateKey === 'string'
      ? !/-----BEGIN PRIVATE KEY-----/.test(privateKey)
      : !(privateKey instanceof CryptoKey)
  ) {
    throw presetError(
      'apple',
      'privateKey',
      'must be the .p8 file contents (a PKCS#8 PEM) or a CryptoKey',
    )
  }
  if (
    !Number.isInteger(lifetime) ||
    lifetime < 2 * RESIGN_MARGIN ||
    lifetime > APPLE_CLIENT_SECRET_MAX_LIFETIME
  ) {
    throw presetError(
      'apple',
      'clientSecretLifetime',
      `must be a whole number of seconds between ${2 * RESIGN_MARGIN} and ${APPLE_CLIENT_SECRET_MAX_LIFETIME} (six months)`,
    )
  }
  let key: Promise<CryptoKey> | undefined
  let current: { jwt: string; exp: number } | undefined
  let pending: Promise<string> | undefined
  const sign = async (): Promise<string> => {
    key ??=
      typeof privateKey === 'string'
        ? jose.importPKCS8(privateKey, 'ES256')
        : Promise.resolve(privateKey)
    let signingKey: CryptoKey
    try {
      signingKey = await key
    } catch {
      key = undefined
      throw presetError('apple', 'privateKey', 'could not be imported as an ES256 private key')
    }
    const now = Math.floor(Date.now() / 1000)
    const exp = now + lifetime
    const jwt = await new jose.SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: keyId })
      .setIssuer(teamId)
      .setSubject(clientId)
      .setAudience(APPLE)
      .setIssuedAt(now)
      .setExpirationTime(exp)
      .sign(signingKey)
    current = { jwt, exp }
    return jwt
  }
  return () => {
    if (current && current.exp - RESIGN_MARGIN > Date.now() / 1000)
      return Promise.resolve(current.jwt)
    pending ??= sign().finally(() => (pending = undefined))
    return pending
  }
}

/**
 * The `user` field Apple posts to the callback on a user's first sign-in: the name (and email) as the
 * user shared them, or undefined when the request has none (every later sign-in).
 *
 * It is a helper on the callback request, not a field of the token, because the token is built from
 * the token endpoint's response (what hooks see) while `user` is only in the callback form;
 * `completeAuthorization` also returns it raw, as `params.user`. The field is not signed: use it only after
 * `authorizeAccessToken` succeeded on the same request (state and the code exchange then vouch for
 * the callback), and take the email from the ID token, not from here. Reads a clone; the body stays
 * readable.
 * @group Social and consumer presets
 */
export async function appleUser(request: Request): Promise<AppleUser | undefined> {
  if (
    request.method !== 'POST' ||
    !(request.headers.get('content-type') ?? '')
      .toLowerCase()
      .startsWith('application/x-www-form-urlencoded')
  )
    return undefined
  const text = await request.clone().text()
  if (text.length > 64 * 1024) return undefined
  const raw = new URLSearchParams(text).get('user')
  if (!raw) return undefined
  let parsed: unknown
  try {
    parsed = JSON.parse(raw)
  } catch {
    return undefined
  }
  if (typeof parsed !== 'object' || parsed === null) return undefined
  const source = parsed as { name?: unknown; email?: unknown }
  const user: AppleUser = {}
  if (typeof source.name === 'object' && source.name !== null) {
    const name: NonNullable<AppleUser['name']> = {}
    for (const part of ['firstName', 'middleName', 'lastName'] as const) {
      const value = (source.name as Record<string, unknown>)[part]
      if (typeof value === 'string') name[part] = value
    }
    user.name = name
  }
  if (typeof source.email === 'string') user.email = source.email
  return user
}

/**
 * Apple answers a user's "Cancel" with its own `error=user_cancelled_authorize`; RFC 6749 §4.1.2.1
 * calls that `access_denied`, so it surfaces as `ErrorCode.ACCESS_DENIED` like every other refusal.
 */
function appleCancelled(params: URLSearchParams): URLSearchParams | void {
  if (params.get('error') !== 'user_cancelled_authorize') return
  params.set('error', 'access_denied')
  return params
}

/** The validated ID token claims: Apple has no userinfo endpoint. */
const appleProfile: AppleProfileLoader = async (api, token) => {
  const claims = token.userinfo as AppleIdTokenClaims | undefined
  if (!claims) {
    throw new OAuthKitError(
      ErrorCode.UNSUPPORTED_OPERATION,
      `${api.name}: Apple has no userinfo endpoint and this token carries no ID token claims`,
      { app: api.name },
    )
  }
  // claimsProfile reads Apple's string "true" as verified; is_private_email is normalised the same way.
  const profile: AppleProfile = claimsProfile(claims)
  const isPrivate = claimBoolean(claims.is_private_email)
  if (isPrivate !== undefined) profile.is_private_email = isPrivate
  return profile
}
