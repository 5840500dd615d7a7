/**
 * The sealing secret of a registry created without one. It is made on first use, not in the
 * constructor: Cloudflare's workerd refuses random values at global scope, where apps create their
 * registry. With `NODE_ENV=production` it is refused instead, and elsewhere the first use warns once.
 *
 * @module
 * @internal
 */
import { ErrorCode, OAuthKitError } from '../errors/error.js'

/** What the refusal and the warning say to do. */
const FIX =
  'pass new OAuth({ secret }) with at least 32 characters, the same in every process (e.g. from an environment variable)'

let warned = false

/** True when `process.env.NODE_ENV` is `production` (read only where `process` exists: not on Workers). */
function production(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process
    ?.env
  return env?.NODE_ENV === 'production'
}

/**
 * A random secret for a registry created without one: refused with `config_invalid` in production,
 * else made with one `console.warn` per process.
 * @internal
 */
export function fallbackSecret(): string {
  if (production())
    throw new OAuthKitError(
      ErrorCode.CONFIG_INVALID,
      `OAuth: no secret to seal login transactions with (NODE_ENV=production): ${FIX}`,
    )
  if (!warned) {
    warned = true
    console.warn(
      'oauthkit: new OAuth() was given no secret, so logins are sealed with a random one valid in this process only: ' +
        `a login started before a restart, or on another instance, fails with transaction_invalid. To fix it, ${FIX}.`,
    )
  }
  // 32 random bytes as 64 hex digits (iron wants at least 32 characters).
  return Array.from(crypto.getRandomValues(new Uint8Array(32)), (b) =>
    b.toString(16).padStart(2, '0'),
  ).join('')
}
