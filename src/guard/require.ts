/**
 * What each integration's `requireAuth` shares: a guard made from options (or one given, to share
 * its caches between routes) and the route's own scopes.
 *
 * @module
 */
import { BEARER_GUARD_KEYS, checkKnownKeys } from '../config-keys.js'
import { BearerGuard } from './guard.js'
import type { AccessTokenClaims, BearerGuardOptions, RequireOptions } from './types.js'

/**
 * Options of `requireAuth` in every integration: the guard's options (a guard per call), or a
 * `guard` shared by several routes with the scopes this route needs.
 *
 * @group Bearer guard
 */
export type RequireAuthOptions<Claims extends AccessTokenClaims = AccessTokenClaims> =
  BearerGuardOptions | ({ guard: BearerGuard<Claims> } & RequireOptions)

/**
 * The guard of `requireAuth` options, and what the route adds to it: for an adapter of your own.
 *
 * @param extraKeys - option keys the adapter reads itself (SvelteKit's `match`).
 * @group Bearer guard
 */
export function guardFor<Claims extends AccessTokenClaims>(
  options: RequireAuthOptions<Claims>,
  extraKeys: readonly string[] = [],
): { guard: BearerGuard<Claims>; route: RequireOptions } {
  if (typeof options === 'object' && options !== null && 'guard' in options) {
    checkKnownKeys('', 'requireAuth options', options, ['guard', 'scopes', ...extraKeys])
    return { guard: options.guard, route: { scopes: options.scopes } }
  }
  const own = Object.fromEntries(
    Object.entries(options ?? {}).filter(([key]) => !extraKeys.includes(key)),
  ) as unknown as BearerGuardOptions
  checkKnownKeys('', 'requireAuth options', own, BEARER_GUARD_KEYS, () => 'or pass guard')
  return { guard: new BearerGuard<Claims>(own), route: {} }
}
