/**
 * The driver client a store module is given, checked: the driver is an optional peer, so a store used
 * without one fails with a typed error that names the package, not a `TypeError` at first use.
 *
 * @module
 * @internal
 */
import { ErrorCode, OAuthKitError } from '../errors/error.js'

/**
 * `config_invalid` unless `client` has each of `methods`: `what` needs a `driver` client. @internal
 */
export function requireClient(
  what: string,
  driver: string,
  example: string,
  client: unknown,
  methods: readonly string[],
): void {
  const has = (m: string) =>
    typeof client === 'object' &&
    client !== null &&
    typeof (client as Record<string, unknown>)[m] === 'function'
  if (!methods.every(has))
    throw new OAuthKitError(
      ErrorCode.CONFIG_INVALID,
      `${what}: no ${driver} client given (one with ${methods.join(', ')}): install ${driver}, an optional peer of oauthkit, and pass ${example}`,
    )
}
