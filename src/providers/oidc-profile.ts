/**
 * What the OpenID Connect presets share: standard claims as a normalised profile, and the
 * `"true"`/`"false"` strings some providers send where OpenID Connect says boolean.
 *
 * @module
 */
import type { NormalizedProfile } from '../app/config.js'
import { ErrorCode, OAuthKitError } from '../errors/error.js'

/** `true` / `"true"` → true, `false` / `"false"` → false, anything else → undefined. */
export function claimBoolean(value: unknown): boolean | undefined {
  if (value === true || value === 'true') return true
  if (value === false || value === 'false') return false
  return undefined
}

/**
 * Standard claims (OpenID Connect Core §5.1) as a normalised profile, the claims kept as `raw`.
 * `email_verified` is true only when the provider says so (as a boolean or the string `"true"`).
 */
export function claimsProfile<Raw extends { sub: string }>(claims: Raw): NormalizedProfile<Raw> {
  const c = claims as Raw & Record<string, unknown>
  const profile: NormalizedProfile<Raw> = { sub: c.sub, raw: claims }
  if (typeof c.name === 'string') profile.name = c.name
  if (typeof c.email === 'string') profile.email = c.email
  const verified = claimBoolean(c.email_verified)
  if (verified !== undefined) profile.email_verified = verified
  if (typeof c.picture === 'string') profile.picture = c.picture
  return profile
}

/** A preset's option is invalid: raised by the factory, before `register`. */
export function presetError(preset: string, field: string, problem: string): OAuthKitError {
  return new OAuthKitError(ErrorCode.CONFIG_INVALID, `${preset} preset: ${field} ${problem}`)
}

/**
 * An issuer no ID token carries. A preset's `idTokenIssuer` returns it to refuse a token whose claims
 * break the preset's policy (tenant, hosted domain, organization): the core then rejects the token as
 * `id_token_invalid` before anything from it is used.
 */
export function refusedIssuer(preset: string, reason: string): string {
  return `urn:oauthkit:${preset}:refused:${encodeURIComponent(reason)}`
}

/** Strip trailing slashes from a base URL. */
export function trimSlash(url: string): string {
  return url.replace(/\/+$/, '')
}
