/**
 * What every preset shares: its options, and how they merge over the preset's defaults.
 *
 * @module
 */
import { hasOpenId, scopeString, type OAuth2AppConfig } from '../oauth2/config.js'
import {
  OAUTH1_CONFIG_KEYS,
  OAUTH2_CONFIG_KEYS,
  OPENID2_CONFIG_KEYS,
  checkKnownKeys,
} from '../config-keys.js'
import type { ComplianceHooks } from '../types.js'

/**
 * Options every preset takes: the client credentials, and any app option to override a default
 * (`scope`, `authorizeParams`, `fetch`, …). Hooks given here run after the preset's own.
 * @group Providers
 */
export interface PresetOptions extends Partial<
  Omit<OAuth2AppConfig, 'clientId' | 'requestTokenUrl'>
> {
  clientId: string
}

/**
 * Merge a user's options over a preset's defaults: scalar options replace, `authorizeParams` merge,
 * hooks concatenate (the preset's quirk fixes first).
 * @group Providers
 */
export function definePreset<const C extends Omit<OAuth2AppConfig, 'clientId'>>(
  options: PresetOptions,
  defaults: C,
): C & OAuth2AppConfig {
  if (typeof options === 'object' && options !== null)
    checkKnownKeys('', 'preset options', options, PRESET_KEYS)
  const hooks: ComplianceHooks = { ...defaults.hooks }
  for (const [name, value] of Object.entries(options.hooks ?? {}) as Array<
    [keyof ComplianceHooks, unknown]
  >) {
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

/** The keys every OAuth 2 preset's options may have: an app config's, but `requestTokenUrl`. */
const PRESET_KEYS = OAUTH2_CONFIG_KEYS.filter(
  (key) => key !== 'requestTokenUrl' && key !== 'openIdEndpoint',
)

/**
 * Refuse an unknown key in a preset factory's options (`github({ scopes })`) with `config_invalid` and
 * a did-you-mean among the app config's keys and the preset's own (`own`).
 * @param kind - `oauth1` for an OAuth 1 preset, whose options are an OAuth 1 app's; `openid2` for an
 *   OpenID 2.0 one.
 * @internal
 */
export function checkPresetKeys<O extends object>(
  preset: string,
  options: O,
  own: ReadonlyArray<Exclude<keyof O, keyof PresetOptions> & string>,
  kind: 'oauth1' | 'oauth2' | 'openid2' = 'oauth2',
): void {
  if (typeof options !== 'object' || options === null) return
  const base =
    kind === 'oauth1'
      ? OAUTH1_CONFIG_KEYS.filter((key) => key !== 'requestTokenUrl' && key !== 'openIdEndpoint')
      : kind === 'openid2'
        ? OPENID2_CONFIG_KEYS.filter((key) => key !== 'requestTokenUrl')
        : PRESET_KEYS
  checkKnownKeys('', `${preset}() options`, options, [...base, ...own])
}

/**
 * `scope` with `openid` added when it lacks it: a preset whose policy is checked on the ID token
 * (tenant, hosted domain, organization) must never log in without one.
 */
export function withOpenId(scope: string | string[] | undefined): string {
  return hasOpenId(scope)
    ? scopeString(scope)!
    : ['openid', scopeString(scope)].filter(Boolean).join(' ')
}
