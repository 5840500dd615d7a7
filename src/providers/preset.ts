/**
 * What every preset shares: its options, and how they merge over the preset's defaults.
 *
 * @module
 */
import { hasOpenId, scopeString, type OAuth2AppConfig } from '../oauth2/config.js'
import type { ComplianceHooks } from '../types.js'

/**
 * Options every preset takes: the client credentials, and any app option to override a default
 * (`scope`, `authorizeParams`, `fetch`, …). Hooks given here run after the preset's own.
 * @group Providers
 */
export interface PresetOptions extends Partial<Omit<OAuth2AppConfig, 'clientId' | 'requestTokenUrl'>> {
  clientId: string
}

/**
 * Merge a user's options over a preset's defaults: scalar options replace, `authorizeParams` merge,
 * hooks concatenate (the preset's quirk fixes first).
 * @group Providers
 */
export function definePreset<const C extends Omit<OAuth2AppConfig, 'clientId'>>(options: PresetOptions, defaults: C): C & OAuth2AppConfig {
  const hooks: ComplianceHooks = { ...defaults.hooks }
  for (const [name, value] of Object.entries(options.hooks ?? {}) as Array<[keyof ComplianceHooks, unknown]>) {
    const mine = hooks[name] === undefined ? [] : [hooks[name]].flat()
    ;(hooks as Record<string, unknown>)[name] = [...mine, ...[value].flat()]
  }
  return {
    ...defaults,
    ...options,
    authorizeParams: { ...defaults.authorizeParams, ...options.authorizeParams },
    hooks,
  } as C & OAuth2AppConfig
}

/**
 * `scope` with `openid` added when it lacks it: a preset whose policy is checked on the ID token
 * (tenant, hosted domain, organization) must never log in without one.
 */
export function withOpenId(scope: string | string[] | undefined): string {
  return hasOpenId(scope) ? scopeString(scope)! : ['openid', scopeString(scope)].filter(Boolean).join(' ')
}
