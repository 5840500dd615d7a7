/**
 * The table name of the SQL stores, checked (it is written into SQL, never a parameter).
 *
 * @module
 * @internal
 */
import { ErrorCode, OAuthKitError } from '../errors/error.js'

/** `name` (default `oauthkit_tokens`) if it is a plain identifier, else `config_invalid`. @internal */
export function tableName(name = 'oauthkit_tokens'): string {
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name))
    throw new OAuthKitError(
      ErrorCode.CONFIG_INVALID,
      'token store: table must be letters, digits and _ (not starting with a digit), at most 63 characters',
    )
  return name
}
