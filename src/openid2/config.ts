/**
 * An OpenID 2.0 app's configuration and its checks: the provider endpoint, the realm, which claimed
 * identifiers the provider vouches for without discovery, and the attributes (AX, SREG) to ask for.
 *
 * @module
 */
import type { BaseAppConfig, FetchToken, NormalizedProfile, UpdateToken } from '../app/config.js'
import { checkUrl, configError, validateBaseConfig } from '../app/config.js'
import type { OpenIdIdentity, RequestHook, ResponseHook } from '../types.js'

/** The OpenID 2.0 namespace (`openid.ns`). */
export const OPENID2_NS = 'http://specs.openid.net/auth/2.0'
/** The identifier that lets the user pick their identity at the provider (§9.1). */
export const IDENTIFIER_SELECT = 'http://specs.openid.net/auth/2.0/identifier_select'
/** Attribute Exchange 1.0. */
export const AX_NS = 'http://openid.net/srv/ax/1.0'
/** Simple Registration 1.1 (and the 1.0 namespace providers still send). */
export const SREG_NS = ['http://openid.net/extensions/sreg/1.1', 'http://openid.net/sreg/1.0']
/** A Simple Registration field name (SREG 1.1 §4). @group OpenID 2.0 */
export type SregField =
  | 'nickname'
  | 'email'
  | 'fullname'
  | 'dob'
  | 'gender'
  | 'postcode'
  | 'country'
  | 'language'
  | 'timezone'
/** The Simple Registration fields. */
export const SREG_FIELDS: readonly SregField[] = [
  'nickname',
  'email',
  'fullname',
  'dob',
  'gender',
  'postcode',
  'country',
  'language',
  'timezone',
]

/** What an {@link OpenIdProfileLoader} can call. @group OpenID 2.0 */
export interface OpenIdProfileApi {
  /** The app's registered name, for error messages. */
  name: string
  /** A GET through the app's API client (origin rules, limits, `protectedRequest` hooks), read as JSON. */
  getJson<T>(url: string, identity: OpenIdIdentity): Promise<T>
}

/**
 * Loads and normalises a user's profile for an OpenID 2.0 identity (presets supply one, e.g. Steam's
 * Web API). Without one, {@link OpenIdApp.profile} reads the signed SREG / AX attributes.
 *
 * @typeParam Raw - the provider's profile type.
 * @group OpenID 2.0
 */
export type OpenIdProfileLoader<Raw = Record<string, unknown>> = (
  api: OpenIdProfileApi,
  identity: OpenIdIdentity,
) => Promise<NormalizedProfile<Raw>>

/**
 * Hooks of an OpenID 2.0 app, each one function or an array run in order; say why next to each.
 * @group OpenID 2.0
 */
export interface OpenIdHooks {
  /** The provider's answer to `check_authentication`, before it is read. */
  checkAuthenticationResponse?: ResponseHook | readonly ResponseHook[]
  /** The claimed identifier's discovery document (XRDS or HTML), before it is read. */
  discoveryResponse?: ResponseHook | readonly ResponseHook[]
  /** Every API request (`get`, `profile()`): a preset adds its API key here. */
  protectedRequest?: RequestHook | readonly RequestHook[]
}

/**
 * An OpenID 2.0 relying party (the protocol Steam still uses): `register(name, { openIdEndpoint })`
 * makes an {@link OpenIdApp}. There is no client id or secret: the provider is trusted for the
 * assertions it verifies through `check_authentication`.
 *
 * @group OpenID 2.0
 */
export interface OpenIdAppConfig extends Omit<
  BaseAppConfig,
  'clientId' | 'clientSecret' | 'fetchToken' | 'updateToken'
> {
  /** The provider's OpenID 2.0 endpoint (`https://steamcommunity.com/openid/login`). */
  openIdEndpoint: string
  /**
   * The realm (`openid.realm`, §9.2) the user is asked to trust: a URL every redirect URI of the app
   * falls under (`https://app.example/`, `https://*.app.example/`). Default: the redirect URI's origin + `/`.
   */
  realm?: string
  /**
   * The identifier to log in (`openid.claimed_id`): an OP-local identifier the provider knows. Default:
   * identifier_select, the user picks at the provider.
   */
  identifier?: string
  /**
   * Claimed identifiers under this URL prefix are the provider's own namespace (Steam's
   * `https://steamcommunity.com/openid/id/`): accepted without discovery when the provider asserts one
   * with `identity` equal to it. It must be on the origin of `openIdEndpoint`. Any other claimed
   * identifier is discovered (Yadis / HTML) and refused unless its OP endpoint is `openIdEndpoint`.
   */
  claimedIdPrefix?: string
  /** Attribute Exchange attributes to ask for, as alias → type URI (`{ email: 'http://axschema.org/contact/email' }`). */
  ax?: Record<string, string>
  /** The aliases of `ax` to ask for as required (the rest are `if_available`). */
  axRequired?: string[]
  /** Simple Registration fields to ask for as optional. */
  sreg?: SregField[]
  /** Simple Registration fields to ask for as required. */
  sregRequired?: SregField[]
  /**
   * Seconds an assertion's `response_nonce` may be old (or ahead, for clock skew) and is remembered as
   * used (default 300, at most 3600).
   */
  nonceMaxAge?: number
  /** Seconds a login may take (default: the registry's `transactionTtl`). */
  transactionTtl?: number
  /** Reads this app's stored identity (the registry's otherwise). */
  fetchToken?: FetchToken<OpenIdIdentity>
  /** Persists the identity of each login (the registry's otherwise), with `reason: 'login'`. */
  updateToken?: UpdateToken<OpenIdIdentity>
  hooks?: OpenIdHooks
  /** Loads the user's profile (presets supply one); default: the signed SREG / AX attributes. */
  profile?: OpenIdProfileLoader
  /** Never set for OpenID 2.0 apps; its presence makes an app OAuth 1. */
  requestTokenUrl?: undefined
}

const ALIAS = /^[A-Za-z0-9_]{1,64}$/

/** Check an OpenID 2.0 app's config, naming the field at fault. */
export function validateOpenIdConfig(name: string, config: OpenIdAppConfig): void {
  validateBaseConfig(name, config, false)
  const raw = config as unknown as Record<string, unknown>
  for (const field of ['clientId', 'clientSecret', 'requestTokenUrl'])
    if (raw[field] !== undefined)
      throw configError(name, field, 'is not used by an OpenID 2.0 app (openIdEndpoint)')
  const insecure = config.allowInsecureRequests
  if (typeof config.openIdEndpoint !== 'string' || config.openIdEndpoint === '')
    throw configError(name, 'openIdEndpoint', 'is required for an OpenID 2.0 app')
  checkUrl(name, 'openIdEndpoint', config.openIdEndpoint, insecure)
  checkUrl(name, 'apiBaseUrl', config.apiBaseUrl, insecure)
  if (config.realm !== undefined) {
    // `*.` is only allowed as the first label of the host (§9.2): parse it with a stand-in label.
    checkUrl(name, 'realm', String(config.realm).replace('://*.', '://wildcard.'), insecure)
    if (new URL(config.realm.replace('://*.', '://wildcard.')).hash)
      throw configError(name, 'realm', 'must not have a fragment (OpenID 2.0 §9.2)')
  }
  if (
    config.identifier !== undefined &&
    (typeof config.identifier !== 'string' || !config.identifier)
  )
    throw configError(name, 'identifier', 'must be a non-empty string')
  if (config.claimedIdPrefix !== undefined) {
    checkUrl(name, 'claimedIdPrefix', config.claimedIdPrefix, insecure)
    if (new URL(config.claimedIdPrefix).origin !== new URL(config.openIdEndpoint).origin)
      throw configError(
        name,
        'claimedIdPrefix',
        'must be on the origin of openIdEndpoint (a provider vouches only for its own identifiers without discovery)',
      )
  }
  checkAttributes(name, config)
  const age = config.nonceMaxAge
  if (age !== undefined && !(Number.isFinite(age) && age > 0 && age <= 3600))
    throw configError(name, 'nonceMaxAge', 'must be a number of seconds between 0 and 3600')
}

function checkAttributes(name: string, config: OpenIdAppConfig): void {
  const ax = config.ax ?? {}
  if (typeof ax !== 'object' || ax === null || Array.isArray(ax))
    throw configError(name, 'ax', 'must be an object of alias → type URI')
  for (const [alias, uri] of Object.entries(ax)) {
    if (!ALIAS.test(alias))
      throw configError(name, `ax.${alias}`, 'alias must be letters, digits or _ (no dots)')
    if (typeof uri !== 'string' || !URL.canParse(uri))
      throw configError(name, `ax.${alias}`, 'must be an absolute type URI')
  }
  for (const alias of config.axRequired ?? [])
    if (!(alias in ax)) throw configError(name, 'axRequired', `names "${alias}", which ax lacks`)
  for (const field of ['sreg', 'sregRequired'] as const) {
    const list: unknown = config[field]
    if (list === undefined) continue
    if (!Array.isArray(list)) throw configError(name, field, 'must be an array of SREG fields')
    for (const item of list)
      if (!SREG_FIELDS.includes(item as SregField))
        throw configError(name, field, `has "${String(item)}"; one of ${SREG_FIELDS.join(', ')}`)
  }
}
